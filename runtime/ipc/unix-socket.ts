import { atEndOfTurn } from '../end-of-turn';
import { Fifo } from '../fifo';
import { native, sys, SystemError, systemError } from '../native';
import { closeReceived } from './received-fds';
import type { OpenTransport, Transport } from './transport';

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
/** What the watcher reads a datagram into: any a socket with the default buffer size carries (212 KiB). */
const RECEIVE_BYTES = 256 * 1024;
/** A typed array this small lives on V8's heap, with no ArrayBuffer of its own until one is asked for. */
const ON_HEAP_BYTES = 64;
/** SCM_RIGHTS carries at most 253 fds a message (SCM_MAX_FD), and a batch as many. */
const MAX_FDS = 253;
const BATCH_FDS = MAX_FDS;
const NO_FDS: number[] = [];
/** The first word of a batch datagram ("TIPB"). */
const BATCH_MAGIC = 0x42504954;
/**
 * The most a socket queues for a peer that does not take it: past either bound the peer is
 * taken as hung (see SocketLimits). 64 MiB, because a pipeline may burst a million one-way calls
 * (32 MiB) in one turn of the event loop to a worker that reads them all; 1024 fds, because each
 * queued fd is a duplicate held in this process's fd table.
 */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_QUEUED_FDS = 1024;
/** What a queued datagram costs beyond its bytes: its entry, its copy's header, its fd list. */
const ENTRY_BYTES = 64;

export interface SocketLimits {
  /**
   * Bytes that may wait to be sent, counting each queued datagram's entry (default 64 MiB). A
   * send past it fails with SystemError ENOBUFS, the queue and its fds are dropped, and every
   * later send fails the same way: the peer has stopped reading.
   */
  maxQueuedBytes?: number;
  /** fd duplicates that may wait to be sent (default 1024); past it, as for bytes. */
  maxQueuedFds?: number;
}

interface Pending {
  /** A message's payload, or a whole batch datagram. */
  payload: Uint8Array;
  /** Duplicates the socket owns until they are sent, so callers may close theirs at once. */
  fds: number[];
  /** A batch datagram goes as it is; a message goes in libcamera's two datagrams. */
  isBatch: boolean;
  headerSent: boolean;
}

/**
 * One end of a socketpair speaking libcamera's IPCUnixSocket framing (two datagrams a message:
 * an 8-byte header, then the payload with its fds). Receiving is driven by the event loop;
 * sending never blocks: when the socket is full, messages wait in order for it to drain.
 */
export class IPCUnixSocket implements Transport {
  private readonly watcher: InstanceType<ReturnType<typeof native>['SocketWatcher']>;
  /** What the watcher reads every datagram into; a message handed on is a copy of its bytes. */
  private readonly received = new Uint8Array(RECEIVE_BYTES);
  private readonly handlers: SocketHandlers;
  /**
   * The largest payload a message may have: what the kernel takes in one datagram from this
   * socket (its send buffer less 32 bytes; 212 960 bytes by default), as a message's payload goes
   * in one. libcamera's messages have the same bound.
   */
  readonly maxPayloadBytes: number;
  private readonly queue = new Fifo<Pending>();
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  /** Sending batches to a ts-ipa peer (see enableBatching). */
  private batching = false;
  private flushScheduled = false;
  private waitingForRoom = false;
  /**
   * The batch datagram being filled: messages are copied straight into it, so a burst of
   * messages allocates a buffer per 64 KiB rather than objects per message.
   */
  private batch = new Uint8Array(BATCH_BYTES);
  private batchView = new DataView(this.batch.buffer);
  private batchUsed = 8;
  private batchCount = 0;
  private batchFds: number[] = [];
  private readonly maxQueuedBytes: number;
  private readonly maxQueuedFds: number;
  /** What the queue holds (the batch being filled not included). */
  private queuedBytes = 0;
  private queuedFds = 0;
  /** Set once the queue overflowed: every send fails with it. */
  private overflow: SystemError | undefined;

