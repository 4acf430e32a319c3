import { Fifo } from '../fifo';
import { native, sys, SystemError, systemError } from '../native';

export interface SocketHandlers {
  /** A message arrived; the receiver owns `fds` and must close them. */
  onMessage(payload: Uint8Array, fds: number[]): void;
  /**
   * A receive error or a malformed message (its fds already closed; the socket stays usable), or
   * a queued send that failed (the queue is dropped: the peer is gone).
   */
  onError(error: SystemError): void;
}

/** What one batch datagram holds at most: well inside the 212 KiB a datagram may have. */
const BATCH_BYTES = 64 * 1024;
const BATCH_MESSAGES = 500;
const NO_FDS: number[] = [];
/** The first word of a batch datagram ("TIPB"). */
const BATCH_MAGIC = 0x42504954;

interface Pending {
  payload: Uint8Array;
  /** Duplicates the socket owns until they are sent, so callers may close theirs at once. */
  fds: number[];
  headerSent: boolean;
}

/**
 * One end of a socketpair speaking libcamera's IPCUnixSocket framing (two datagrams a message:
 * an 8-byte header, then the payload with its fds). Receiving is driven by the event loop;
 * sending never blocks: when the socket is full, messages wait in order for it to drain.
 */
export class IPCUnixSocket {
  private readonly watcher: InstanceType<ReturnType<typeof native>['SocketWatcher']>;
  private readonly handlers: SocketHandlers;
  private readonly queue = new Fifo<Pending>();
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  /** Sending batches to a ts-ipa peer (see enableBatching). */
  private batching = false;
  private flushScheduled = false;
  private waitingForRoom = false;

  /** Two connected sockets' fds (datagram, non-blocking, close-on-exec). */
  static pair(): [number, number] {
    return sys(() => native().socketPair());
  }

  /** Takes ownership of `fd`: closing the socket closes it. */
  constructor(
    readonly fd: number,
    handlers: SocketHandlers,
  ) {
    this.handlers = handlers;
    this.watcher = sys(() => new (native().SocketWatcher)(
      fd,
      (payloads, fdLists) => {
        for (let i = 0; i < payloads.length; i++) {
          // A handler may close the socket: what came after is dropped, its fds closed.
          if (this.closed) for (const fd of fdLists[i]!) native().close(fd);
          else handlers.onMessage(payloads[i]!, fdLists[i]!);
        }
      },
      () => this.flush(),
      (error) => handlers.onError(systemError(error) as SystemError),
    ));
  }

  /** Messages waiting for room in the socket. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Resolves once every message sent so far has gone into the socket. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Sends a message; `fds` stay the caller's (the kernel passes copies). A message that has to
   * wait for room holds duplicates of its fds until it is sent, so a sender of many fd-carrying
   * messages should pace itself with `drained()`.
   */
  send(payload: Uint8Array, fds: readonly number[] = []): void {
    if (this.closed) throw new SystemError('send: the socket is closed', 'ENOTCONN', undefined, 'send');
    if (this.batching) {
      // Messages sent in one turn of the event loop leave together, in one datagram.
      this.enqueue(payload, fds, false);
      if (!this.flushScheduled && !this.waitingForRoom) {
        this.flushScheduled = true;
        queueMicrotask(() => {
          this.flushScheduled = false;
          if (!this.closed) this.flush();
        });
      }
      return;
    }
    if (this.queue.length === 0) {
      const sent = sys(() => native().sendMessage(this.fd, payload, fds, false));
      if (sent === 2) return;
      this.enqueue(payload, fds, sent === 1);
      this.watch(true);
      return;
    }
    this.enqueue(payload, fds, false);
  }

  /**
   * From now on, send several messages a datagram (ts-ipa's batch framing). Only for a peer known
   * to be ts-ipa: every ts-ipa socket receives both framings, a libcamera one only its own.
   */
  enableBatching(): void {
    this.batching = true;
  }

