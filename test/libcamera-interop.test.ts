import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './support';

/**
 * Real libcamera driving ts-ipa: the prebuilt C++ libcamera kit's `lc-ipa-driver` runs
 * libcamera's own generated isolated vimc proxy against a worker directory; there
 * `vimc_ipa_proxy` starts ts-ipa's worker host with ts-ipa's vimc IPA, as libcamera starts
 * its workers (`<worker> <module.so> <fd>`; the .so is libcamera's, so the IPA is named instead).
 */
const kitCandidates = [process.env.TS_IPA_LIBCAMERA_KIT, path.join(root, '../shared/libcamera'), '/work/shared/libcamera'].filter(Boolean) as string[];
const kit = kitCandidates.find((dir) => fs.existsSync(path.join(dir, 'bin/lc-ipa-driver')));

let workerDir: string;
/** Set in every worker's environment, to find any left running. */
const marker = `ts-ipa-interop-${process.pid}`;

beforeAll(() => {
  workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-lc-worker-'));
  const worker = path.join(workerDir, 'vimc_ipa_proxy');
  fs.writeFileSync(worker, `#!/bin/sh\nTS_IPA_INTEROP=${marker} exec "${process.execPath}" "${path.join(root, 'dist/runtime/worker/host.js')}" "${path.join(root, 'dist/platforms/vimc/ipa/index.js')}" "$2"\n`, { mode: 0o755 });
});

afterAll(() => fs.rmSync(workerDir, { recursive: true, force: true }));

/** Processes whose environment carries the marker. */
function markedProcesses(): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`TS_IPA_INTEROP=${marker}`);
    } catch {
      return false;
    }
  }).map(Number);
}

function driver(...args: string[]): { lines: Record<string, unknown>[]; stderr: string } {
  const run = spawnSync(path.join(kit!, 'bin/lc-ipa-driver'), args, { encoding: 'utf8', timeout: 120_000 });
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, stderr: `exit ${run.status ?? run.signal}\n${run.stdout}\n${run.stderr}` };
}

describe("libcamera's proxy driving ts-ipa's worker", () => {
  it('finds the libcamera kit', () => {
    expect(kit, `lc-ipa-driver not found in ${kitCandidates.join(', ')}: set TS_IPA_LIBCAMERA_KIT to the kit's directory`).toBeDefined();
  });

  for (const unmapped of [false, true]) {
    it(`runs libcamera's whole vimc sequence and answers as libcamera's vimc IPA does${unmapped ? ', computeParams on an unmapped buffer included' : ''}`, () => {
      const { lines, stderr } = driver('vimc-sequence', '--worker-dir', workerDir, ...(unmapped ? ['--unmapped'] : []));
      const summary = lines.find((l) => l.summary === 'vimc-sequence');
      // The driver checks every reply and event against what libcamera's own vimc IPA answers.
      expect(summary, stderr).toEqual({ summary: 'vimc-sequence', ok: true, failures: [] });
      const init = lines.find((l) => l.call === 'init')!;
      expect([init.reply, init.ret, init.outFlags]).toEqual([true, 0, 1]);
      expect(lines.filter((l) => l.event === 'paramsComputed').map((l) => [l.bufferId, l.flags])).toEqual([[1, 0]]);
      expect(markedProcesses()).toEqual([]);
    }, 150_000);
  }
});
