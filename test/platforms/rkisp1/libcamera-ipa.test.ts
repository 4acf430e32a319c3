/**
 * ts-ipa's rkisp1 proxy driving libcamera's own C++ rkisp1 IPA (the kit's `ipa_rkisp1.so`) in
 * libcamera's own worker (`rkisp1_ipa_proxy`), `peer: 'libcamera'`: both oracle traces replayed
 * open loop give the recorded parameters buffers, sensor controls and metadata. The contract's
 * methods, structs and control packets are therefore libcamera's on the wire. Beside it, ts-ipa's
 * rkisp1 IPA in ts-ipa's worker host, driven the same way, gives the same for every call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPARkISP1Interface } from '../../../dist/platforms/rkisp1/contract.js';
import { kit, kitMissing, processesMarked } from '../../libcamera-kit';
import { itFindsTheTraces, oracleDir } from '../../oracle';
import { openFds, root, runtime } from '../../support';
import { expectReproduced, readTrace, replayTrace, type Replayed } from './replay';

const { createProxy } = runtime;

const TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];
const dir = oracleDir(TRACES);
itFindsTheTraces(TRACES);

/** Set in every worker's environment, to find any left running. */
const marker = `ts-ipa-rkisp1-interop-${process.pid}`;
// libcamera's IPA logs the gaps of uncalibrated.yaml (no metering modes, no colour gains) as errors.
const workerEnv = ['/usr/bin/env', `TS_IPA_INTEROP=${marker}`, 'LIBCAMERA_LOG_LEVELS=*:FATAL'] as const;

/** The trace through libcamera's worker protocol: `module` loaded by the worker `workerCommand` starts. */
async function replayThroughLibcameraWorker(file: string, module: string, workerCommand: readonly [string, ...string[]]): Promise<Replayed> {
  const trace = readTrace(dir!, file);
  // The tuning file the trace names is the kit's own: the same text (checked below).
  const configurationFile = path.join(kit!, 'ipa/data/rkisp1', trace.tuning.file);
  const ipa = await createProxy(IPARkISP1Interface, { module, peer: 'libcamera', workerCommand, timeoutMs: 30_000 });
  return replayTrace(trace, ipa, configurationFile);
}

describe("ts-ipa's rkisp1 proxy driving libcamera's C++ rkisp1 IPA in libcamera's worker", () => {
  it('finds the libcamera kit', () => {
    expect(kit, kitMissing).toBeDefined();
  });

  for (const file of dir && kit ? TRACES : []) {
    it(`replays ${file}: libcamera's IPA gives every recorded parameters buffer, sensor control and metadata value; ts-ipa's IPA gives the same`, async () => {
      const trace = readTrace(dir!, file);
      expect(trace.tuning.text).toBe(fs.readFileSync(path.join(kit!, 'ipa/data/rkisp1', trace.tuning.file), 'utf8'));
      const fdsBefore = openFds();
      const libcameras = await replayThroughLibcameraWorker(file, path.join(kit!, 'ipa/ipa_rkisp1.so'), [...workerEnv, path.join(kit!, 'bin/rkisp1_ipa_proxy')]);
      expectReproduced(libcameras);
      const ours = await replayThroughLibcameraWorker(file, path.join(root, 'dist/platforms/rkisp1/ipa/index.js'), [...workerEnv, process.execPath, path.join(root, 'dist/runtime/worker/host.js')]);
      expectReproduced(ours);
      expect(ours.outputs.params).toEqual(libcameras.outputs.params);
      expect(ours.outputs.events).toEqual(libcameras.outputs.events);
      expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
      expect(openFds()).toBe(fdsBefore);
    }, 180_000);
  }
});
