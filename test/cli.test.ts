import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support';

function tsIpa(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8' });
}

describe('ts-ipa inspect', () => {
  it('prints the contract of a compiled module with command numbers', () => {
    const result = tsIpa('inspect', 'dist/platforms/rkisp1/contract.js');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("IPA module 'rkisp1'");
    expect(result.stdout).toContain('    9  processStats(frame: u32, bufferId: u32, sensorControls: ControlList) → one-way');
    expect(result.stdout).toContain('    2  setSensorControls(frame: u32, sensorControls: ControlList)');
  });

  it('prints the model as JSON', () => {
    const result = tsIpa('inspect', 'dist/platforms/raspberrypi/contract.js', '--json');
    expect(result.status).toBe(0);
    const [model] = JSON.parse(result.stdout);
    expect(model.module).toBe('RPi');
    expect(model.consts).toEqual([{ name: 'MaxLsGridSize', type: { kind: 'number', width: 'u32' }, value: 32768 }]);
  });

  it('says so in one line when a module has no contract, or cannot be loaded', () => {
    const none = tsIpa('inspect', 'dist/runtime/core.js');
    expect(none.status).toBe(1);
    expect(none.stderr).toBe('ts-ipa inspect: dist/runtime/core.js exports no IPA interface with a generated contract (was it built with the ts-ipa transformer?)\n');
    const missing = tsIpa('inspect', 'dist/nowhere.js');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^ts-ipa inspect: cannot load dist\/nowhere\.js: Cannot find module/);
  });

  it('prints usage for no command and fails for an unknown one', () => {
    expect(tsIpa().status).toBe(2);
    const unknown = tsIpa('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("ts-ipa: unknown command 'frobnicate'");
  });
});
