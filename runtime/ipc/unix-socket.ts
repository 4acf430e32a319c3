import { Fifo } from '../fifo';
import { native, sys, SystemError, systemError } from '../native';

export interface SocketHandlers {
  /** A message arrived; the receiver owns `fds` and must close them. */
  onMessage(payload: Buffer, fds: number[]): void;
  /**
   * A receive error or a malformed message (its fds already closed; the socket stays usable), or
   * a queued send that failed (the queue is dropped: the peer is gone).
   */
  onError(error: SystemError): void;
}

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
    if (this.queue.length === 0) {
      const sent = sys(() => native().sendMessage(this.fd, payload, fds, false));
      if (sent === 2) return;
      this.enqueue(payload, fds, sent === 1);
      this.watcher.watchWritable(true);
      return;
    }
    this.enqueue(payload, fds, false);
  }

  private enqueue(payload: Uint8Array, fds: readonly number[], headerSent: boolean): void {
    const copies = fds.map((fd) => sys(() => native().dup(fd)));
    this.queue.push({ payload: payload.slice(), fds: copies, headerSent });
  }

  /** Sends what waited for room, in batches (one system call for many datagrams). */
  private flush(): void {
    const binding = native();
    while (this.queue.length > 0) {
      const batch = this.queue.front(128);
      let datagrams: number;
      try {
        datagrams = binding.sendMessages(this.fd, batch.map((p) => p.payload), batch.map((p) => p.fds), batch[0]!.headerSent);
      } catch (error) {
        // The peer is gone or the socket broke: nothing queued can be delivered any more.
        this.dropQueue();
        this.watcher.watchWritable(false);
        this.handlers.onError(systemError(error) as SystemError);
        return;
      }
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
      if (done < batch.length) return; // full again: wait until it can take more
    }
    this.watcher.watchWritable(false);
    for (const resolve of this.drainWaiters.splice(0)) resolve();
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