  /** Two connected sockets' fds (datagram, non-blocking, close-on-exec). */
  static pair(): [number, number] {
    return sys(() => native().socketPair());
  }

  /** Takes ownership of `fd`: closing the socket closes it. */
  constructor(
    readonly fd: number,
    handlers: SocketHandlers,
    limits: SocketLimits = {},
  ) {
    this.handlers = handlers;
    this.maxQueuedBytes = limits.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.maxQueuedFds = limits.maxQueuedFds ?? DEFAULT_MAX_QUEUED_FDS;
    this.maxPayloadBytes = sys(() => native().sendBufferSize(fd)) - 32;
    this.watcher = sys(() => new (native().SocketWatcher)(
      fd,
      (payloads, fdLists) => {
        let i = 0;
        this.delivering = true;
        try {
          for (; i < payloads.length; i++) this.deliver(payloads[i]!, fdLists[i]!);
        } finally {
          // A handler that threw leaves the messages after it unowned: their fds are closed.
          for (i++; i < payloads.length; i++) closeReceived(fdLists[i]!);
          this.deliveryDone();
        }
      },
      (datagram, fds) => {
        this.delivering = true;
        try {
          this.receiveBatch(datagram, fds);
        } finally {
          this.deliveryDone();
        }
      },
      () => this.flush(),
      (error) => handlers.onError(systemError(error) as SystemError),
      (at, size, fds) => {
        this.delivering = true;
        try {
          this.deliver(copyOut(this.received, at, size), fds);
        } finally {
          this.deliveryDone();
        }
      },
      this.received,
    ));
  }

  /**
   * Set while the watcher hands messages on. What their handlers send (a worker's replies) goes
   * out once they are all handed on, before the turn's microtasks run, with no task queued to
   * send it: the same batch the end of the turn would send, a promise and a microtask sooner.
   */
  private delivering = false;

  private deliveryDone(): void {
    this.delivering = false;
    if (this.flushScheduled) this.endOfTurn();
  }

  /** A handler may close the socket: what comes after is dropped, its fds closed. */
  private deliver(payload: Uint8Array, fds: number[]): void {
    if (this.closed) closeReceived(fds);
    else this.handlers.onMessage(payload, fds);
  }

  /** Hands on the messages of a batch datagram, whose layout the addon has checked. */
  private receiveBatch(datagram: Uint8Array, fds: number[]): void {
    const count = readU32(datagram, 4);
    // Plain views over the datagram's buffer (the addon hands a plain Uint8Array, from offset 0).
    const { buffer, byteOffset } = datagram;
    let at = 8;
    let fdAt = 0;
    try {
      for (let i = 0; i < count; i++) {
        const size = readU32(datagram, at);
        const fdCount = readU32(datagram, at + 4);
        const own = fdCount === 0 ? [] : fds.slice(fdAt, fdAt + fdCount);
        fdAt += fdCount;
        at += 8 + size;
        this.deliver(new Uint8Array(buffer, byteOffset + at - size, size), own);
      }
    } finally {
      // Handed on so far; a handler that threw leaves the rest unowned.
      if (fdAt < fds.length) closeReceived(fds.slice(fdAt));
    }
  }

  /** Datagrams to be sent: messages, or batches of them, waiting for room in the socket. */
  get backlog(): number {
    return this.queue.length + (this.batchCount > 0 ? 1 : 0);
  }

