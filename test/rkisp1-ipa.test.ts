/**
 * The rkisp1 IPA (platforms/rkisp1/ipa) against the oracle traces recorded from libcamera's C++
 * rkisp1 IPA: each trace's setup, every call and teardown replayed open loop, in direct, thread
 * and process isolation; the parameters buffer after each computeParams, the events of each call
 * (sensor controls exactly, metadata to 1e-6 relative) and the sync results compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { IPARkISP1Interface } from '../dist/platforms/rkisp1/contract.js';
import { itFindsTheTraces, oracleDir } from './oracle';
import { root, runtime } from './support';
import { expectReproduced, readTrace, replayTrace, type Replayed } from './platforms/rkisp1/replay';

const { createProxy } = runtime;

const TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];
const dir = oracleDir(TRACES) ?? '';
const traces = dir ? TRACES : [];
itFindsTheTraces(TRACES);

const MODULE = path.join(root, 'dist/platforms/rkisp1/ipa/index.js');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-ipa-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function replay(file: string, isolation: runtime.Isolation): Promise<Replayed> {
  const trace = readTrace(dir, file);
  const tuningDir = fs.mkdtempSync(path.join(tmp, `${isolation}-`));
  const tuningFile = path.join(tuningDir, trace.tuning.file);
  fs.writeFileSync(tuningFile, trace.tuning.text);
  const ipa = await createProxy(IPARkISP1Interface, {
    module: MODULE, isolation, timeoutMs: 30_000,
    ...(isolation === 'process' ? { sandbox: { allowRead: [tuningFile] } } : {}),
  });
  return replayTrace(trace, ipa, tuningFile, { handsOverLists: isolation === 'direct' });
}

for (const isolation of ['direct', 'thread', 'process'] as const) {
  describe.skipIf(traces.length === 0)(`the rkisp1 IPA replays libcamera's traces, isolation '${isolation}'`, () => {
    for (const file of traces) {
      it(`reproduces ${file}: parameters, sensor controls, metadata`, async () => {
        expectReproduced(await replay(file, isolation));
      }, 120_000);
    }
  });
}
