/**
 * An rkisp1 oracle trace replayed open loop through a proxy (any isolation, any worker): the
 * trace's setup, every call and teardown with its recorded inputs; the parameters buffer after
 * each computeParams, the events of each call (sensor controls exactly, metadata to 1e-6
 * relative) and the sync results compared with what libcamera's C++ IPA recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { IPARkISP1Interface } from '../../../dist/platforms/rkisp1/contract.js';
import { runtime, toHex } from '../../support';
import { expectedInfoMap, infoMapJson, infoMapOf, listJson, listOf, sensorInfoOf, type JsonValue } from './trace-values';

const { SharedFD, SharedMemory, FrameBufferPlane, ControlSerializer, ControlSerializerRole, Writer } = runtime;
export type RkISP1Proxy = runtime.IPAProxy<IPARkISP1Interface>;

/** Metadata values: integers exact, floats to 1e-6 relative (the trace holds libcamera's floats). */
function expectCloseList(actual: Record<string, unknown>, expected: Record<string, JsonValue>, where: string): void {
  expect(Object.keys(actual).sort(), where).toEqual(Object.keys(expected).sort());
  for (const [id, e] of Object.entries(expected)) {
    const got = actual[id];
    if (e.type === 'float') {
      const want = ([] as number[]).concat(e.value as number);
      const mine = ([] as number[]).concat(got as number);
      expect(mine.length, `${where} ${e.name}`).toBe(want.length);
      mine.forEach((m, i) => expect(Math.abs(m - want[i]!) <= 1e-6 * Math.max(Math.abs(want[i]!), 1e-30), `${where} ${e.name}[${i}]: ${m} vs ${want[i]}`).toBe(true));
    } else {
      expect(got, `${where} ${e.name}`).toEqual(e.value);
    }
  }
}

// ---- control packets, entry order aside ----

const ELEMENT_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8, 7: 4, 8: 1, 9: 16, 10: 8, 11: 8 };

/**
 * A serialized ControlList ({u32 infoSize, u32 listSize, [info map packet], list packet}) as its
 * list packet's header and its entries, sorted: libcamera's lists iterate in libstdc++
 * unordered_map order (not insertion order), which ts-ipa's Map does not reproduce.
 */
function listPacket(hex: string): { infoSize: number; header: number[]; entries: string[] } {
  const bytes = Buffer.from(hex, 'hex');
  const infoSize = bytes.readUInt32LE(0);
  const packet = bytes.subarray(8 + infoSize);
  const header = [0, 4, 8, 12, 16].map((o) => packet.readUInt32LE(o)); // version, handle, entries, size, data_offset
  const entries: string[] = [];
  for (let i = 0; i < header[2]!; i++) {
    const at = 32 + 20 * i; // ipa_control_value_entry: u32 id, u8 type, u8 is_array, u16 count, u32 offset, 8 reserved bytes
    const id = packet.readUInt32LE(at);
    const type = packet[at + 4]!;
    const count = packet.readUInt16LE(at + 6);
    const offset = packet.readUInt32LE(at + 8);
    const value = packet.subarray(header[4]! + offset, header[4]! + offset + count * ELEMENT_BYTES[type]!).toString('hex');
    entries.push(`${id}:${type}:${packet[at + 5]}:${count}:${value}`);
  }
  return { infoSize, header, entries: entries.sort() };
}

function sameListPacket(a: string, b: string): boolean {
  const [x, y] = [listPacket(a), listPacket(b)];
  return x.infoSize === y.infoSize && JSON.stringify(x.header) === JSON.stringify(y.header) && JSON.stringify(x.entries) === JSON.stringify(y.entries);
}

// ---- replay ----

interface Recorded { event: string; args: Record<string, unknown> }

