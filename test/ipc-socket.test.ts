import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedHex, goldenVectors, root, runtime, toHex } from './support';

const { IPCUnixSocket, SharedMemory, SystemError, Writer, readMessage, writeMessageHeader } = runtime;
// The raw addon, for looking at datagrams as they travel.
const native = require('../dist/runtime/native.js').native();

type Received = { payload: Buffer; fds: number[] };
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A connected pair: `a` sends, `b` collects what it receives. */
function pair() {
  const [fdA, fdB] = IPCUnixSocket.pair();
  const received: Received[] = [];
  const errors: InstanceType<typeof SystemError>[] = [];
  let wake: (() => void) | undefined;
  const onError = (e: InstanceType<typeof SystemError>) => { errors.push(e); wake?.(); };
  const a = new IPCUnixSocket(fdA, { onMessage: () => {}, onError });
  const b = new IPCUnixSocket(fdB, { onMessage: (payload, fds) => { received.push({ payload: asBuffer(payload), fds }); wake?.(); }, onError });
  const until = (test: () => boolean, ms = 5000) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${received.length} messages, ${errors.length} errors`)), ms);
    const check = () => { if (test()) { clearTimeout(timer); wake = undefined; resolve(); } };
    wake = check;
    check();
  });
  return { a, b, fdA, fdB, received, errors, until, close: () => { a.close(); b.close(); } };
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;
const golden = (name: string) => goldenVectors.find((v) => v.name === name)!;

describe('IPCUnixSocket framing, byte for byte', () => {
  it('an IPCMessage payload is cmd, cookie, data (golden IPCMessage.payload)', () => {
    const w = new Writer();
    writeMessageHeader(w, 3, 42);
    w.i32(9001, 'value');
    expect(toHex(w.result().data)).toBe(expectedHex(golden('IPCMessage.payload.cmd3.cookie42.int32_9001')));
    const message = readMessage(w.result().data, []);
    expect([message.cmd, message.cookie, [...message.data]]).toEqual([3, 42, [0x29, 0x23, 0, 0]]);
  });

  it('a message is a header datagram, then the payload with its fds (golden IPCUnixSocket.wire)', () => {
    const [fdA, fdB] = IPCUnixSocket.pair();
    const memory = SharedMemory.create('golden', 1);
    try {
      const w = new Writer();
      writeMessageHeader(w, 1, 5);
      w.u32(0xdeadbeef, 'value');
      expect(native.sendMessage(fdA, w.result().data, [memory.fd], false)).toBe(2);
      const header = native.receiveDatagram(fdB, 64);
      const payload = native.receiveDatagram(fdB, 64);
      expect(toHex(header.data)).toBe(expectedHex(golden('IPCUnixSocket.wire.datagram1.header')));
      expect(toHex(payload.data)).toBe(expectedHex(golden('IPCUnixSocket.wire.datagram2.payload')));
      expect(header.fds).toEqual([]);
      expect(payload.fds).toHaveLength(1);
      native.close(payload.fds[0]);
    } finally {
      memory.close();
      native.close(fdA);
      native.close(fdB);
    }
  });

  it('readMessage refuses a payload shorter than its header', () => {
    expect(() => readMessage(new Uint8Array(5), [])).toThrow('cannot decode IPCMessage: a message of 5 bytes has no 8-byte header');
  });
});

describe('IPCUnixSocket', () => {
  it('passes data and fds: the receiver reads what the sender wrote through shared memory', async () => {
    const s = pair();
    const memory = SharedMemory.create('frame', 4096);
    new Uint8Array(memory.map()).set([7, 8, 9], 100);
    s.a.send(new Uint8Array([1, 2, 3]), [memory.fd]);
    memory.close(); // the kernel passed its own reference
    await s.until(() => s.received.length === 1);
    const [{ payload, fds }] = s.received;
    expect([...payload]).toEqual([1, 2, 3]);
    const mine = SharedMemory.fromFd(fds[0]!);
    expect(mine.size).toBe(4096);
    expect([...new Uint8Array(mine.map(100, 3, false))]).toEqual([7, 8, 9]);
    mine.close();
    s.close();
  });

  it('keeps order and loses nothing when the socket is full', async () => {
    const s = pair();
    const count = 20000;
    for (let i = 0; i < count; i++) s.a.send(new Uint8Array(new Uint32Array([i]).buffer));
    expect(s.a.backlog).toBeGreaterThan(0);
    await s.until(() => s.received.length === count, 20000);
    expect(s.received.every((m, i) => m.payload.readUInt32LE(0) === i)).toBe(true);
    expect(s.a.backlog).toBe(0);
    s.close();
  });

  it('leaks no fds over 100 000 fd-carrying messages', async () => {
    // Paced by the queue: a waiting message holds a duplicate of its fd.
    await sendFdCarryingMessages(false, async (_i, sender) => { if (sender.backlog > 256) await sender.drained(); });
  }, 90000);

  it('reports a malformed message as EBADMSG, closes its fds and goes on', async () => {
    const s = pair();
    const memory = SharedMemory.create('bad', 8);
    const before = openFds();
    native.sendMessage(s.fdA, new Uint8Array([1, 2, 3]), [], true); // a 3-byte "header"
    native.sendMessage(s.fdA, new Uint8Array([4, 0, 0, 0, 2, 0, 0, 0]), [], true); // says 4 bytes and 2 fds…
    native.sendMessage(s.fdA, new Uint8Array([9, 9, 9, 9]), [memory.fd], true); // …but 1 fd comes
    s.a.send(new Uint8Array([42]));
    await s.until(() => s.received.length === 1 && s.errors.length === 2);
    expect(s.errors.map((e) => [e.code, e.message])).toEqual([
      ['EBADMSG', 'a message header of 3 bytes, expected 8'],
      ['EBADMSG', '1 fds came, the header said 2'],
    ]);
    expect(s.errors[0]).toBeInstanceOf(SystemError);
    expect([...s.received[0]!.payload]).toEqual([42]);
    expect(openFds()).toBe(before);
    memory.close();
    s.close();
  });

  it('errors carry errno, its name and the call', () => {
    try {
      native.close(99999);
      expect.unreachable();
    } catch (error) {
      const e = require('../dist/runtime/native.js').systemError(error);
      expect(e).toBeInstanceOf(SystemError);
      expect([e.code, e.errno, e.syscall, e.message]).toEqual(['EBADF', 9, 'close', 'close: Bad file descriptor']);
    }
    const s = pair();
    s.close();
    expect(() => s.a.send(new Uint8Array([1]))).toThrow('send: the socket is closed');
    expect(() => SharedMemory.fromFd(99999)).toThrow(SystemError);
  });

  it('talks to a child process started as libcamera starts its workers, fds included', async () => {
    const [mine, theirs] = IPCUnixSocket.pair();
    const replies: Buffer[] = [];
    const socket = new IPCUnixSocket(mine, { onMessage: (payload) => replies.push(asBuffer(payload)), onError: (e) => { throw e; } });
    const worker = spawn(process.execPath, [path.join(root, 'test/fixtures/echo-worker.js'), '/path/to/ipa_module', '3'], {
      stdio: ['ignore', 'inherit', 'inherit', theirs],
    });
    native.close(theirs);
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    const a = SharedMemory.create('a', 1000);
    const b = SharedMemory.create('b', 24);
    socket.send(new Uint8Array([1, 2, 3, 4, 5]), [a.fd, b.fd]);
    a.close();
    b.close();
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (replies.length) { clearInterval(t); resolve(); } }, 5); });
    expect([...replies[0]!.subarray(0, 5)]).toEqual([5, 4, 3, 2, 1]);
    expect(replies[0]!.readUInt32LE(5)).toBe(1024);
    socket.send(new Uint8Array([0]));
    expect(await exited).toBe(0);
    socket.close();
  });
});

describe('batches between ts-ipa peers', () => {
  it('messages sent in one turn leave in one datagram: magic, count, then size, fd count, payload each', async () => {
    const [fdA, fdB] = IPCUnixSocket.pair();
    const a = new IPCUnixSocket(fdA, { onMessage: () => {}, onError: (e) => { throw e; } });
    a.enableBatching();
    const memory = SharedMemory.create('m', 8);
    a.send(new Uint8Array([1, 2]), [memory.fd]);
    a.send(new Uint8Array([3]));
    await new Promise((resolve) => setImmediate(resolve));
    const datagram = native.receiveDatagram(fdB, 1024);
    expect(toHex(datagram.data)).toBe('54495042' + '02000000' + '0200000001000000' + '0102' + '0100000000000000' + '03');
    expect(datagram.fds).toHaveLength(1);
    expect(native.receiveDatagram(fdB, 1024)).toBeNull();
    native.close(datagram.fds[0]);
    memory.close();
    a.close();
    native.close(fdB);
  });

  it('keep order and fds, mixed with messages too big for a batch', async () => {
    const s = pair();
    s.a.enableBatching();
    const files = [SharedMemory.create('x', 100), SharedMemory.create('y', 200)];
    const big = new Uint8Array(100_000).fill(7);
    s.a.send(new Uint8Array([1]), [files[0]!.fd]);
    s.a.send(big);
    s.a.send(new Uint8Array([2]), [files[1]!.fd, files[0]!.fd]);
    for (const f of files) f.close();
    await s.until(() => s.received.length === 3);
    expect(s.received.map((m) => m.payload.length)).toEqual([1, 100_000, 1]);
    const sizes = s.received.map((m) => m.fds.map((fd) => { const mem = SharedMemory.fromFd(fd); mem.close(); return mem.size; }));
    expect(sizes).toEqual([[100], [], [200, 100]]);
    s.close();
  });

  it('more than fits the socket in one turn: full batches wait in order for room', async () => {
    const s = pair();
    s.a.enableBatching();
    const count = 20_000; // 2 MB: many 64 KiB batches, far more than the socket buffer holds
    for (let i = 0; i < count; i++) {
      const payload = new Uint8Array(100);
      new DataView(payload.buffer).setUint32(0, i, true);
      s.a.send(payload);
    }
    expect(s.a.backlog).toBeGreaterThan(1);
    await s.until(() => s.received.length === count, 20_000);
    expect(s.received.every((m, i) => m.payload.readUInt32LE(0) === i && m.payload.length === 100)).toBe(true);
    await s.a.drained();
    expect(s.a.backlog).toBe(0);
    s.close();
  });

  it('leak no fds over 100 000 fd-carrying messages', async () => {
    // A batch being filled holds its messages' fd duplicates too: drained every 200 messages.
    await sendFdCarryingMessages(true, async (i, sender) => { if (i % 200 === 199) await sender.drained(); });
  }, 90000);

  it('a malformed batch is refused whole, its fds closed', async () => {
    const s = pair();
    const memory = SharedMemory.create('bad', 8);
    const before = openFds();
    // Magic, 2 messages, but only one is there.
    native.sendMessage(s.fdA, fromHexBytes('54495042' + '02000000' + '0100000001000000' + '09'), [memory.fd], true);
    s.a.send(new Uint8Array([42]));
    await s.until(() => s.received.length === 1 && s.errors.length === 1);
    expect([s.errors[0]!.code, s.errors[0]!.message]).toEqual(['EBADMSG', 'a batch shorter than its messages']);
    expect(openFds()).toBe(before);
    memory.close();
    s.close();
  });
});

function fromHexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Sends 100 000 messages each carrying an fd, from one socket to another (in batches or not),
 * closes every fd received, and checks that /proc/self/fd ends as it began.
 */
async function sendFdCarryingMessages(batching: boolean, pace: (i: number, sender: InstanceType<typeof IPCUnixSocket>) => Promise<void>): Promise<void> {
  const count = 100000;
  const before = openFds();
  const memory = SharedMemory.create('leak', 64);
  const [fdA, fdB] = IPCUnixSocket.pair();
  let receivedFds = 0;
  let done: () => void;
  const all = new Promise<void>((resolve) => { done = resolve; });
  const sender = new IPCUnixSocket(fdA, { onMessage: () => {}, onError: (e) => { throw e; } });
  if (batching) sender.enableBatching();
  const receiver = new IPCUnixSocket(fdB, {
    onMessage: (_payload, fds) => {
      for (const fd of fds) native.close(fd);
      receivedFds += fds.length;
      if (receivedFds === count) done();
    },
    onError: (e) => { throw e; },
  });
  const payload = new Uint8Array(16);
  for (let i = 0; i < count; i++) {
    sender.send(payload, [memory.fd]);
    await pace(i, sender);
  }
  await all;
  expect(sender.backlog).toBe(0);
  sender.close();
  receiver.close();
  memory.close();
  expect(openFds()).toBe(before);
}
