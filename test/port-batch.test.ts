import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { eachMessage, PortBatcher, type PortMessage } from '../dist/runtime/ipc/port';
import { SharedMemory } from '../dist/runtime';

/** Posts through a real MessageChannel and collects what arrives, port message by port message. */
function channel() {
  const { port1, port2 } = new MessageChannel();
  const arrived: PortMessage[] = [];
  port2.on('message', (message: PortMessage) => arrived.push(message));
  const batcher = new PortBatcher((message, transfer) => port1.postMessage(message, transfer));
  const until = (n: number) => new Promise<void>((resolve) => {
    const check = () => (arrived.length >= n ? resolve() : setTimeout(check, 2));
    check();
  });
  return { batcher, arrived, until, close: () => { port1.close(); port2.close(); } };
}

describe('messages to a worker thread', () => {
  it('the first of a turn leaves alone, the rest of the turn together; order and fds kept', async () => {
    const c = channel();
    const memory = SharedMemory.create('port', 4096);
    c.batcher.add(new Uint8Array([1]), []);
    c.batcher.add(new Uint8Array([2, 2]), [memory.fd]);
    c.batcher.add(new Uint8Array([3, 3, 3]), []);
    await c.until(2);
    expect(c.arrived).toHaveLength(2);
    expect(c.arrived[0]).toBeInstanceOf(ArrayBuffer);
    const received: { bytes: number[]; fds: number[] }[] = [];
    for (const message of c.arrived) eachMessage(message, (payload, fds) => received.push({ bytes: [...payload], fds }));
    expect(received.map((m) => m.bytes)).toEqual([[1], [2, 2], [3, 3, 3]]);
    expect(received.map((m) => m.fds.length)).toEqual([0, 1, 0]);
    // The receiver owns a duplicate of the sender's fd: the same memory under another number.
    const fd = received[1]!.fds[0]!;
    expect(fd).not.toBe(memory.fd);
    const seen = SharedMemory.fromFd(fd);
    expect(seen.size).toBe(4096);
    seen.close();
    memory.close();
    c.close();
  });

  it('a long turn leaves in bounded batches, none lost', async () => {
    const c = channel();
    const count = 50_000;
    for (let i = 0; i < count; i++) c.batcher.add(new Uint8Array(new Uint32Array([i]).buffer), []);
    await c.until(Math.ceil((count - 1) / 8192) + 1);
    const values: number[] = [];
    for (const message of c.arrived) eachMessage(message, (payload) => values.push(new DataView(payload.buffer, payload.byteOffset).getUint32(0, true)));
    expect(values).toHaveLength(count);
    expect(values.every((v, i) => v === i)).toBe(true);
    expect(c.arrived.length).toBeGreaterThan(2); // 8192 messages a batch at most
    c.close();
  });
});

