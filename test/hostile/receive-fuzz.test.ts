/**
 * The receive path a proxy uses, fed random datagrams from the other end of a real socketpair:
 * libcamera's framing (a header datagram, then the payload with its fds; the header may lie),
 * ts-ipa batch datagrams (random counts and sizes, sometimes consistent), and bytes of no
 * framing, with memfds attached at random. The messages inside are random, or valid events and
 * replies of the Raspberry Pi contract (structs, ControlLists, ControlInfoMaps), cut or changed
 * at a random byte. Nothing may escape to the process, the receiver must go on working, and every
 * fd that came must be closed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFds, runtime } from '../support';
import { arbitraryOf } from '../arbitraries';
import { IPARPiInterface } from '../../dist/platforms/raspberrypi/contract.js';

const { CallPipe, ContractError, ControlList, ControlSerializer, ControlSerializerRole, IPACrashedError, IPATimeoutError, IPCUnixSocket, SharedMemory, Writer, contractCodec, controlIds } = runtime;
const native = require('../../dist/runtime/native.js').native();
const { handshake } = require('../../dist/runtime/proxy/create.js') as { handshake(pipe: unknown, hash: string, timeoutMs: number): Promise<void> };

const codec = contractCodec(IPARPiInterface);
const { model } = codec;
const FAREWELL_EVENT = 0xfffffffe;
const BATCH_CMD = 0xffffffff;
const BATCH_MAGIC = 0x42504954;

/**
 * The proxy's pipe without a worker process: the same receive path (CallPipe, IPCUnixSocket,
 * the native watcher) over one end of a socketpair whose other end the test writes to.
 */
class SocketPairPipe extends CallPipe {
  protected readonly transport: InstanceType<typeof IPCUnixSocket>;
  ended = '';
  private closed = false;

  constructor(fd: number, controls?: InstanceType<typeof ControlSerializer>, peer: runtime.WorkerPeer = 'ts-ipa') {
    // Never ended for its errors here: the fuzz wants every datagram read, not the budget's cut.
    super({ timeoutMs: 60_000, onTimeout: 'slow', maxProtocolErrors: Infinity, controls, peer });
    this.transport = new IPCUnixSocket(fd, {
      onMessage: (payload, fds) => this.receive(payload, fds),
      onError: (error) => (error.code === 'EBADMSG' ? this.reportMalformed(error) : this.reportError(error)),
    });
  }

  protected endHungWorker(reason: string): void {
    this.ended ||= reason;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.transport.close();
    this.workerExited(new IPACrashedError(0, null));
  }
}

// ---- what is sent -------------------------------------------------------------------------

interface Datagram {
  bytes: Uint8Array;
  fdCount: number;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const fdCount = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) });
const PENDING = -1;

function le32(...words: number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts or changes one byte of valid data, or leaves it. */
const mutated = (data: fc.Arbitrary<Uint8Array>) => fc.tuple(data, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('keep', 'flip', 'cut'))
  .map(([bytes, at, byte, how]) => {
    if (how === 'keep' || bytes.length === 0) return bytes;
    const i = at % bytes.length;
    return how === 'cut' ? bytes.subarray(0, i) : bytes.map((b, k) => (k === i ? byte : b));
  });

/** Encodes with a worker-side serializer, as the worker does (new per run, so handles restart). */
let workerControls = new ControlSerializer(ControlSerializerRole.Worker);
function encoded(write: (w: InstanceType<typeof Writer>) => void): Uint8Array {
  const w = new Writer(workerControls);
  write(w);
  return w.take().data;
}

const validEvent = fc.constantFrom(...model.events!.methods).chain((method) =>
  mutated(fc.tuple(...method.params.map((p) => arbitraryOf(p.type, model))).map((args) =>
    encoded((w) => (codec.events[method.name]!.encodeParams as (w: unknown, ...a: unknown[]) => void)(w, ...args)))).map((data) => ({ cmd: method.cmd, cookie: 0, data })));

const startMethod = model.interface!.methods.find((m) => m.name === 'start')!;
const startResult = startMethod.resultsAsObject
  ? fc.record(Object.fromEntries(startMethod.results.map((f) => [f.name, arbitraryOf(f.type, model)])))
  : arbitraryOf(startMethod.results[0]!.type, model);
const validReply = mutated(startResult.map((result) => encoded((w) => codec.methods.start!.encodeResult(w, result as never))))
  .map((data) => ({ cmd: startMethod.cmd, cookie: PENDING, data }));

const randomMessage = fc.record({
  cmd: fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, FAREWELL_EVENT, BATCH_CMD), u32),
  cookie: fc.oneof(fc.constant(0), fc.constant(PENDING), u32),
  data: fc.uint8Array({ maxLength: 48 }),
});

/** A message payload; `cookie` PENDING is the call in flight's, filled in when sent. */
const message = fc.oneof(randomMessage, validEvent, validReply, fc.uint8Array({ maxLength: 12 }).map((data) => ({ cmd: -1, cookie: 0, data })));
type Message = { cmd: number; cookie: number; data: Uint8Array };

