/**
 * The raw baselines the IPC benchmark compares against: a Node Unix stream socket to a child
 * process, and a worker thread's MessagePort, each answering 8-byte pings.
 * Run as a child: `node raw-peers.js socket <path>` serves the socket.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

/** Socket protocol: 8-byte messages; the first u32 is 0 for a ping (echoed), 1 for one-way (counted, echoed once `count` arrived). */
function serveSocket(file: string): void {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let oneWay = 0;
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (pending.length - at >= 8) {
        const kind = pending.readUInt32LE(at);
        if (kind === 0) socket.write(pending.subarray(at, at + 8));
        else if (kind === 1) oneWay++;
        else if (kind === 2) {
          const reply = Buffer.alloc(8);
          reply.writeUInt32LE(oneWay, 0);
          oneWay = 0;
          socket.write(reply);
        }
        at += 8;
      }
      pending = pending.subarray(at);
    });
  });
  server.listen(file, () => process.send?.('ready'));
}

export class RawSocketPeer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly socket: net.Socket,
  ) {}

  static async start(): Promise<RawSocketPeer> {
    const file = path.join(os.tmpdir(), `ts-ipa-bench-${process.pid}-${Date.now()}.sock`);
    const child = fork(__filename, ['socket', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
    const socket = net.connect(file);
    socket.setNoDelay(true);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return new RawSocketPeer(child, socket);
  }

  /** One round trip. */
  ping(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('data', () => resolve());
      this.socket.write(PING);
    });
  }

  /** `count` one-way messages, each its own write as a message would be, then one answered. */
  oneWay(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('data', () => resolve());
      for (let i = 0; i < count; i++) this.socket.write(ONE_WAY);
      this.socket.write(COUNT);
    });
  }

  close(): void {
    this.socket.destroy();
    this.child.kill();
  }
}

const PING = Buffer.alloc(8);
const ONE_WAY = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);
const COUNT = Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]);

export class RawPortPeer {
  private answered: (() => void) | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', () => this.answered?.());
  }

  static async start(): Promise<RawPortPeer> {
    const worker = new Worker(__filename);
    await new Promise<void>((resolve) => worker.once('online', () => resolve()));
    return new RawPortPeer(worker);
  }

  /** The least a round trip takes: 8 bytes transferred each way, one listener for all replies. */
  ping(): Promise<void> {
    return new Promise((resolve) => {
      this.answered = resolve;
      const payload = new ArrayBuffer(8);
      this.worker.postMessage(payload, [payload]);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (payload: ArrayBuffer) => port.postMessage(payload, [payload]));
} else if (require.main === module && process.argv[2] === 'socket') {
  serveSocket(process.argv[3]!);
}
