/**
 * Hostile IPAs that attack the pipeline handler through what they send back: greetings, replies,
 * events and farewells that do not decode, fds attached to anything, floods of garbage, control
 * packets built to grow the handler's memory, and a worker that stops reading. Each attack runs
 * as an unsigned module through the real IPAManager, in a process under the default sandbox,
 * and must fail visibly (a typed error, a protocolError, the worker ended as broken) while the
 * handler stays alive, responsive and no bigger than before.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runtime } from '../support';
import { baseline, collectGarbage, expectUnharmed, managerFor, paths, RAW_FRAMING, scratch, vimcModule, writeModule, type Baseline } from './harness';

const {
  ContractError, ControlInfoMap, ControlList, DeserializeError, IPACrashedError, IPATimeoutError, SharedFD, SystemError,
  controlIds, propertyIds,
} = runtime;
const { IPAVimcInterface } = require(paths.vimcContract) as typeof import('../../dist/platforms/vimc/contract.js');
const rkisp1Contract = path.join(paths.vimcContract, '../../rkisp1/contract.js');
const { IPARkISP1Interface } = require(rkisp1Contract) as typeof import('../../dist/platforms/rkisp1/contract.js');

const work = scratch('protocol');
afterAll(() => work.cleanup());

/** A manager that finds only this attack's module. */
function attack(name: string, entry: string, pipeline = 'vimc'): runtime.IPAManager {
  const moduleRoot = path.join(work.dir, name);
  writeModule(moduleRoot, name, { entry, pipeline });
  return managerFor(moduleRoot);
}

/** 200 duplicates of the worker's stderr: fds the kernel installs in the handler's process. */
const FDS = 'Array(200).fill(2)';
const settings = { configurationFile: '', sensorModel: 'x' };

