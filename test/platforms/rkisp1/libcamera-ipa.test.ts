/**
 * ts-ipa's rkisp1 proxy driving libcamera's own C++ rkisp1 IPA (the kit's `ipa_rkisp1.so`) in
 * libcamera's own worker (`rkisp1_ipa_proxy`), `peer: 'libcamera'`: both oracle traces replayed
 * open loop give the recorded parameters buffers, sensor controls and metadata, and every message
 * either way is the recorded one (control packets' entry order aside): the contract's methods,
 * structs and control packets are libcamera's on the wire. Beside it, ts-ipa's rkisp1 IPA in
 * ts-ipa's worker host, driven the same way, gives the same for every call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IPARkISP1Interface } from '../../../dist/platforms/rkisp1/contract.js';
import { entryOrderFree, kit, kitMissing, processesMarked, tapWire, type WireMessage } from '../../libcamera-kit';
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

/** A message of the trace as the tap records it: {u32 cmd, u32 cookie} then its data. */
interface TraceWire { cmd: number; cookie: number; data: string; fds: number }
function wireMessage(dir: WireMessage['dir'], w: TraceWire): WireMessage {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(w.cmd, 0);
  head.writeUInt32LE(w.cookie, 4);
  return { dir, hex: head.toString('hex') + w.data, fds: w.fds };
}

/** The trace's messages, each direction in order: the proxy's requests; the worker's replies and events. */
function traceWire(trace: any): WireMessage[] {
  const { setup, calls, teardown } = trace;
  const synchronous = [setup.init, setup.configure, setup.mapBuffers, setup.start];
  return [
    ...[...synchronous, ...calls, teardown.stop, teardown.unmapBuffers].map((c) => wireMessage('pipeline->ipa', c.wire.request)),
    ...synchronous.map((c) => wireMessage('ipa->pipeline', c.wire.reply)),
    ...calls.flatMap((c: { events: { wire: TraceWire }[] }) => c.events.map((e) => wireMessage('ipa->pipeline', e.wire))),
    ...[teardown.stop, teardown.unmapBuffers].map((c) => wireMessage('ipa->pipeline', c.wire.reply)),
  ];
}

const compared = (m: WireMessage): string => `${m.dir} fds ${m.fds}: ${entryOrderFree(m.hex)}`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-libcamera-ipa-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

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

    it(`sends every message of ${file} as libcamera's proxy sent it, and libcamera's worker answers each as recorded, byte for byte (entry order aside)`, async () => {
      const trace = readTrace(dir!, file);
      const fdsBefore = openFds();
      const log = path.join(tmp, `${file}.jsonl`);
      fs.rmSync(log, { force: true });
      // The tap records the wire and starts the worker in the kit's rkisp1 data directory, where
      // the tuning file's name as the trace gives it (relative) opens.
      const tap = path.join(root, 'test/fixtures/wire-tap.js');
      const workerCommand = [...workerEnv, process.execPath, tap, log, path.join(kit!, 'ipa/data/rkisp1'), path.join(kit!, 'bin/rkisp1_ipa_proxy')] as const;
      const ipa = await createProxy(IPARkISP1Interface, { module: path.join(kit!, 'ipa/ipa_rkisp1.so'), peer: 'libcamera', workerCommand, timeoutMs: 30_000 });
      expectReproduced(await replayTrace(trace, ipa, trace.tuning.file));
      const recorded = tapWire(log);
      // The proxy ends the session with libcamera's Exit (cmd 0, the next cookie), which the trace leaves out.
      expect(recorded.at(-1)).toEqual(wireMessage('pipeline->ipa', { cmd: 0, cookie: trace.teardown.unmapBuffers.cookie + 1, data: '', fds: 0 }));
      const expected = traceWire(trace);
      for (const direction of ['pipeline->ipa', 'ipa->pipeline'] as const) {
        const mine = recorded.slice(0, -1).filter((m) => m.dir === direction).map(compared);
        const theirs = expected.filter((m) => m.dir === direction).map(compared);
        expect(mine.length, direction).toBe(theirs.length);
        expect(mine.filter((m, i) => m !== theirs[i]).slice(0, 2), direction).toEqual([]);
      }
      expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
      expect(openFds()).toBe(fdsBefore);
    }, 180_000);
  }
});

/**
 * The a-neutral trace's inputs with init told of the sensor in another mode than the one
 * configured (imx219's full 3280x2464 mode, as a sensor opened before any configuration is):
 * the outputs are no longer the recorded ones, but libcamera's IPA and ts-ipa's must still agree.
 */
function initInAnotherMode(trace: any): any {
  const changed = structuredClone(trace);
  const info = changed.setup.init.args.sensorInfo;
  Object.assign(info, { outputSize: { width: 3280, height: 2464 }, analogCrop: { x: 0, y: 0, width: 3280, height: 2464 }, minFrameLength: 2504, maxFrameLength: 0xffff });
  return changed;
}

describe("ts-ipa's rkisp1 IPA beside libcamera's, on inputs no trace recorded", () => {
  it.skipIf(!dir || !kit)('init told of another sensor mode than configure: both IPAs give the same parameters, sensor controls and metadata, call for call', async () => {
    const trace = initInAnotherMode(readTrace(dir!, TRACES[0]!));
    const fdsBefore = openFds();
    const configurationFile = path.join(kit!, 'ipa/data/rkisp1', trace.tuning.file);
    const run = async (module: string, workerCommand: readonly [string, ...string[]]): Promise<Replayed> =>
      replayTrace(trace, await createProxy(IPARkISP1Interface, { module, peer: 'libcamera', workerCommand, timeoutMs: 30_000 }), configurationFile, { changedInputs: true });
    const libcameras = await run(path.join(kit!, 'ipa/ipa_rkisp1.so'), [...workerEnv, path.join(kit!, 'bin/rkisp1_ipa_proxy')]);
    const ours = await run(path.join(root, 'dist/platforms/rkisp1/ipa/index.js'), [...workerEnv, process.execPath, path.join(root, 'dist/runtime/worker/host.js')]);
    // The change reaches the outputs: this is not the recorded run.
    expect(libcameras.mismatches.sensorControls.length).toBeGreaterThan(0);
    expect(ours.outputs.setup).toEqual(libcameras.outputs.setup);
    expect(ours.outputs.params).toEqual(libcameras.outputs.params);
    expect(ours.outputs.events).toEqual(libcameras.outputs.events);
    expect(processesMarked('TS_IPA_INTEROP', marker)).toEqual([]);
    expect(openFds()).toBe(fdsBefore);
  }, 180_000);
});
