/**
 * What one message may carry over a process's socket: at most 253 fds (the kernel's SCM_MAX_FD)
 * and at most what the socket's send buffer takes in one datagram. A message past either is
 * refused when it is sent, alone, with a typed error naming the limit (and the call); the
 * messages around it go as if it had not been tried, in either framing, whether the socket had
 * room or a queue was waiting, and nothing crashes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveChildren, openFds, root, runtime } from './support';
import { ParityInterface } from '../dist/test/contracts/parity.js';

const { IPCUnixSocket } = require(path.join(root, 'dist/runtime/ipc/unix-socket.js')) as typeof import('../dist/runtime/ipc/unix-socket.js');
const { SystemError, createProxy, SharedFD, ControlInfoMap, controlIds } = runtime;

let devNull = -1;
beforeAll(() => {
  devNull = fs.openSync('/dev/null', 'r');
});
afterAll(() => fs.closeSync(devNull));

interface Received {
  sizes: number[];
  fds: number[];
}

function pair(batching: boolean) {
  const [mine, theirs] = IPCUnixSocket.pair();
  const received: Received = { sizes: [], fds: [] };
  const errors: Error[] = [];
  const receiver = new IPCUnixSocket(theirs, {
    onMessage: (payload, fds) => {
      received.sizes.push(payload.length);
      received.fds.push(fds.length);
      for (const fd of fds) fs.closeSync(fd);
    },
    onError: (error) => errors.push(error),
  });
  const sender = new IPCUnixSocket(mine, { onMessage: () => {}, onError: (error) => errors.push(error) });
  if (batching) sender.enableBatching();
  return { sender, receiver, received, errors, close: () => (sender.close(), receiver.close()) };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe.each([['libcamera framing', false], ['batches', true]] as const)('a socket sending in %s', (_name, batching) => {
  it('refuses a message of 254 fds at send, and the messages around it arrive', async () => {
    const before = openFds();
    const s = pair(batching);
    s.sender.send(new Uint8Array(16), [devNull]);
    let refused: unknown;
    try {
      s.sender.send(new Uint8Array(16), Array(254).fill(devNull));
    } catch (error) {
      refused = error;
    }
    s.sender.send(new Uint8Array(24), [devNull, devNull]);
    expect(refused).toBeInstanceOf(SystemError);
    expect(refused).toMatchObject({ code: 'ETOOMANYFDS', message: expect.stringMatching(/at most 253 fds, not 254/) });
    await until(() => s.received.sizes.length === 2);
    expect(s.received).toEqual({ sizes: [16, 24], fds: [1, 2] });
    expect(s.errors).toEqual([]);
    s.close();
    expect(openFds()).toBe(before);
  });

  it('refuses a payload larger than the socket sends in one datagram, and the messages around it arrive', async () => {
    const s = pair(batching);
    const limit = s.sender.maxPayloadBytes;
    expect(limit).toBeGreaterThan(64 * 1024);
    s.sender.send(new Uint8Array(16));
    expect(() => s.sender.send(new Uint8Array(limit + 1))).toThrow(expect.objectContaining({ code: 'EMSGSIZE', message: expect.stringContaining(`at most ${limit} bytes`) }));
    s.sender.send(new Uint8Array(limit));
    s.sender.send(new Uint8Array(24));
    await until(() => s.received.sizes.length === 3);
    expect(s.received.sizes).toEqual([16, limit, 24]);
    expect(s.errors).toEqual([]);
    s.close();
  });

  it('refuses them while a queue waits for room, and what was queued goes on in order', async () => {
    const s = pair(batching);
    // Fill the socket until messages have to wait in the sender's queue.
    let sent = 0;
    while (s.sender.backlog === 0 || sent < 4) {
      s.sender.send(new Uint8Array(32 * 1024));
      sent++;
      if (batching) s.sender.flushNow();
    }
    expect(() => s.sender.send(new Uint8Array(16), Array(300).fill(devNull))).toThrow(expect.objectContaining({ code: 'ETOOMANYFDS' }));
    expect(() => s.sender.send(new Uint8Array(s.sender.maxPayloadBytes + 1))).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    s.sender.send(new Uint8Array(8), [devNull]);
    await until(() => s.received.sizes.length === sent + 1);
    expect(s.received.sizes.at(-1)).toBe(8);
    expect(s.received.fds.at(-1)).toBe(1);
    expect(s.errors).toEqual([]);
    s.close();
  });
});

describe('an IPA in a process', () => {
  it('gets no call that its socket cannot carry: the call fails alone, named, and the IPA answers the next', async () => {
    const children = liveChildren().length;
    const before = openFds();
    const ipa = await createProxy(ParityInterface, { module: path.join(root, 'dist/test/contracts/parity-ipa.js'), isolation: 'process' });
    const limits = new ControlInfoMap([], controlIds);
    const plane = { fd: new SharedFD(devNull), offset: 0, length: 1 };
    const manyFds = Array.from({ length: 300 }, () => new SharedFD(devNull));
    await expect(ipa.buffers([], plane, manyFds, limits, new Map())).rejects.toMatchObject({ code: 'ETOOMANYFDS', message: expect.stringMatching(/^buffers: .*at most 253 fds, not 30[0-9]/) });
    const huge = new Map([['floats', Array.from({ length: 100_000 }, (_, i) => i)]]);
    await expect(ipa.table(huge, [], new runtime.ControlList(controlIds))).rejects.toMatchObject({ code: 'EMSGSIZE', message: expect.stringMatching(/^table: /) });
    expect(await ipa.buffers([], plane, manyFds.slice(0, 10), limits, new Map())).toContain('SharedFD(valid)');
    await ipa.close();
    await until(() => liveChildren().length === children);
    expect(openFds()).toBe(before);
  });
});
