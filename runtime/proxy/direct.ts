import { EventEmitter } from 'node:events';
import type { ContractCodec } from '../contract';
import { IPAClosedError, IPACrashedError } from '../errors';
import { Fifo } from '../fifo';

/**
 * The IPA in the caller's thread, with no serialization. Calls and events still go through
 * queues, run in order and never re-entrantly (a call made from an event listener waits for the
 * current call to finish), as they would across a thread or a process. An IPA that throws ends
 * as an isolated one would: the call rejects with IPACrashedError, 'crashed' is emitted and
 * later calls fail fast.
 */
export class DirectProxy extends EventEmitter {
  readonly isolation = 'direct' as const;
  private readonly calls = new Fifo<() => Promise<void> | void>();
  private running = false;
  private closed: IPAClosedError | IPACrashedError | undefined;
  private readonly ipa: Record<string, (...args: unknown[]) => unknown>;

  constructor(codec: ContractCodec, create: (events: Record<string, (...args: unknown[]) => void>) => unknown) {
    super();
    const events: Record<string, (...args: unknown[]) => void> = {};
    for (const event of codec.model.events!.methods) {
      // Delivered after the IPA's current call returns, in the order they were sent.
      events[event.name] = (...args) => queueMicrotask(() => this.emit(event.name, ...args));
    }
    this.ipa = create(events) as Record<string, (...args: unknown[]) => unknown>;
    for (const method of codec.model.interface!.methods) {
      const invoke = (args: unknown[]): unknown => this.ipa[method.name]!(...args);
      (this as unknown as Record<string, unknown>)[method.name] = method.kind === 'call'
        ? (...args: unknown[]) => this.enqueueCall(method.name, () => invoke(args))
        : (...args: unknown[]) => this.enqueueOneWay(method.name, () => invoke(args));
    }
  }

  private enqueueCall(name: string, run: () => unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new IPAClosedError(`${name}: the proxy was closed`));
    return new Promise((resolve, reject) => {
      this.calls.push(async () => {
        if (this.closed) return reject(this.closed);
        try {
          resolve(await run());
        } catch (error) {
          reject(this.crash(error, name));
        }
      });
      this.schedule();
    });
  }

  private enqueueOneWay(name: string, run: () => unknown): void {
    if (this.closed) throw new IPAClosedError(`${name}: the proxy was closed`);
    this.calls.push(async () => {
      if (this.closed) return;
      try {
        await run();
      } catch (error) {
        this.crash(error, name);
      }
    });
    this.schedule();
  }

  private schedule(): void {
    if (this.running) return;
    this.running = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.calls.length > 0) {
      const next = this.calls.shift()!;
      const pending = next();
      if (pending) await pending;
    }
    this.running = false;
  }

  private crash(error: unknown, during: string): IPACrashedError | IPAClosedError {
    if (this.closed) return this.closed;
    const crashed = new IPACrashedError(null, null, `${during} threw ${(error as Error)?.message ?? error}`);
    this.closed = crashed;
    this.emit('crashed', crashed);
    return crashed;
  }

  get failure(): IPAClosedError | IPACrashedError | undefined {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed ??= new IPAClosedError('the proxy was closed');
  }
}