async function waitFor(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface Mismatches { params: string[]; sensorControls: string[]; metadata: string[]; inexactFloats: string[]; wire: string[] }

/** What the IPA gave, call by call: init's and configure's results, each computeParams' buffer, each event's values. */
export interface Outputs { setup: unknown[]; params: string[]; events: { event: string; frame: unknown; value: unknown }[] }

export interface Replayed { counts: Record<string, number>; mismatches: Mismatches; outputs: Outputs }

export function readTrace(dir: string, file: string): any {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

export interface ReplayOptions {
  /** The IPA's event lists are its own (direct mode): encode them as an isolated IPA's worker would and compare them with the recorded event bytes. */
  handsOverLists?: boolean;
  /** The inputs are the trace's changed, so only the mismatches say how the outputs differ from the recorded ones: the sync results and event sizes are not checked. */
  changedInputs?: boolean;
}

/**
 * Replays `trace` through `ipa` (closed at the end, whatever happens), giving init
 * `configurationFile` for the tuning the trace names.
 */
export async function replayTrace(trace: any, ipa: RkISP1Proxy, configurationFile: string, { handsOverLists = false, changedInputs = false }: ReplayOptions = {}): Promise<Replayed> {
  const events: Recorded[] = [];
  ipa.on('paramsComputed', (frame, bytesused) => events.push({ event: 'paramsComputed', args: { frame, bytesused } }));
  ipa.on('setSensorControls', (frame, sensorControls) => events.push({ event: 'setSensorControls', args: { frame, sensorControls } }));
  ipa.on('metadataReady', (frame, metadata) => events.push({ event: 'metadataReady', args: { frame, metadata } }));

  const memories = new Map<number, runtime.SharedMemory>();
  const mismatches: Mismatches = { params: [], sensorControls: [], metadata: [], inexactFloats: [], wire: [] };
  const outputs: Outputs = { setup: [], params: [], events: [] };
  // The worker's ControlSerializer numbers its packets 2, 4, … from configure; sizes, packet
  // headers (handles), entries and values are compared, entry order aside.
  const worker = new ControlSerializer(ControlSerializerRole.Worker);
  const encodeList = (list: runtime.ControlList): string => {
    const w = new Writer(worker);
    w.controlList(list, 'list');
    return toHex(w.result().data);
  };
  const counts = { params: 0, sensorControls: 0, metadata: 0 };
  try {
    const { setup, teardown } = trace;
    const init = setup.init.args;
    const initResult = await ipa.init({ ...init.settings, configurationFile }, init.hwRevision, init.supportedBlocks, sensorInfoOf(init.sensorInfo), infoMapOf(init.sensorControls));
    outputs.setup.push(initResult.ret, infoMapJson(initResult.ipaControls));
    if (!changedInputs) {
      expect(initResult.ret).toBe(setup.init.result.ret);
      expect(infoMapJson(initResult.ipaControls)).toEqual(expectedInfoMap(setup.init.result.ipaControls));
    }

    const cfg = setup.configure.args;
    const sensorMap = infoMapOf(cfg.configInfo.sensorControls);
    // processStats' lists are the sensor device's, whose map is not the copy configure sent: the
    // first one carries it inline, as libcamera's pipeline handler's does.
    const deviceMap = infoMapOf(cfg.configInfo.sensorControls);
    const streams = new Map(Object.entries(cfg.streamConfig as Record<string, { pixelFormat: number; size: { width: number; height: number } }>).map(([k, s]) => [Number(k), { pixelFormat: s.pixelFormat, size: s.size }]));
    const configured = await ipa.configure({ sensorInfo: sensorInfoOf(cfg.configInfo.sensorInfo), sensorControls: sensorMap, paramFormat: cfg.configInfo.paramFormat }, streams as never);
    outputs.setup.push(configured.ret, infoMapJson(configured.ipaControls));
    if (!changedInputs) {
      expect(configured.ret).toBe(setup.configure.result.ret);
      expect(infoMapJson(configured.ipaControls)).toEqual(expectedInfoMap(setup.configure.result.ipaControls));
    }
    if (handsOverLists) {
      worker.reset();
      new Writer(worker).controlInfoMap(configured.ipaControls, 'ipaControls'); // handle 2
    }

    for (const b of setup.mapBuffers.args.buffers) {
      const length = b.planes[0].length;
      memories.set(b.id, SharedMemory.create(`rkisp1-${b.id}`, length));
    }
    await ipa.mapBuffers(setup.mapBuffers.args.buffers.map((b: { id: number; planes: { offset: number; length: number }[] }) => ({
      id: b.id, planes: b.planes.map((p) => new FrameBufferPlane(new SharedFD(memories.get(b.id)!.fd), p.offset, p.length)),
    })));
    expect(await ipa.start()).toBe(setup.start.result.ret);

    for (const call of trace.calls) {
      const before = events.length;
      const a = call.args;
      if (call.call === 'queueRequest') ipa.queueRequest(a.frame, listOf(a.reqControls));
      else if (call.call === 'computeParams') ipa.computeParams(a.frame, a.bufferId);
      else if (call.call === 'processStats') {
        const bytes = Buffer.from(call.stats.hex, 'hex');
        new Uint8Array(memories.get(call.stats.bufferId ?? a.bufferId)!.map()).set(bytes);
        ipa.processStats(a.frame, a.bufferId, listOf(a.sensorControls, deviceMap));
      } else throw new Error(`unknown call ${call.call}`);
      await waitFor(() => events.length >= before + call.events.length, `the events of ${call.call}(${call.frame})`);
      const mine = events.slice(before);
      expect(mine.map((e) => e.event), `${call.call}(${call.frame}) events`).toEqual(call.events.map((e: Recorded) => e.event));
      call.events.forEach((e: Recorded, i: number) => {
        const got = mine[i]!;
        expect(got.args['frame'], `${e.event}(${call.frame}) frame`).toBe(e.args['frame']);
        const list = got.args['sensorControls'] ?? got.args['metadata'];
        outputs.events.push({ event: e.event, frame: got.args['frame'], value: list ? listJson(list as runtime.ControlList) : got.args['bytesused'] });
        if (e.event === 'paramsComputed' && !changedInputs) expect(got.args['bytesused'], `paramsComputed(${call.frame}) bytesused`).toBe(e.args['bytesused']);
        if (e.event === 'setSensorControls') {
          counts.sensorControls++;
          const want = Object.fromEntries(Object.entries(e.args['sensorControls'] as Record<string, JsonValue>).map(([id, v]) => [id, v.value]));
          const have = listJson(got.args['sensorControls'] as runtime.ControlList);
          if (JSON.stringify(have) !== JSON.stringify(want)) mismatches.sensorControls.push(`frame ${call.frame}: ${JSON.stringify(have)} vs ${JSON.stringify(want)}`);
          if (handsOverLists) {
            const bytes = encodeList(got.args['sensorControls'] as runtime.ControlList);
            const recorded = (e as unknown as { wire: { data: string } }).wire.data.slice(24); // after {size, size, frame}
            if (!sameListPacket(bytes, recorded)) mismatches.wire.push(`setSensorControls(${call.frame}): ${bytes} vs ${recorded}`);
          }
        }
        if (e.event === 'metadataReady') {
          counts.metadata++;
          try {
            expectCloseList(listJson(got.args['metadata'] as runtime.ControlList), e.args['metadata'] as Record<string, JsonValue>, `metadata(${call.frame})`);
          } catch (error) {
            mismatches.metadata.push((error as Error).message.split('\n')[0]!);
          }
          const have = listJson(got.args['metadata'] as runtime.ControlList);
          if (handsOverLists) {
            const bytes = encodeList(got.args['metadata'] as runtime.ControlList);
            const recorded = (e as unknown as { wire: { data: string } }).wire.data.slice(24);
            if (!sameListPacket(bytes, recorded)) mismatches.wire.push(`metadataReady(${call.frame}): ${bytes} vs ${recorded}`);
          }
          for (const [id, v] of Object.entries(e.args['metadata'] as Record<string, JsonValue>)) {
            if (v.type !== 'float') continue;
            const mine = ([] as number[]).concat(have[id] as number).map((x) => Math.fround(x));
            if (JSON.stringify(mine) !== JSON.stringify(([] as number[]).concat(v.value as number))) mismatches.inexactFloats.push(`frame ${call.frame} ${v.name}: ${mine} vs ${v.value}`);
          }
        }
      });
      if (call.call === 'computeParams') {
        counts.params++;
        const bytesused = mine.find((e) => e.event === 'paramsComputed')!.args['bytesused'] as number;
        const bytes = new Uint8Array(memories.get(call.params.bufferId)!.map(0, bytesused));
        const hex = toHex(bytes);
        outputs.params.push(hex);
        if (hex !== call.params.hex) mismatches.params.push(`frame ${call.frame}: ${hex} vs ${call.params.hex}`);
      }
    }

    await ipa.stop();
    await ipa.unmapBuffers(teardown.unmapBuffers.args.ids);
  } finally {
    await ipa.close();
    for (const memory of memories.values()) memory.close();
  }
  return { counts, mismatches, outputs };
}

/** Every one of the trace's 80 frames reproduced: parameters, sensor controls, metadata. */
export function expectReproduced({ counts, mismatches }: Replayed): void {
  expect(counts.params).toBe(80);
  expect(counts.sensorControls).toBe(80);
  expect(counts.metadata).toBe(80);
  expect(mismatches.params.slice(0, 3), 'parameters buffers').toEqual([]);
  expect(mismatches.sensorControls.slice(0, 3), 'sensor controls').toEqual([]);
  expect(mismatches.metadata.slice(0, 3), 'metadata').toEqual([]);
  // Closer than the 1e-6 asked: every float is libcamera's float, bit for bit.
  expect(mismatches.inexactFloats.slice(0, 3), 'metadata floats').toEqual([]);
  expect(mismatches.wire.slice(0, 2), 'event lists as the worker would encode them').toEqual([]);
}
