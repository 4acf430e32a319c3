/**
 * The rkisp1 IPA in a closed loop driven from an oracle trace, timing each computeParams and
 * processStats. The trace's setup calls start it (its tuning, sensor, buffers); then, as the
 * trace's pipeline schedules them, four requests in flight: processStats(f), queueRequest(f + 4),
 * computeParams(f + 4). The sensor controls the IPA sets in processStats(f) are in effect from
 * frame f + 3 (the trace's pipeline), and frame f's statistics are, of the buffers the trace
 * recorded, the one recorded at the exposure and gain in effect for f (the latest such), or at the
 * nearest exposure × gain: statistics consistent with what the IPA set, all of them libcamera's
 * simulated ISP's, for as many frames as asked.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ControlList, type ControlInfoMap, ControlValue, controlIds, createProxy, FrameBufferPlane, type IPABuffer, SharedFD, SharedMemory,
} from '../runtime';
import { IPARkISP1Interface } from '../platforms/rkisp1/contract';
import { RkISP1IPA, V4L2_CID_ANALOGUE_GAIN, V4L2_CID_EXPOSURE, V4L2_CID_VBLANK } from '../platforms/rkisp1/ipa/rkisp1-ipa';
import { sensorInfoMapOf, sensorInfoOf, type TraceInfo } from './oracle-trace';

/** processStats(f)'s sensor controls take effect at frame f + 3 (the trace's pipeline). */
const CONTROL_DELAY = 3;
const IN_FLIGHT = 4;
const FRAME_ID_OFFSET = 4;
const MODULE = path.join(__dirname, '../platforms/rkisp1/ipa/index.js');

/** What a trace holds that the loop reads (README "Top level"). */
interface Trace {
  tuning: { file: string; text: string };
  setup: {
    init: { args: { settings: { sensorModel: string }; hwRevision: number; supportedBlocks: number; sensorInfo: Record<string, unknown>; sensorControls: Record<string, TraceInfo> } };
    configure: { args: { configInfo: { sensorInfo: Record<string, unknown>; sensorControls: Record<string, TraceInfo>; paramFormat: number }; streamConfig: Record<string, { pixelFormat: number; size: { width: number; height: number } }> } };
    mapBuffers: { args: { buffers: { id: number; planes: { offset: number; length: number }[] }[] } };
  };
  pipeline: { paramBuffers: number[]; statBuffers: number[] };
  calls: { call: string; frame: number; stats?: { hex: string }; sim?: { exposureLines: number; gainCode: number } }[];
}

/** A sensor state: exposure lines, analogue gain code and vertical blanking. */
interface Sensor { exposure: number; gain: number; vblank: number }

export interface LoopResult {
  /** Per call, in µs, the first `drop` left out. */
  computeParams: Float64Array;
  processStats: Float64Array;
  /** The sensor controls the IPA set last. */
  settled: Sensor;
}

/** The IPA as the loop drives it: the call, and what is still to wait for until its event. */
interface Driver {
  init(...args: Parameters<RkISP1IPA['init']>): unknown;
  configure(...args: Parameters<RkISP1IPA['configure']>): unknown;
  mapBuffers(buffers: IPABuffer[]): unknown;
  start(): unknown;
  queueRequest(frame: number, list: ControlList): void;
  computeParams(frame: number, bufferId: number): Promise<void> | undefined;
  processStats(frame: number, bufferId: number, list: ControlList): Promise<void> | undefined;
  close(): Promise<void>;
}

type SensorSink = (list: ControlList) => void;

/** The IPA class itself, in this thread, its events plain callbacks: as libcamera's in-process IPA. */
function inProcess(onSensor: SensorSink): Driver {
  const ipa = new RkISP1IPA({ paramsComputed: () => {}, setSensorControls: (_frame, list) => onSensor(list), metadataReady: () => {} });
  return {
    init: (...args) => ipa.init(...args),
    configure: (...args) => ipa.configure(...args),
    mapBuffers: (buffers) => ipa.mapBuffers(buffers),
    start: () => ipa.start(),
    queueRequest: (frame, list) => ipa.queueRequest(frame, list),
    computeParams: (frame, id) => void ipa.computeParams(frame, id),
    processStats: (frame, id, list) => void ipa.processStats(frame, id, list),
    close: async () => {},
  };
}