  /** Resolves once every message sent so far has gone into the socket. */
  drained(): Promise<void> {
    if (this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Sends a message; `fds` stay the caller's (the kernel passes copies). A message that has to
   * wait for room holds duplicates of its fds until it is sent, so a sender of many fd-carrying
   * messages should pace itself with `drained()`.
   */
  send(payload: Uint8Array, fds: readonly number[] = []): void {
    if (this.closed) throw new SystemError('send: the socket is closed', 'ENOTCONN', undefined, 'send');
    if (this.overflow) throw this.overflow;
    this.checkCarried(payload.length, fds.length);
    this.checkRoom(payload.length, fds.length);
    if (this.batching) {
      // Messages sent in one turn of the event loop leave together, in as few datagrams as fit.
      this.addToBatch(payload, fds);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        if (!this.delivering) atEndOfTurn(this.endOfTurn);
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

  /** What a turn's sends have batched goes out as it ends; one function for every turn, not a closure each. */
  private readonly endOfTurn = (): void => {
    this.flushScheduled = false;
    if (this.closed) return;
    this.sealBatch();
    if (this.queue.length > 0 && !this.waitingForRoom) this.flush();
  };

  /** Sends what waits now, in this turn, as far as the socket takes it (before a process exits). */
  flushNow(): void {
    if (this.closed) return;
    this.sealBatch();
    if (this.queue.length > 0 && !this.waitingForRoom) this.flush();
  }

  /**
   * From now on, send several messages a datagram (ts-ipa's batch framing). Only for a peer known
   * to be ts-ipa: every ts-ipa socket receives both framings, a libcamera one only its own.
   */
  enableBatching(): void {
    this.batching = true;
  }

  private enqueue(payload: Uint8Array, fds: readonly number[], headerSent: boolean): void {
    this.push({ payload: payload.slice(), fds: duplicates(fds), isBatch: false, headerSent });
  }

  private push(pending: Pending): void {
    this.queue.push(pending);
    this.queuedBytes += pending.payload.length + ENTRY_BYTES;
    this.queuedFds += pending.fds.length;
  }

  private shiftSent(): void {
    const sent = this.queue.shift()!;
    this.queuedBytes -= sent.payload.length + ENTRY_BYTES;
    this.queuedFds -= sent.fds.length;
  }

  /**
   * Refuses, before anything is queued, a message no datagram can carry: the kernel would refuse
   * it when its turn came, and with it what is queued behind it.
   */
  private checkCarried(bytes: number, fdCount: number): void {
    if (fdCount > MAX_FDS) throw new SystemError(`a message carries at most ${MAX_FDS} fds, not ${fdCount}`, 'ETOOMANYFDS', undefined, 'send');
    if (bytes > this.maxPayloadBytes) throw new SystemError(`a message carries at most ${this.maxPayloadBytes} bytes, not ${bytes}`, 'EMSGSIZE', undefined, 'send');
  }

  /**
   * Refuses a message that would take the queue past its bounds (the batch being filled counts,
   * at most one datagram): the peer has stopped reading. Everything queued is dropped, its fds
   * closed, and this send and every later one fail with ENOBUFS.
   */
  private checkRoom(bytes: number, fdCount: number): void {
    const queuedBytes = this.queuedBytes + this.batchUsed + bytes + ENTRY_BYTES;
    const queuedFds = this.queuedFds + this.batchFds.length + fdCount;
    if (queuedBytes <= this.maxQueuedBytes && queuedFds <= this.maxQueuedFds) return;
    const what = queuedFds > this.maxQueuedFds
      ? `${this.queuedFds + this.batchFds.length} fds wait, at most ${this.maxQueuedFds} may`
      : `${mib(this.queuedBytes + this.batchUsed)} in ${this.backlog} datagrams wait, at most ${mib(this.maxQueuedBytes)} may`;
    this.overflow = new SystemError(`the send queue is full: ${what}`, 'ENOBUFS', undefined, 'send');
    this.dropQueue();
    throw this.overflow;
  }

  private addToBatch(payload: Uint8Array, fds: readonly number[]): void {
    const size = 8 + payload.length;
    if (8 + size > BATCH_BYTES || fds.length > BATCH_FDS) {
      // Too big for any batch: it goes in libcamera's framing, after what came before it.
      this.sealBatch();
      this.enqueue(payload, fds, false);
      return;
    }
    if (this.batchUsed + size > BATCH_BYTES || this.batchFds.length + fds.length > BATCH_FDS) this.sealBatch();
    const at = this.batchUsed;
    this.batchView.setUint32(at, payload.length, true);
    this.batchView.setUint32(at + 4, fds.length, true);
    this.batch.set(payload, at + 8);
    this.batchUsed = at + size;
    this.batchCount++;
    for (const fd of fds) this.batchFds.push(sys(() => native().dup(fd)));
  }

  /**
   * Ends the batch being filled, if it holds anything: sent at once when nothing waits before
   * it and the socket has room (its buffer is then kept for the next batch), else copied out
   * into the queue.
   */
  private sealBatch(): void {
    if (this.batchCount === 0) return;
    this.batchView.setUint32(0, BATCH_MAGIC, true);
    this.batchView.setUint32(4, this.batchCount, true);
    const used = this.batchUsed;
    const fds = this.batchFds;
    this.batchUsed = 8;
    this.batchCount = 0;
    // A batch without fds (most) leaves its empty list for the next one.
    if (fds.length > 0) this.batchFds = [];
    if (this.queue.length === 0 && !this.waitingForRoom) {
      const binding = native();
      let sent: boolean;
      try {
        sent = binding.sendDatagram(this.fd, this.batch, fds, used);
      } catch (error) {
        for (const fd of fds) binding.close(fd);
        this.dropQueue();
        this.handlers.onError(systemError(error) as SystemError);
        return;
      }
      if (sent) {
        for (const fd of fds) binding.close(fd);
        if (this.drainWaiters.length > 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
        return;
      }
      this.watch(true);
    }
    this.push({ payload: this.batch.slice(0, used), fds: fds.length > 0 ? fds : NO_FDS, isBatch: true, headerSent: false });
  }

  /** Sends what waits, in order: in batch datagrams to a ts-ipa peer, else with sendmmsg. */
  private flush(): void {
    const binding = native();
    while (this.queue.length > 0) {
      let sent: number;
      try {
        sent = this.queue.peek()!.isBatch ? this.sendBatch(binding) : this.sendFramed(binding);
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

  /** The batch datagram at the front of the queue; returns 1 once it went, 0 when full. */
  private sendBatch(binding: ReturnType<typeof native>): number {
    const batch = this.queue.peek()!;
    if (!binding.sendDatagram(this.fd, batch.payload, batch.fds)) return 0;
    this.shiftSent();
    for (const fd of batch.fds) binding.close(fd);
    return 1;
  }

  /** Messages in libcamera's framing, many datagrams a system call; returns how many went. */
  private sendFramed(binding: ReturnType<typeof native>): number {
    const batch = this.queue.front(128);
    const firstBatch = batch.findIndex((pending) => pending.isBatch);
    if (firstBatch > 0) batch.length = firstBatch;
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
    for (let i = 0; i < done; i++) this.shiftSent();
    return done;
  }

  private dropQueue(): void {
    for (const fd of this.batchFds) native().close(fd);
    this.batchFds = [];
    this.batchCount = 0;
    this.batchUsed = 8;
    for (const pending of this.queue.drain()) for (const fd of pending.fds) native().close(fd);
    this.queuedBytes = 0;
    this.queuedFds = 0;
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

/**
 * A received message's own bytes, copied out of the receive buffer. A small one (a call, a
 * reply) is made on V8's heap and copied byte by byte: a new ArrayBuffer costs ten times as much
 * (its backing store, and its sweeping).
 */
function copyOut(received: Uint8Array, at: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  if (size <= ON_HEAP_BYTES) for (let i = 0; i < size; i++) bytes[i] = received[at + i]!;
  else bytes.set(received.subarray(at, at + size));
  return bytes;
}

function duplicates(fds: readonly number[]): number[] {
  return fds.length === 0 ? NO_FDS : fds.map((fd) => sys(() => native().dup(fd)));
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** The transport over a socket the process was handed (a worker's fd 3): it takes the fd's ownership. */
export function socketTransport(fd: number): OpenTransport {
  return (handlers) => new IPCUnixSocket(fd, handlers);
}