function payloadOf(m: Message, pendingCookie: number): Uint8Array {
  if (m.cmd === -1) return m.data; // shorter than a header, or any bytes at all
  return concat(le32(m.cmd, m.cookie === PENDING ? pendingCookie : m.cookie), m.data);
}

type Send = (pendingCookie: number) => Datagram[];

/** libcamera's framing: a header (which may lie about size or fds), the payload, or one alone. */
const framed: fc.Arbitrary<Send> = fc.tuple(message, fdCount, fc.constantFrom('honest', 'honest', 'lying', 'header only', 'payload only'), u32, fc.integer({ min: 0, max: 255 }))
  .map(([m, fds, how, size, headerFds]) => (cookie) => {
    const payload = payloadOf(m, cookie);
    const header = how === 'lying' ? concat(le32(size), new Uint8Array([headerFds, 0, 0, 0])) : concat(le32(payload.length), new Uint8Array([fds, 0, 0, 0]));
    if (how === 'header only') return [{ bytes: header, fdCount: 0 }];
    if (how === 'payload only') return [{ bytes: payload, fdCount: fds }];
    return [{ bytes: header, fdCount: 0 }, { bytes: payload, fdCount: fds }];
  });

/** A batch datagram: magic, count, then size, fd count and payload each; sometimes inconsistent. */
const batch: fc.Arbitrary<Send> = fc.tuple(fc.array(fc.tuple(message, fdCount), { maxLength: 6 }), fc.constantFrom('honest', 'honest', 'count', 'byte'), u32, fc.nat(), fc.integer({ min: 0, max: 255 }))
  .map(([messages, how, forged, at, byte]) => (cookie) => {
    const entries = messages.map(([m, fds]) => {
      const payload = payloadOf(m, cookie);
      return concat(le32(payload.length, fds), payload);
    });
    let bytes = concat(le32(BATCH_MAGIC, how === 'count' ? forged : messages.length), ...entries);
    if (how === 'byte' && bytes.length > 8) {
      const i = 8 + (at % (bytes.length - 8));
      bytes = bytes.map((b, k) => (k === i ? byte : b));
    }
    return [{ bytes, fdCount: messages.reduce((n, [, fds]) => n + fds, 0) }];
  });

/** Bytes of no framing at all. */
const noise: fc.Arbitrary<Send> = fc.tuple(fc.uint8Array({ maxLength: 40 }), fdCount).map(([bytes, fds]) => () => [{ bytes, fdCount: fds }]);

const datagrams = fc.array(fc.oneof(framed, batch, noise), { minLength: 1, maxLength: 6 });

// ---- the receiving side -------------------------------------------------------------------

let pool: runtime.SharedMemory[] = [];
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};
let fdsBefore = 0;

beforeAll(() => {
  fdsBefore = openFds();
  pool = [SharedMemory.create('fuzz-a', 64), SharedMemory.create('fuzz-b', 4096), SharedMemory.create('fuzz-c', 1)];
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});

afterAll(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  for (const memory of pool) memory.close();
});

/** Sends datagrams as they are, memfds from the pool attached; waits while the socket is full. */
async function sendAll(fd: number, list: Datagram[]): Promise<void> {
  for (const { bytes, fdCount: count } of list) {
    const fds = Array.from({ length: count }, (_, i) => pool[i % pool.length]!.fd);
    while (!native.sendDatagram(fd, bytes, fds)) await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * After the random datagrams: a 1-byte datagram ends any header left waiting for its payload
 * (it is refused either way), then a valid event in a batch datagram, which must arrive.
 */
function sentinel(value: number): Datagram[] {
  const data = encoded((w) => codec.events.setCameraTimeout!.encodeParams(w, ...([value] as never[])));
  const setCameraTimeout = model.events!.methods.find((m) => m.name === 'setCameraTimeout')!;
  const payload = concat(le32(setCameraTimeout.cmd, 0), data);
  return [{ bytes: new Uint8Array([0]), fdCount: 0 }, { bytes: concat(le32(BATCH_MAGIC, 1, payload.length, 0), payload), fdCount: 0 }];
}

function until(test: () => boolean, what: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (test()) resolve();
      else if (Date.now() - started > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 1);
    };
    check();
  });
}