/** The shipped module through createProxy in direct isolation: a call timed until its event arrives. */
async function throughProxy(onSensor: SensorSink): Promise<Driver> {
  const proxy = await createProxy(IPARkISP1Interface, { module: MODULE, isolation: 'direct' });
  let paramsArrived: (() => void) | undefined;
  let metadataArrived: (() => void) | undefined;
  proxy.on('paramsComputed', () => paramsArrived?.());
  proxy.on('setSensorControls', (_frame, list) => onSensor(list));
  proxy.on('metadataReady', () => metadataArrived?.());
  return {
    init: (...args) => proxy.init(...args),
    configure: (...args) => proxy.configure(...args),
    mapBuffers: (buffers) => proxy.mapBuffers(buffers),
    start: () => proxy.start(),
    queueRequest: (frame, list) => proxy.queueRequest(frame, list),
    computeParams: (frame, id) => new Promise<void>((resolve) => {
      paramsArrived = resolve;
      proxy.computeParams(frame, id);
    }),
    processStats: (frame, id, list) => new Promise<void>((resolve) => {
      metadataArrived = resolve;
      proxy.processStats(frame, id, list);
    }),
    close: () => proxy.close(),
  };
}

/** The trace's recorded statistics buffers, by the sensor state each was recorded at. */
class RecordedStats {
  private readonly exact = new Map<string, Uint8Array>();
  private readonly byExposureValue: { ev: number; bytes: Uint8Array }[] = [];

  constructor(trace: Trace) {
    for (const call of trace.calls) {
      if (call.call !== 'processStats' || !call.stats || !call.sim) continue;
      const bytes = Uint8Array.from(Buffer.from(call.stats.hex, 'hex'));
      this.exact.set(`${call.sim.exposureLines}:${call.sim.gainCode}`, bytes);
      this.byExposureValue.push({ ev: exposureValue(call.sim.exposureLines, call.sim.gainCode), bytes });
    }
    if (this.byExposureValue.length === 0) throw new Error('the trace records no processStats statistics');
  }

  at(sensor: Sensor): Uint8Array {
    const exact = this.exact.get(`${sensor.exposure}:${sensor.gain}`);
    if (exact) return exact;
    const ev = exposureValue(sensor.exposure, sensor.gain);
    let best = this.byExposureValue[0]!;
    for (const r of this.byExposureValue) if (Math.abs(r.ev - ev) <= Math.abs(best.ev - ev)) best = r;
    return best.bytes;
  }
}

/** Exposure × gain, the imx219's analogue gain being 256 / (256 - code). */
function exposureValue(lines: number, gainCode: number): number {
  return (lines * 256) / (256 - gainCode);
}

const now = (): number => performance.now() * 1000;

/**
 * `frames` frames of `trace` through the IPA (`mode`: the class in this thread, or the module
 * through createProxy's direct isolation), each computeParams and processStats timed, the first
 * `drop` of each left out.
 */
