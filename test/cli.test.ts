import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { COLORBAR_75 } from './camera-suite';
import { describe, expect, it } from 'vitest';
import { root } from './support';

/** A bound far above a capture's few seconds on a loaded machine: a hang fails (status null) instead of stalling the suite. */
const HANG_MS = 60_000;

function tsIpa(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8', timeout: HANG_MS });
}

function withOutDir(use: (out: string) => void): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-frames-'));
  try {
    use(out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
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

  it('prints the package version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(tsIpa('--version')).toMatchObject({ status: 0, stdout: `ts-ipa ${version}\n`, stderr: '' });
  });

  it('prints usage for no command and fails for an unknown one', () => {
    expect(tsIpa().status).toBe(2);
    const unknown = tsIpa('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("ts-ipa: unknown command 'frobnicate'");
  });
});

describe('ts-ipa capture and list', () => {
  it('captures from the simulated camera when there is no vimc device, says so, and writes PNG files of the pattern', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-frames-'));
    try {
      const result = tsIpa('capture', '--frames', '5', '--size', '320x240', '--format', 'RGB888', '--out', out);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('SIMULATED: no vimc device on this machine');
      expect(result.stdout).toMatch(/frames\s+5\n/);
      expect(result.stdout).toMatch(/dropped frames\s+0\n/);
      expect(result.stdout).toMatch(/IPA round trip p99\s+\d+ µs/);
      const files = fs.readdirSync(out).sort();
      expect(files).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png', 'frame-0003.png', 'frame-0004.png']);
      const png = PNG.sync.read(fs.readFileSync(path.join(out, files[4]!)));
      expect([png.width, png.height]).toEqual([320, 240]);
      const bars = COLORBAR_75.map((_, bar) => {
        const at = (120 * 320 + Math.floor(((bar + 0.5) * 320) / 8)) * 4;
        return [png.data[at], png.data[at + 1], png.data[at + 2]];
      });
      expect(bars).toEqual(COLORBAR_75);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  // vimc streams only with two buffers queued: one or two frames must not wait for a frame that never comes.
  it.each(['process', 'thread', 'direct'])('captures --frames 1 and 2 in %s mode, writing exactly that many files', (isolation) => {
    for (const frames of [1, 2]) {
      withOutDir((out) => {
        const result = tsIpa('capture', '--frames', String(frames), '--size', '64x48', '--isolation', isolation, '--out', out);
        expect([result.status, result.signal, result.stderr]).toEqual([0, null, '']);
        expect(result.stdout).toMatch(new RegExp(`frames\\s+${frames}\\n`));
        expect(fs.readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(frames);
      });
    }
  }, 3 * HANG_MS);

  it('fails in one line with an exit code per cause: no such device, unsupported format, bad usage', () => {
    const missing = tsIpa('capture', '--camera', '/dev/media99');
    expect([missing.status, missing.stderr]).toEqual([3, 'ts-ipa capture: /dev/media99: cannot open (no such device)\n']);
    const format = tsIpa('capture', '--format', 'YUYV');
    expect([format.status, format.stderr]).toEqual([5, 'ts-ipa capture: --format YUYV: this camera gives BGR888 or RGB888\n']);
    const size = tsIpa('capture', '--size', 'large');
    expect([size.status, size.stderr]).toEqual([2, 'ts-ipa capture: --size large: give WIDTHxHEIGHT, e.g. 640x480\n']);
  });

  it('lists the simulated camera with its entities and formats', () => {
    const result = tsIpa('list');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0: VIMC MDEV (simulated) at simulated:/dev/media0  [SIMULATED: no vimc device on this machine]');
    expect(result.stdout).toMatch(/RGB\/YUV Capture\s+video node\s+simulated:\/dev\/video2/);
    expect(result.stdout).toMatch(/RGB3 {2}24-bit RGB 8-8-8\s+16x16\.\.4096x2160/);
  });
});