  private enqueue(payload: Uint8Array, fds: readonly number[], headerSent: boolean): void {
    const copies = fds.length === 0 ? NO_FDS : fds.map((fd) => sys(() => native().dup(fd)));
    this.queue.push({ payload: payload.slice(), fds: copies, headerSent });
  }

  /** Sends what waits, in order: in batch datagrams to a ts-ipa peer, else with sendmmsg. */
  private flush(): void {
    const binding = native();
    while (this.queue.length > 0) {
      let sent: number;
      try {
        sent = this.batching && !this.queue.peek()!.headerSent ? this.sendBatch(binding) : this.sendFramed(binding);
      } catch (error) {
        // The peer is gone or the socket broke: nothing queued can be delivered any more.
        this.dropQueue();
        this.watch(false);
        this.handlers.onError(systemError(error) as SystemError);
        return;
      }
      if (sent === 0) {
        this.watch(true); // full: wait until it can take more
        return;
      }
    }
    this.watch(false);
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private watch(on: boolean): void {
    if (this.waitingForRoom === on) return;
    this.waitingForRoom = on;
    this.watcher.watchWritable(on);
  }

  /** Up to BATCH_BYTES of messages (at most 253 fds) in one datagram; returns how many went. */
  private sendBatch(binding: ReturnType<typeof native>): number {
    const batch: Pending[] = [];
    let bytes = 8;
    let fdCount = 0;
    for (const pending of this.queue.front(BATCH_MESSAGES)) {
      const size = 8 + pending.payload.length;
      if (batch.length > 0 && (bytes + size > BATCH_BYTES || fdCount + pending.fds.length > 253)) break;
      if (pending.payload.length > BATCH_BYTES) break;
      batch.push(pending);
      bytes += size;
      fdCount += pending.fds.length;
    }
    if (batch.length === 0) return this.sendFramed(binding); // a message too big for a batch
    // The datagram is built here, in one piece: one call into the addon, one system call.
    const datagram = new Uint8Array(bytes);
    const view = new DataView(datagram.buffer);
    view.setUint32(0, BATCH_MAGIC, true);
    view.setUint32(4, batch.length, true);
    const fds: number[] = [];
    let at = 8;
    for (const pending of batch) {
      view.setUint32(at, pending.payload.length, true);
      view.setUint32(at + 4, pending.fds.length, true);
      datagram.set(pending.payload, at + 8);
      at += 8 + pending.payload.length;
      for (const fd of pending.fds) fds.push(fd);
    }
    if (!binding.sendDatagram(this.fd, datagram, fds)) return 0;
    for (const pending of batch) {
      this.queue.shift();
      for (const fd of pending.fds) binding.close(fd);
    }
    return batch.length;
  }

  /** Messages in libcamera's framing, many datagrams a system call; returns how many went. */
  private sendFramed(binding: ReturnType<typeof native>): number {
    const batch = this.queue.front(128);
    let datagrams = binding.sendMessages(this.fd, batch.map((p) => p.payload), batch.map((p) => p.fds), batch[0]!.headerSent);
    let done = 0;
    for (const pending of batch) {
      const needed = pending.headerSent ? 1 : 2;
      if (datagrams < needed) {
        if (datagrams === 1) pending.headerSent = true;
        break;
      }
      datagrams -= needed;
      done++;
      for (const fd of pending.fds) binding.close(fd);
    }
    for (let i = 0; i < done; i++) this.queue.shift();
    return done;
  }

  private dropQueue(): void {
    for (const pending of this.queue.drain()) for (const fd of pending.fds) native().close(fd);
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Whether the socket alone keeps the process running (it does by default). */
  setRef(on: boolean): void {
    if (!this.closed) this.watcher.setRef(on);
  }

  /** Stops receiving, drops unsent messages and closes the fd. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropQueue();
    this.watcher.close();
  }
}