export async function closedLoop(trace: Trace, mode: 'in-process' | 'proxy', frames: number, drop: number): Promise<LoopResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-bench-rkisp1-'));
  const tuningFile = path.join(tmp, trace.tuning.file);
  fs.writeFileSync(tuningFile, trace.tuning.text);
  const memories = new Map<number, SharedMemory>();
  const recorded = new RecordedStats(trace);
  const { init, configure, mapBuffers } = trace.setup;
  const sensorMap = sensorInfoMapOf(configure.args.configInfo.sensorControls);
  const defaults = sensorDefaults(sensorMap);
  // inEffect[f]: the sensor state frame f is taken with.
  const inEffect: Sensor[] = [];
  let current = -1;
  let settled = defaults;
  const onSensor: SensorSink = (list) => {
    settled = {
      exposure: Number(list.getValue(V4L2_CID_EXPOSURE)?.value ?? settled.exposure),
      gain: Number(list.getValue(V4L2_CID_ANALOGUE_GAIN)?.value ?? settled.gain),
      vblank: Number(list.getValue(V4L2_CID_VBLANK)?.value ?? settled.vblank),
    };
    inEffect[current + CONTROL_DELAY] = settled;
  };
  const ipa = mode === 'in-process' ? inProcess(onSensor) : await throughProxy(onSensor);
  const computeParams = new Float64Array(frames);
  const processStats = new Float64Array(frames);
  try {
    const a = init.args;
    await ipa.init({ configurationFile: tuningFile, sensorModel: a.settings.sensorModel }, a.hwRevision, a.supportedBlocks, sensorInfoOf(a.sensorInfo), sensorInfoMapOf(a.sensorControls));
    const c = configure.args;
    const streams = new Map(Object.entries(c.streamConfig).map(([key, s]) => [Number(key), { pixelFormat: s.pixelFormat, size: s.size }]));
    await ipa.configure({ sensorInfo: sensorInfoOf(c.configInfo.sensorInfo), sensorControls: sensorMap, paramFormat: c.configInfo.paramFormat }, streams);
    for (const b of mapBuffers.args.buffers) memories.set(b.id, SharedMemory.create(`bench-rkisp1-${b.id}`, b.planes[0]!.length));
    await ipa.mapBuffers(mapBuffers.args.buffers.map((b) => ({
      id: b.id, planes: b.planes.map((p) => new FrameBufferPlane(new SharedFD(memories.get(b.id)!.fd), p.offset, p.length)),
    })));
    await ipa.start();
    const statsMaps = trace.pipeline.statBuffers.map((id) => ({ id, bytes: new Uint8Array(memories.get(id)!.map()) }));
    const paramsId = (frame: number) => trace.pipeline.paramBuffers[frame % trace.pipeline.paramBuffers.length]!;
    const request = async (frame: number): Promise<number> => {
      ipa.queueRequest(frame, new ControlList(controlIds));
      const t0 = now();
      const pending = ipa.computeParams(frame, paramsId(frame));
      if (pending) await pending;
      return now() - t0;
    };
    for (let f = 0; f < IN_FLIGHT; f++) await request(f);
    let sensor = defaults;
    for (let f = 0; f < frames; f++) {
      sensor = inEffect[f] ?? sensor;
      const stats = statsMaps[f % statsMaps.length]!;
      stats.bytes.set(recorded.at(sensor));
      new DataView(stats.bytes.buffer, stats.bytes.byteOffset).setUint32(FRAME_ID_OFFSET, f, true);
      const list = new ControlList(sensorMap)
        .setValue(V4L2_CID_EXPOSURE, ControlValue.i32(sensor.exposure))
        .setValue(V4L2_CID_VBLANK, ControlValue.i32(sensor.vblank))
        .setValue(V4L2_CID_ANALOGUE_GAIN, ControlValue.i32(sensor.gain));
      current = f;
      const t0 = now();
      const pending = ipa.processStats(f, stats.id, list);
      if (pending) await pending;
      processStats[f] = now() - t0;
      computeParams[f] = await request(f + IN_FLIGHT);
    }
  } finally {
    await ipa.close();
    for (const memory of memories.values()) memory.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { computeParams: computeParams.subarray(drop), processStats: processStats.subarray(drop), settled };
}

function sensorDefaults(map: ControlInfoMap): Sensor {
  const def = (id: number) => Number(map.get(id)?.def.value ?? 0);
  return { exposure: def(V4L2_CID_EXPOSURE), gain: def(V4L2_CID_ANALOGUE_GAIN), vblank: def(V4L2_CID_VBLANK) };
}

/** The back-to-back cost of the clock the loop reads, in µs. */
export function clockCost(samples: number): Float64Array {
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t0 = now();
    out[i] = now() - t0;
  }
  return out;
}

export type { Trace };
