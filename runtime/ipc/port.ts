import { atEndOfTurn } from '../end-of-turn';
import { native } from '../native';
import { closeReceived } from './received-fds';
import type { OpenTransport, Transport, TransportHandlers } from './transport';

/**
 * What crosses a worker thread's port: a message alone (the common case of a call and its reply,
 * kept as small to clone as can be: its bytes alone when it has no fds), or the messages of one event-loop turn packed back to back
 * in one transferred buffer with their sizes and the fds of those that carry any, by index.
 */
export type PortMessage =
  | ArrayBuffer
  | { payload: ArrayBuffer; fds: number[] }
  | { bytes: ArrayBuffer; sizes: number[]; fds: [index: number, fds: number[]][] };

const INITIAL_BYTES = 64 * 1024;
/** Past these a batch leaves at once: the receiver starts sooner and memory stays bounded. */
const MAX_BATCH_BYTES = 1024 * 1024;
const MAX_BATCH_MESSAGES = 8192;
const NO_FDS: number[] = [];

/**
 * Posts the messages sent in one turn of the event loop in as few port messages as it can: a
 * post costs about as much as a small call itself, and a structured clone of one buffer and one
 * list costs less than one per message. Each message's fds are duplicated: the receiver owns
 * them, as SCM_RIGHTS gives a receiving process its own.
 */
export class PortBatcher {
  private buffer = new Uint8Array(INITIAL_BYTES);
  private used = 0;
  private sizes: number[] = [];
  private fds: [number, number[]][] = [];
  private turnStarted = false;

  constructor(private readonly post: (message: PortMessage, transfer: ArrayBuffer[]) => void) {}

  add(payload: Uint8Array, fds: readonly number[]): void {
    const copies = fds.length === 0 ? NO_FDS : fds.map((fd) => native().dup(fd));
    if (!this.turnStarted) {
      // The first message of a turn leaves at once, alone: a call waiting for its reply should
      // not wait for the turn to end as well. Those after it in the same turn are batched.
      this.turnStarted = true;
      atEndOfTurn(() => this.flush());
      const alone = payload.slice().buffer;
      this.post(copies.length === 0 ? alone : { payload: alone, fds: copies }, [alone]);
      return;
    }
    if (this.used + payload.length > this.buffer.length) this.grow(payload.length);
    this.buffer.set(payload, this.used);
    this.used += payload.length;
    if (copies.length > 0) this.fds.push([this.sizes.length, copies]);
    this.sizes.push(payload.length);
    if (this.used >= MAX_BATCH_BYTES || this.sizes.length >= MAX_BATCH_MESSAGES) this.postBatch();
  }

  private grow(needed: number): void {
    const larger = new Uint8Array(Math.max(this.buffer.length * 2, this.used + needed));
    larger.set(this.buffer.subarray(0, this.used));
    this.buffer = larger;
  }

  /** The end of a turn: what it batched leaves, and the next message starts a new turn. */
  flush(): void {
    this.turnStarted = false;
    this.postBatch();
  }

  private postBatch(): void {
    if (this.sizes.length === 0) return;
    // The used part is copied out rather than the whole buffer transferred: a batch is usually
    // far smaller than the buffer, which is then kept for the next one.
    const bytes = this.buffer.slice(0, this.used).buffer;
    const message: PortMessage = this.sizes.length === 1
      ? { payload: bytes, fds: this.fds[0]?.[1] ?? NO_FDS }
      : { bytes, sizes: this.sizes, fds: this.fds };
    this.used = 0;
    this.sizes = [];
    this.fds = [];
    this.post(message, [bytes]);
  }
}

/** Hands each message of a port message on, in order, as a view into the batch's buffer. */
export function eachMessage(message: PortMessage, receive: (payload: Uint8Array, fds: number[]) => void): void {
  if (message instanceof ArrayBuffer) return receive(new Uint8Array(message), []);
  if ('payload' in message) return receive(new Uint8Array(message.payload), message.fds);
  const { bytes, sizes, fds } = message;
  let offset = 0;
  let nextWithFds = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i]!;
    const withFds = fds[nextWithFds];
    let own: number[] = [];
    if (withFds !== undefined && withFds[0] === i) {
      own = withFds[1];
      nextWithFds++;
    }
    receive(new Uint8Array(bytes, offset, size), own);
    offset += size;
  }
}

/** Either side of a thread's port: the Worker object in the parent, its parentPort in the thread. */
interface Port {
  postMessage(message: PortMessage, transfer: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: PortMessage) => void): unknown;
}

/**
 * The transport over a worker thread's port: messages batched by turn (PortBatcher), each
 * received one handed on in order. Closing closes a MessagePort (the thread's side); a Worker
 * object is the pipe's to end.
 */
export class PortTransport implements Transport {
  private readonly outgoing: PortBatcher;
  private closed = false;

  constructor(private readonly port: Port & { close?(): void }, handlers: TransportHandlers) {
    this.outgoing = new PortBatcher((message, transfer) => port.postMessage(message, transfer));
    port.on('message', (message) => eachMessage(message, (payload, fds) => {
      if (this.closed) closeReceived(fds);
      else handlers.onMessage(payload, fds);
    }));
  }

  send(payload: Uint8Array, fds: readonly number[]): void {
    this.outgoing.add(payload, fds);
  }

  /** A port batches always. */
  enableBatching(): void {}

  flushNow(): void {
    this.outgoing.flush();
  }

  close(): void {
    this.closed = true;
    this.port.close?.();
  }
}

export function portTransport(port: Port & { close?(): void }): OpenTransport {
  return (handlers) => new PortTransport(port, handlers);
}