// Anything that reaches the process's last-resort handlers is an attack that worked.
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};
beforeEach(() => {
  escaped.length = 0;
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterEach(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  expect(escaped, 'exceptions that escaped to the process').toEqual([]);
});

/** Protocol warnings (process.emitWarning, code TS_IPA_PROTOCOL) until stop(). */
function protocolWarnings(): { messages: string[]; stop(): void } {
  const messages: string[] = [];
  const on = (warning: Error & { code?: string }): void => {
    if (warning.code === 'TS_IPA_PROTOCOL') messages.push(warning.message);
  };
  process.on('warning', on);
  return { messages, stop: () => process.off('warning', on) };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the heap kept since `before`, MiB, after a full collection (logged for the record). */
function heapKeptMb(before: Baseline, what: string): number {
  collectGarbage();
  const kept = (process.memoryUsage().heapUsed - before.heapBytes) / 2 ** 20;
  console.log(`${what}: heap ${kept >= 0 ? '+' : ''}${kept.toFixed(1)} MiB`);
  return kept;
}

describe('one message must not kill the pipeline handler', () => {
  it('a greeting whose hash is not UTF-8 (with 200 fds) is refused with a ContractError naming it; the worker is ended', async () => {
    const manager = attack('bad-utf8-greeting', vimcModule({
      prelude: `${RAW_FRAMING}\nsendFramed(frame(0, 0, [0xc3, 0x28, 0xff, 0xfe]), ${FDS});`,
    }));
    const before = baseline();
    const refused = manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
    await expect(refused).rejects.toThrow(ContractError);
    await expect(refused).rejects.toThrow("the IPA worker's greeting does not decode: cannot decode hello: the string is not valid UTF-8");
    await expectUnharmed(before);
  });

  it('a greeting with the right hash but fds attached is refused too', async () => {
    const manager = attack('fd-greeting', vimcModule({
      prelude: `${RAW_FRAMING}
const hash = require(${JSON.stringify(paths.runtime)}).contractCodec(IPAVimcInterface).model.hash;
sendFramed(frame(0, 0, Buffer.from(hash)), ${FDS});`,
    }));
    const before = baseline();
    await expect(manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' })).rejects.toThrow(/greeting does not decode: .*200 unexpected trailing fds/);
    await expectUnharmed(before);
  });

  it('a good greeting and a 3-byte message in one datagram: the message is a protocol error, the IPA works', async () => {
    const manager = attack('greeting-then-garbage', vimcModule({
      prelude: `${RAW_FRAMING}
const hash = require(${JSON.stringify(paths.runtime)}).contractCodec(IPAVimcInterface).model.hash;
sendRaw(batch([frame(0, 0, Buffer.from(hash)), Buffer.from([1, 2, 3])]));`,
    }));
    const before = baseline();
    const warnings = protocolWarnings();
    try {
      const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
      expect((await ipa.init(settings, SharedFD.invalid, 0, 2)).ret).toBe(0);
      await ipa.close();
      await tick(10);
      // Reported before the proxy existed, so as a warning; the host's own greeting came next.
      expect(warnings.messages).toContain('ts-ipa: cannot decode IPCMessage: a message of 3 bytes has no 8-byte header');
    } finally {
      warnings.stop();
    }
    await expectUnharmed(before);
  });

  it('events that do not decode, unknown events and listeners that throw are protocol errors, not crashes', async () => {
    const manager = attack('bad-events', vimcModule({
      prelude: RAW_FRAMING,
      methods: `init(_s, _t, _c, inFlags) {
        sendFramed(frame(1, 0, [1, 2, 3]), ${FDS});
        sendFramed(frame(99, 0, []), [2]);
        events.paramsComputed(7, 1);
        events.paramsComputed(8, 1);
        return { ret: 0, outFlags: inFlags };
      },`,
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
    const errors: Error[] = [];
    ipa.on('protocolError', (error) => errors.push(error));
    const seen: number[] = [];
    ipa.on('paramsComputed', (bufferId) => {
      if (bufferId === 7) throw new Error('no buffer 7 in this pipeline');
    });
    ipa.on('paramsComputed', async (bufferId) => {
      if (bufferId === 8) throw new Error('buffer 8 went away');
    });
    ipa.on('paramsComputed', (bufferId) => seen.push(bufferId));
    expect((await ipa.init(settings, SharedFD.invalid, 0, 2)).ret).toBe(0);
    await tick(10);
    expect(errors.map((e) => e.message)).toEqual([
      'cannot decode paramsComputed size table: needs 8 bytes, 3 left',
      'IPAVimcEventInterface has no command 99',
      'a listener of the IPA\'s event paramsComputed threw: no buffer 7 in this pipeline',
      'a listener of the IPA\'s event paramsComputed threw: buffer 8 went away',
    ]);
    expect(errors[0]).toBeInstanceOf(DeserializeError);
    // One listener's failure does not keep the event from the others.
    expect(seen).toEqual([7, 8]);
    await ipa.close();
    await expectUnharmed(before);
  });
});

describe('every fd that arrives is closed by its owner', () => {
  it('replies that do not decode, carry 200 fds too many or answer another command are refused, leaving no fd open', async () => {
    const manager = attack('bad-replies', vimcModule({
      prelude: `${RAW_FRAMING}
const { IPCWorkerEndpoint } = require(${JSON.stringify(paths.runtime)});
const reply = IPCWorkerEndpoint.prototype.reply;
let replies = 0;
IPCWorkerEndpoint.prototype.reply = function (call, encode, fds) {
  replies++;
  if (replies === 1) return sendFramed(frame(call.cmd, call.cookie, [1, 2, 3]), ${FDS});
  if (replies === 2) return reply.call(this, call, encode, ${FDS});
  // A reply with the call's cookie but another command, then the real one.
  if (replies === 3) sendFramed(frame(call.cmd + 10, call.cookie, []), ${FDS});
  return reply.call(this, call, encode, fds);
};`,
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
    const errors: Error[] = [];
    ipa.on('protocolError', (error) => errors.push(error));
    await expect(ipa.init(settings, SharedFD.invalid, 0, 2)).rejects.toThrow(DeserializeError);
    await expect(ipa.init(settings, SharedFD.invalid, 0, 2)).rejects.toThrow('cannot decode init reply: 200 unexpected trailing fds');
    expect((await ipa.init(settings, SharedFD.invalid, 0, 2)).ret).toBe(0);
    expect(errors.map((e) => e.message)).toEqual([
      'cannot decode init reply.ret: needs 4 bytes, 3 left',
      'cannot decode init reply: 200 unexpected trailing fds',
      expect.stringMatching(/^cannot decode reply \d+: it answers command 11, the call was init \(command 1\)$/),
    ]);
    await ipa.close();
    await expectUnharmed(before);
  });

  it('a reply with 200 fds that comes after its call timed out leaves no fd open', async () => {
    const manager = attack('late-reply', vimcModule({
      prelude: `
const { IPCWorkerEndpoint } = require(${JSON.stringify(paths.runtime)});
const reply = IPCWorkerEndpoint.prototype.reply;
IPCWorkerEndpoint.prototype.reply = function (call, encode) { return reply.call(this, call, encode, ${FDS}); };`,
      methods: 'start: () => new Promise((resolve) => setTimeout(() => resolve(0), 400)),',
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', timeoutMs: 150, onTimeout: 'slow' });
    await expect(ipa.start()).rejects.toThrow(IPATimeoutError);
    await tick(600);
    await ipa.close();
    await expectUnharmed(before);
  });

  it('a farewell with 200 fds leaves no fd open', async () => {
    const manager = attack('fd-farewell', vimcModule({
      prelude: RAW_FRAMING,
      methods: `stop() {
        sendFramed(frame(0xfffffffe, 0, Buffer.from('leaving \\x1b[2J with your fds')), ${FDS});
        process.exit(3);
      },`,
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
    const stopped = ipa.stop();
    await expect(stopped).rejects.toThrow(IPACrashedError);
    // The farewell is printed as text, its terminal escape as an escape.
    await expect(stopped).rejects.toThrow('the IPA worker exited with code 3 (leaving \\u001b[2J with your fds)');
    await ipa.close();
    await expectUnharmed(before);
  });
});

/** Sends 200 000 events that do not decode, in 50 batch datagrams of 4000, once `trigger` runs. */
const FLOOD = `function flood() {
  const bad = frame(1, 0, [1, 2, 3]);
  const datagram = batch(Array(4000).fill(bad));
  for (let i = 0; i < 50; i++) sendRaw(datagram);
}`;

/** The longest wait between ticks of a 10 ms interval until stop(). */
function loopWatch(): { stop(): number } {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(maxGap, performance.now() - last);
    },
  };
}

describe('a flood of garbage neither starves the event loop nor floods the log', () => {
  it('200 000 malformed events: the worker is ended as broken, few warnings, the loop keeps running', async () => {
    const manager = attack('flood', vimcModule({
      prelude: `${RAW_FRAMING}\n${FLOOD}`,
      methods: 'computeParams(frame) { if (frame === 666) flood(); },',
    }));
    const before = baseline();
    const warnings = protocolWarnings();
    try {
      const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
      const crashed = new Promise<Error>((resolve) => ipa.on('crashed', resolve));
      const watch = loopWatch();
      const started = performance.now();
      ipa.computeParams(666, 0);
      const error = await crashed;
      const took = performance.now() - started;
      await tick(1100); // the suppressed warnings' summary comes within a second
      const maxGap = watch.stop();
      console.log(`flood: ended after ${took.toFixed(0)} ms, longest event-loop gap ${maxGap.toFixed(0)} ms, ${warnings.messages.length} warnings`);
      expect(error).toBeInstanceOf(IPACrashedError);
      expect(error.message).toMatch(/killed: it sent 64 malformed messages; the first: cannot decode paramsComputed/);
      expect(maxGap).toBeLessThan(1000);
      // Five a second and a summary; the flood may straddle two seconds of the limiter.
      expect(warnings.messages.length).toBeLessThanOrEqual(12);
      expect(warnings.messages.filter((m) => /^ts-ipa: \d+ more protocol warnings? suppressed/.test(m)).length).toBeGreaterThan(0);
      await expect(ipa.start()).rejects.toThrow(IPACrashedError);
      await ipa.close();
    } finally {
      warnings.stop();
    }
    await expectUnharmed(before);
  });

  it('200 000 valid events for a slow listener: all delivered, and the loop keeps running meanwhile', async () => {
    const manager = attack('valid-flood', vimcModule({
      prelude: `${RAW_FRAMING}
const { Writer, contractCodec } = require(${JSON.stringify(paths.runtime)});
function flood() {
  const w = new Writer();
  contractCodec(IPAVimcInterface).events.paramsComputed.encodeParams(w, 7, 1);
  const datagram = batch(Array(4000).fill(frame(1, 0, w.result().data)));
  for (let i = 0; i < 50; i++) sendRaw(datagram);
}`,
      methods: 'computeParams(frame) { if (frame === 666) flood(); },',
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
    let delivered = 0;
    let all: () => void;
    const done = new Promise<void>((resolve) => { all = resolve; });
    // A handler that spends 5 µs on each: a second of work, which must not come in one piece.
    ipa.on('paramsComputed', () => {
      const until = performance.now() + 0.005;
      while (performance.now() < until);
      if (++delivered === 200_000) all();
    });
    const watch = loopWatch();
    const started = performance.now();
    ipa.computeParams(666, 0);
    await done;
    const took = performance.now() - started;
    const maxGap = watch.stop();
    console.log(`valid flood: 200 000 events in ${took.toFixed(0)} ms, longest event-loop gap ${maxGap.toFixed(0)} ms`);
    expect(maxGap).toBeLessThan(1000);
    expect(ipa.failure).toBeUndefined();
    await ipa.close();
    await expectUnharmed(before);
  });

  it('with a recovery policy, the broken worker is replaced and the IPA answers again', async () => {
    const manager = attack('flood-recovery', vimcModule({
      prelude: `${RAW_FRAMING}\n${FLOOD}`,
      methods: 'computeParams(frame) { if (frame === 666) flood(); },',
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', recovery: { maxRestarts: 2, backoffMs: 10 } });
    const errors: Error[] = [];
    ipa.on('protocolError', (error) => errors.push(error));
    expect((await ipa.init(settings, SharedFD.invalid, 0, 2)).ret).toBe(0);
    const recovered = new Promise<{ cause: Error }>((resolve) => ipa.on('recovered', resolve));
    ipa.computeParams(666, 0);
    const { cause } = await recovered;
    expect(cause.message).toMatch(/it sent 64 malformed messages/);
    expect(errors).toHaveLength(64);
    expect(await ipa.start()).toBe(0);
    await ipa.close();
    await expectUnharmed(before);
  });
});

const sensorInfo = {
  model: 'sensor', bitsPerPixel: 8, cfaPattern: 0,
  activeAreaSize: { width: 640, height: 480 }, analogCrop: { x: 0, y: 0, width: 640, height: 480 },
  outputSize: { width: 640, height: 480 }, pixelRate: 100_000_000n,
  minLineLength: 640, maxLineLength: 1280, minFrameLength: 480, maxFrameLength: 960,
};

/** An rkisp1 IPA; `methods` replace the do-nothing ones. */
function rkisp1Module(methods: string): string {
  return `'use strict';
const { defineIPA, ControlId, ControlInfo, ControlInfoMap, ControlList, ControlType, ControlValue, controlIds, controls } = require(${JSON.stringify(paths.runtime)});
const { IPARkISP1Interface } = require(${JSON.stringify(rkisp1Contract)});
/** An info map of n controls the handler has never heard of, numbered from base. */
const unknownIds = (base, n) => new ControlInfoMap(Array.from({ length: n }, (_, i) => [
  new ControlId(base + i, 'x' + i, ControlType.Integer32), new ControlInfo(ControlValue.i32(0), ControlValue.i32(i)),
]), controlIds);
module.exports.default = defineIPA(IPARkISP1Interface, (events) => ({
  init: () => ({ ret: 0, ipaControls: new ControlInfoMap([], controlIds) }),
  start: () => 0,
  stop() {},
  configure: () => ({ ret: 0, ipaControls: new ControlInfoMap([], controlIds) }),
  mapBuffers() {},
  unmapBuffers() {},
  queueRequest() {},
  computeParams() {},
  processStats() {},
  ${methods}
}));
`;
}

async function openRkisp1(manager: runtime.IPAManager) {
  const ipa = await manager.createIPA(IPARkISP1Interface, { pipeline: 'rkisp1' });
  await ipa.init(settings, 0, 0, sensorInfo, new ControlInfoMap([], controlIds));
  return ipa;
}

const configInfo = { sensorInfo, sensorControls: new ControlInfoMap([], controlIds), paramFormat: 0 };

describe('control packets cannot grow the handler without bound', () => {
  it('unknown control ids from the worker stay out of the process-wide id tables', async () => {
    const manager = attack('unknown-ids', rkisp1Module(`configure: (_info, streams) => ({ ret: 0, ipaControls: unknownIds(0x100000 + streams.size * 2000, 2000) }),`), 'rkisp1');
    const before = baseline();
    const sizes = [controlIds.size, propertyIds.size];
    const ipa = await openRkisp1(manager);
    for (let round = 0; round < 20; round++) {
      const streams = new Map(Array.from({ length: round }, (_, i) => [i, { pixelFormat: 0, size: { width: 1, height: 1 } }]));
      const { ipaControls } = await ipa.configure(configInfo, streams);
      expect(ipaControls.size).toBe(2000);
      // The ids are the map's own, named as libcamera's local ids are.
      const id = ipaControls.idOf(0x100000 + round * 2000)!;
      expect([id.name, id.vendor]).toEqual(['', 'local']);
    }
    expect([controlIds.size, propertyIds.size]).toEqual(sizes);
    expect(controlIds.get(0x100000)).toBeUndefined();
    await ipa.close();
    expect(heapKeptMb(before, 'unknown ids, 20 configures of 2000 new ids')).toBeLessThan(8);
    await expectUnharmed(before);
  });

  it('events carrying a new ControlInfoMap each: refused past the bound, the worker ended as broken', async () => {
    const manager = attack('info-map-flood', rkisp1Module(`computeParams(frame) {
      if (frame !== 666) return;
      for (let i = 0; i < 500; i++) events.metadataReady(i, new ControlList(unknownIds(0x200000, 400)));
    },`), 'rkisp1');
    const before = baseline();
    const ipa = await openRkisp1(manager);
    const errors: Error[] = [];
    ipa.on('protocolError', (error) => errors.push(error));
    let delivered = 0;
    ipa.on('metadataReady', () => delivered++);
    const crashed = new Promise<Error>((resolve) => ipa.on('crashed', resolve));
    ipa.computeParams(666, 0);
    const error = await crashed;
    expect(error.message).toMatch(/it sent 64 malformed messages; the first: cannot decode metadataReady.metadata info map: .*ControlInfoMaps/);
    expect(errors[0]).toBeInstanceOf(DeserializeError);
    expect(delivered).toBeLessThan(64);
    await ipa.close();
    expect(heapKeptMb(before, 'info-map flood')).toBeLessThan(8);
    await expectUnharmed(before);
  }, 120_000); // 500 maps of 400 ids encoded in the worker: 11 s with both CPUs busy, over 30 s beside the rest of the suite

  it('control values of another type than their control are refused, naming the control', async () => {
    const manager = attack('mistyped-controls', rkisp1Module(`
      computeParams(frame) {
        const list = new ControlList(controlIds).setValue(controls.ExposureTime.id, ControlValue.float(1.5));
        events.metadataReady(frame, list);
      },
      configure: () => ({ ret: 0, ipaControls: new ControlInfoMap([[
        new ControlId(controls.AeEnable.id, 'AeEnable', ControlType.Integer64), new ControlInfo(ControlValue.i64(0n), ControlValue.i64(1n)),
      ]], controlIds) }),`), 'rkisp1');
    const before = baseline();
    const ipa = await openRkisp1(manager);
    const errors: Error[] = [];
    ipa.on('protocolError', (error) => errors.push(error));
    let delivered = 0;
    ipa.on('metadataReady', () => delivered++);
    ipa.computeParams(1, 0);
    await expect(ipa.configure(configInfo, new Map())).rejects.toThrow(/\(AeEnable\): the packet says Integer64, AeEnable is a Bool control/);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^cannot decode metadataReady.metadata entry 0 \(ExposureTime\): .*Float.*Integer32/),
      expect.stringMatching(/AeEnable/),
    ]);
    expect(delivered).toBe(0);
    await ipa.close();
    await expectUnharmed(before);
  });

  it('a new info map numbered as one of the handler\'s own is refused', async () => {
    const manager = attack('stolen-handle', rkisp1Module(`computeParams(frame) {
      const { ControlSerializer } = require(${JSON.stringify(paths.runtime)});
      const write = ControlSerializer.prototype.writeInfoMapPacket;
      // The next map the worker sends takes handle 3, the one the handler gives its next map (its
      // first, 1, went with init; a map sent back by its handle is that map, as in libcamera).
      ControlSerializer.prototype.writeInfoMapPacket = function (w, map, field) { this.nextHandle = 3; return write.call(this, w, map, field); };
      events.metadataReady(frame, new ControlList(unknownIds(0x300000, 1)));
    },`), 'rkisp1');
    const before = baseline();
    const ipa = await openRkisp1(manager);
    const errors: Error[] = [];
    ipa.on('protocolError', (error) => errors.push(error));
    ipa.computeParams(1, 0);
    await ipa.start();
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('a new ControlInfoMap with handle 3, which is not one of the peer\'s (even from 2)')]);
    await ipa.close();
    await expectUnharmed(before);
  });
});

describe('a worker that stops reading', () => {
  it('cannot make the send queue grow without bound: the IPA is ended as hung and sends fail with a typed error', async () => {
    const manager = attack('stops-reading', vimcModule({
      methods: 'queueRequest() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); },',
    }));
    const before = baseline();
    const external = process.memoryUsage().arrayBuffers;
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc' });
    const crashed = new Promise<Error>((resolve) => ipa.on('crashed', resolve));
    const list = new ControlList(controlIds);
    let refusal: unknown;
    let sent = 0;
    let peakMb = 0;
    for (; sent < 4_000_000 && !refusal; sent++) {
      try {
        ipa.queueRequest(sent, list);
      } catch (error) {
        refusal = error;
      }
      if (sent % 65536 === 0) peakMb = Math.max(peakMb, (process.memoryUsage().arrayBuffers - external) / 2 ** 20);
    }
    peakMb = Math.max(peakMb, (process.memoryUsage().arrayBuffers - external) / 2 ** 20);
    console.log(`stops reading: refused after ${sent} one-way calls, ${peakMb.toFixed(1)} MiB queued at most`);
    expect(refusal).toBeInstanceOf(SystemError);
    expect((refusal as InstanceType<typeof SystemError>).code).toBe('ENOBUFS');
    expect(peakMb).toBeLessThan(80);
    const error = await crashed;
    expect(error.message).toMatch(/killed: it stopped reading: the send queue is full: 64\.0 MiB in \d+ datagrams wait, at most 64\.0 MiB may/);
    expect(() => ipa.queueRequest(0, list)).toThrow(IPACrashedError);
    await ipa.close();
    await expectUnharmed(before);
  });

  it('cannot make the handler hold its fds: calls past 1024 queued fd duplicates end the IPA as hung', async () => {
    const manager = attack('stops-reading-fds', vimcModule({
      methods: 'mapBuffers() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); },',
    }));
    const before = baseline();
    const ipa = await manager.createIPA(IPAVimcInterface, { pipeline: 'vimc', timeoutMs: 60_000 });
    const memory = runtime.SharedMemory.create('frames', 4096);
    const buffers = Array.from({ length: 32 }, (_, id) => ({ id, planes: [new runtime.FrameBufferPlane(new SharedFD(memory.fd), 0, 4096)] }));
    // The first call stops the worker; big one-way calls fill the socket's buffer in the kernel.
    const first = ipa.mapBuffers(buffers.slice(0, 1)).then(() => 'answered', (error: Error) => error);
    await tick(200);
    const windows = Array.from({ length: 4000 }, (_, i) => ({ x: i, y: 0, width: 1, height: 1 }));
    for (let i = 0; i < 8; i++) ipa.queueRequest(i, new ControlList(controlIds).set(runtime.controls.AfWindows, windows));
    // Each call that waits in the queue holds a duplicate of every fd it carries.
    const calls = Array.from({ length: 64 }, () => ipa.mapBuffers(buffers).then(() => 'answered', (error: Error) => error));
    memory.close();
    calls.push(first);
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((outcome) => outcome instanceof IPACrashedError)).toBe(true);
    expect((outcomes[0] as Error).message).toMatch(/killed: it stopped reading: the send queue is full: \d+ fds wait, at most 1024 may/);
    await ipa.close();
    await expectUnharmed(before);
  });
});
