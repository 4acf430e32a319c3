import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { root, runtime } from './support';

const { IPCPipeUnixSocket, IPACrashedError, IPATimeoutError, IPAClosedError, Reader, SharedMemory } = runtime;
type Pipe = InstanceType<typeof IPCPipeUnixSocket>;

const pipes: Pipe[] = [];
function open(options: { timeoutMs?: number; command?: [string, ...string[]]; onTimeout?: 'hung' | 'slow' } = {}): Pipe {
  const pipe = new IPCPipeUnixSocket({
    modulePath: '/path/to/ipa_test.so',
    workerCommand: options.command ?? [process.execPath, path.join(root, 'test/fixtures/pipe-worker.js')],
    timeoutMs: options.timeoutMs,
    onTimeout: options.onTimeout,
  });
  pipe.on('error', (e) => { throw e; });
  pipes.push(pipe);
  return pipe;
}

afterEach(async () => {
  await Promise.all(pipes.splice(0).map((p) => p.close()));
});

const i32 = (value: number) => (w: InstanceType<typeof runtime.Writer>) => w.i32(value, 'value');
const int = (message: { data: Uint8Array }) => new Reader(message.data).i32('reply');

describe('IPCPipeUnixSocket', () => {
  it('spawns the worker as libcamera does and makes sync and one-way calls in order', async () => {
    const pipe = open();
    expect(pipe.worker.spawnargs.slice(-2)).toEqual(['/path/to/ipa_test.so', '3']);
    const reply = await pipe.call(1, 'get', () => {});
    expect([reply.cmd, reply.cookie, int(reply)]).toEqual([1, 1, 1337]);
    pipe.send(2, i32(9001));
    expect(int(await pipe.call(1, 'get', () => {}))).toBe(9001);
  });

  it('never takes an event for a reply, even one sent during the call', async () => {
    const pipe = open();
    const events: number[][] = [];
    pipe.on('event', (m) => events.push([m.cmd, m.cookie, int(m)]));
    expect(int(await pipe.call(5, 'withEvent', () => {}))).toBe(5);
    expect(events).toEqual([[1, 0, 77]]);
  });

  it('passes fds with a call', async () => {
    const pipe = open();
    const a = SharedMemory.create('a', 4096);
    const b = SharedMemory.create('b', 100);
    const reply = await pipe.call(7, 'sizes', () => {}, [a.fd, b.fd]);
    const r = new Reader(reply.data);
    expect([r.u32('a'), r.u32('b')]).toEqual([4096, 100]);
    a.close();
    b.close();
  });

  it('by default takes a timeout for a hung worker: ends it, fails what waits, then fails fast', async () => {
    const pipe = open({ timeoutMs: 100 });
    const crashed = new Promise<Error>((resolve) => pipe.on('crashed', resolve));
    const hung = pipe.call(3, 'hang', () => {});
    const behind = pipe.call(6, 'slow', i32(500), [], 10_000);
    await expect(hung).rejects.toThrow('hang: no reply within 100 ms');
    const timedOutAt = Date.now();
    await expect(behind).rejects.toThrow(IPACrashedError);
    // At the worker's end, not at its own deadline 10 s away (a margin that holds on a loaded machine).
    expect(Date.now() - timedOutAt).toBeLessThan(2000);
    expect((await crashed).message).toBe('the IPA worker was killed by SIGKILL (killed: hang got no reply within 100 ms)');
    await expect(pipe.call(1, 'get', () => {})).rejects.toThrow(IPACrashedError);
  });

  it("with onTimeout 'slow', times a hung call out with IPATimeoutError and keeps working", async () => {
    const pipe = open({ timeoutMs: 100, onTimeout: 'slow' });
    const started = Date.now();
    await expect(pipe.call(3, 'hang', () => {})).rejects.toThrow(IPATimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    await expect(pipe.call(3, 'hang', () => {})).rejects.toThrow('hang: no reply within 100 ms');
    expect(int(await pipe.call(1, 'get', () => {}))).toBe(1337);
  });

  it('drops a reply that comes after its call timed out', async () => {
    const pipe = open({ timeoutMs: 50, onTimeout: 'slow' });
    const events: unknown[] = [];
    pipe.on('event', (m) => events.push(m));
    await expect(pipe.call(6, 'late', i32(200))).rejects.toThrow(IPATimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual([]);
    expect(int(await pipe.call(1, 'get', () => {}))).toBe(1337);
  });

  it('rejects calls in flight at once on a crash, not at their timeout, then fails fast', async () => {
    const pipe = open({ timeoutMs: 5000 });
    await pipe.call(1, 'get', () => {});
    const crashed = new Promise<InstanceType<typeof IPACrashedError>>((resolve) => pipe.on('crashed', resolve));
    const hung = pipe.call(3, 'hang', () => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    const killedAt = Date.now();
    pipe.worker.kill('SIGKILL');
    await expect(hung).rejects.toThrow(IPACrashedError);
    // Its timeout is 5 s: well before it, with room for a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan(2000);
    const error = await crashed;
    expect([error.signal, error.exitCode, error.message]).toEqual(['SIGKILL', null, 'the IPA worker was killed by SIGKILL']);
    await expect(pipe.call(1, 'get', () => {})).rejects.toBe(error);
    expect(() => pipe.send(2, i32(1))).toThrow(error);
    expect(pipe.worker.signalCode).toBe('SIGKILL'); // reaped: no zombie
  });

  it('reports a worker that dies during a call', async () => {
    const pipe = open();
    await expect(pipe.call(4, 'crash', () => {})).rejects.toThrow('the IPA worker was killed by SIGKILL');
  });

  it('reports a worker that cannot start', async () => {
    const pipe = open({ command: ['/nonexistent/ipa-worker'] });
    await expect(pipe.call(1, 'get', () => {})).rejects.toThrow(IPACrashedError);
    expect(pipe.failed?.message).toMatch(/ENOENT/);
  });

  it('closes with Exit: the worker leaves by itself and calls in flight reject', async () => {
    const pipe = open();
    await pipe.call(1, 'get', () => {});
    const hung = pipe.call(3, 'hang', () => {});
    await pipe.close();
    await expect(hung).rejects.toThrow(IPAClosedError);
    expect(pipe.worker.exitCode).toBe(0);
    await expect(pipe.call(1, 'get', () => {})).rejects.toThrow(IPAClosedError);
  });

  it('delivers 1 000 000 one-way calls in order, then a sync call', async () => {
    const pipe = open({ timeoutMs: 30000 });
    for (let i = 0; i < 1_000_000; i++) {
      pipe.send(2, i32(i));
      if (i % 4096 === 0) await pipeDrained(pipe);
    }
    const reply = new Reader((await pipe.call(8, 'count', () => {})).data);
    expect([reply.u32('count'), reply.bool('inOrder')]).toEqual([1_000_000, true]);
  }, 120000);

  it('leaves no fds behind', async () => {
    const before = fs.readdirSync('/proc/self/fd').length;
    const pipe = open();
    await pipe.call(1, 'get', () => {});
    await pipe.close();
    pipes.splice(pipes.indexOf(pipe), 1);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });
});

/** Lets the socket's queue empty before sending more. */
function pipeDrained(pipe: Pipe): Promise<void> {
  return (pipe as unknown as { transport: { drained(): Promise<void> } }).transport.drained();
}