describe('the receive path under random datagrams', () => {
  // To a libcamera worker every message that is not a reply is an event: the same datagrams
  // take the other way through the pipe.
  for (const peer of ['ts-ipa', 'libcamera'] as const) it(`a proxy on a socketpair, its worker a ${peer} peer: nothing escapes, it keeps working, no fd is left open`, async () => {
    const [mine, theirs] = IPCUnixSocket.pair();
    const controls = new ControlSerializer(ControlSerializerRole.Proxy);
    const pipe = new SocketPairPipe(mine, controls, peer);
    const Proxy = codec.Proxy as unknown as new (...args: unknown[]) => runtime.IPAProxy<IPARPiInterface>;
    const ipa = new Proxy('process', pipe, codec, controls);
    let protocolErrors = 0;
    ipa.on('protocolError', () => protocolErrors++);
    const timeouts: number[] = [];
    ipa.on('setCameraTimeout', (value) => timeouts.push(value));
    // Listeners that throw on some values, as a pipeline's might: reported, not thrown.
    ipa.on('metadataReady', (list) => {
      if (list.size % 2 === 1) throw new Error('odd metadata');
    });
    let run = 0;
    await fc.assert(fc.asyncProperty(datagrams, async (sends) => {
      run++;
      controls.reset();
      workerControls = new ControlSerializer(ControlSerializerRole.Worker);
      // A call in flight, for replies to answer (or not).
      const cookie = (pipe as unknown as { seq: number }).seq;
      const call = ipa.start(new ControlList(controlIds)).then(() => 'resolved', (error: Error) => error.name);
      await sendAll(theirs, sends.flatMap((send) => send(cookie)));
      await sendAll(theirs, sentinel(run));
      await until(() => timeouts.includes(run), `the sentinel of run ${run}`);
      // Still waiting: answer it properly; a settled call ignores this reply (its fds closed).
      const answer = { controls: new ControlList(controlIds), startupFrameCount: 0, invalidFrameCount: 0 };
      await sendAll(theirs, framedDatagrams(concat(le32(startMethod.cmd, cookie), encoded((w) => codec.methods.start!.encodeResult(w, answer as never)))));
      expect(['resolved', 'DeserializeError']).toContain(await call);
    }), { numRuns: 1000 });
    console.log(`receive fuzz: ${run} runs, ${protocolErrors} protocol errors reported`);
    expect(protocolErrors).toBeGreaterThan(0);
    expect(pipe.ended).toBe('');
    expect(escaped).toEqual([]);
    await ipa.close();
    native.close(theirs);
    // Everything received was closed by its owner (the pool is still open: it is the test's).
    await until(() => openFds() === fdsBefore + pool.length, 'the fds to be closed').catch(() => {});
    expect(openFds()).toBe(fdsBefore + pool.length);
  }, 120_000);

  it('the handshake: any datagrams before a greeting end in a greeting taken or a ContractError, no fd left open', async () => {
    let run = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(fc.asyncProperty(datagrams, async (sends) => {
      run++;
      workerControls = new ControlSerializer(ControlSerializerRole.Worker);
      const [mine, theirs] = IPCUnixSocket.pair();
      const pipe = new SocketPairPipe(mine);
      const shaking = handshake(pipe, model.hash, 10_000).then(() => 'greeted', (error: Error) => {
        if (!(error instanceof ContractError) && !(error instanceof IPATimeoutError)) throw error;
        return error.name;
      });
      await sendAll(theirs, sends.flatMap((send) => send(1)));
      // The greeting, in a batch datagram (never taken for a header). A header left waiting
      // takes it for its payload: then a byte, refused, fails the handshake, as any malformed
      // datagram before the greeting does.
      const greeting = concat(le32(0, 0), new TextEncoder().encode(model.hash));
      await sendAll(theirs, [{ bytes: concat(le32(BATCH_MAGIC, 1, greeting.length, 0), greeting), fdCount: 0 }]);
      let settled = false;
      void shaking.finally(() => {
        settled = true;
      });
      await until(() => settled, 'the handshake', 200).catch(() => sendAll(theirs, [{ bytes: new Uint8Array([0]), fdCount: 0 }]));
      const outcome = await shaking;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      expect(outcome).not.toBe('IPATimeoutError');
      await pipe.close();
      native.close(theirs);
    }), { numRuns: 300 });
    console.log(`handshake fuzz: ${run} runs, ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(escaped).toEqual([]);
    await until(() => openFds() === fdsBefore + pool.length, 'the fds to be closed').catch(() => {});
    expect(openFds()).toBe(fdsBefore + pool.length);
  }, 120_000);
});

describe('messages after close', () => {
  for (const framing of ['batch', 'libcamera'] as const) {
    it(`a receiver that closes its socket on the first of several messages (${framing} framing): the fds of the rest are closed`, async () => {
      const before = openFds();
      const [mine, theirs] = IPCUnixSocket.pair();
      let received = 0;
      const socket = new IPCUnixSocket(mine, {
        onMessage: (_payload, fds) => {
          received++;
          for (const fd of fds) native.close(fd);
          socket.close();
        },
        onError: () => {},
      });
      const payload = le32(1, 0);
      const list: Datagram[] = framing === 'batch'
        ? [{ bytes: concat(le32(BATCH_MAGIC, 3), ...[0, 1, 2].map(() => concat(le32(payload.length, 2), payload))), fdCount: 6 }]
        : [0, 1, 2].flatMap(() => [{ bytes: concat(le32(payload.length), new Uint8Array([2, 0, 0, 0])), fdCount: 0 }, { bytes: payload, fdCount: 2 }]);
      await sendAll(theirs, list);
      await until(() => received > 0, 'the first message');
      native.close(theirs);
      expect(received).toBe(1);
      expect(openFds()).toBe(before);
    });
  }
});

/** A payload in libcamera's framing, honestly. */
function framedDatagrams(payload: Uint8Array): Datagram[] {
  return [{ bytes: concat(le32(payload.length), new Uint8Array([0, 0, 0, 0])), fdCount: 0 }, { bytes: payload, fdCount: 0 }];
}
