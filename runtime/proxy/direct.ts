import { EventEmitter } from 'node:events';
import type { ContractCodec } from '../contract';
import { IPAClosedError, IPACrashedError } from '../errors';
import { Fifo } from '../fifo';
import { warnProtocol } from '../ipc/protocol-warnings';

/**
 * The IPA in the caller's thread, with no serialization. Calls and events still go through
 * queues, run in order and never re-entrantly (a call made from an event listener waits for the
 * current call to finish), as they would across a thread or a process. An IPA that throws ends
 * as an isolated one would: the call rejects with IPACrashedError, 'crashed' is emitted and
 * later calls fail fast.
 */
export class DirectProxy extends EventEmitter {
  readonly isolation = 'direct' as const;
  private readonly calls = new Fifo<QueuedCall>();
  private running = false;
  private closed: IPAClosedError | IPACrashedError | undefined;
  private ipa: Record<string, (...args: unknown[]) => unknown>;
  private readonly events: Record<string, (...args: unknown[]) => void> = {};

  constructor(codec: ContractCodec, private readonly create: (events: Record<string, (...args: unknown[]) => void>) => unknown) {
    super();
    for (const event of codec.model.events!.methods) {
      // Delivered after the IPA's current call returns, in the order they were sent.
      this.events[event.name] = (...args) => queueMicrotask(() => this.emit(event.name, ...args));
    }
    this.ipa = create(this.events) as Record<string, (...args: unknown[]) => unknown>;
    for (const method of codec.model.interface!.methods) {
      const name = method.name;
      (this as unknown as Record<string, unknown>)[name] = method.kind === 'call'
        ? (...args: unknown[]) => this.enqueueCall(name, args)
        : (...args: unknown[]) => this.enqueueOneWay(name, args);
    }
  }

  private enqueueCall(name: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(this.failFast(name));
    return new Promise((resolve, reject) => {
      this.calls.push({ name, args, resolve, reject });
      this.schedule();
    });
  }

  private enqueueOneWay(name: string, args: unknown[]): void {
    if (this.closed) throw this.failFast(name);
    this.calls.push({ name, args, resolve: undefined, reject: undefined });
    this.schedule();
  }

  private schedule(): void {
    if (this.running) return;
    this.running = true;
    queueMicrotask(() => void this.drain());
  }

  /**
   * Runs the queued calls in order. An IPA method that returns a promise is awaited before the
   * next call starts; one that returns at once costs no extra turn of the microtask queue.
   */
  private async drain(): Promise<void> {
    while (this.calls.length > 0) {
      const call = this.calls.shift()!;
      if (this.closed) {
        call.reject?.(this.closed);
        continue;
      }
      try {
        let result = this.ipa[call.name]!(...call.args);
        if (isThenable(result)) result = await result;
        call.resolve?.(result);
      } catch (error) {
        const crashed = this.crash(error, call.name);
        call.reject?.(crashed);
      }
    }
    this.running = false;
  }

  /** The error for a call made once the IPA crashed (the crash) or the proxy closed. */
  private failFast(name: string): Error {
    return this.closed instanceof IPACrashedError ? this.closed : new IPAClosedError(`${name}: the proxy was closed`);
  }

  private crash(error: unknown, during: string): IPACrashedError | IPAClosedError {
    if (this.closed) return this.closed;
    const crashed = new IPACrashedError(null, null, `${during} threw ${(error as Error)?.message ?? error}`);
    this.closed = crashed;
    this.emit('crashed', crashed);
    return crashed;
  }

  /**
   * The pipeline handler found the IPA hung. It shares this thread, so nothing can end it: it is
   * failed as a crashed one is, and a restart() makes a new one.
   */
  declareHung(reason: string): void {
    if (this.closed) return;
    this.closed = new IPACrashedError(null, null, `hung: ${reason}`);
    this.emit('crashed', this.closed);
  }

  /** The pipeline handler refused something the IPA sent. */
  reportMisbehaviour(error: Error): void {
    if (this.listenerCount('protocolError') > 0) this.emit('protocolError', error);
    else warnProtocol(error.message);
  }

  get failure(): IPAClosedError | IPACrashedError | undefined {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed ??= new IPAClosedError('the proxy was closed');
  }

  /** A new IPA from the module, as a restarted worker would have; calls go through again. */
  async restart(): Promise<void> {
    this.closed = undefined;
    this.ipa = this.create(this.events) as Record<string, (...args: unknown[]) => unknown>;
  }
}

interface QueuedCall {
  name: string;
  args: unknown[];
  /** Set for calls with a reply; one-way calls have nobody to tell. */
  resolve: ((value: unknown) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
