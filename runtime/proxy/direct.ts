import { EventEmitter } from 'node:events';
import { closeCopied, Copier } from '../codec/copier';
import type { ContractCodec, MethodCodec } from '../contract';
import { ControlSerializer, ControlSerializerRole } from '../controls/serializer';
import { ContractError, type DeserializeError, EventListenerError, IPAClosedError, IPACrashedError, messageOf } from '../errors';
import { Fifo } from '../fifo';
import { warnProtocol } from '../ipc/protocol-warnings';
import { runListeners } from './listeners';

type Copy = (c: Copier, ...args: unknown[]) => unknown;

/**
 * The IPA in the caller's thread, with no serialization but with its effects: every value
 * crosses through the contract's generated copies, which refuse what the codecs refuse, with the
 * same errors, and make of the rest what decoding would (see Copier), in both directions. Calls
 * and events still go through queues, run in order and never re-entrantly (a call made from an
 * event listener waits for the current call to finish), as they would across a thread or a
 * process. An IPA that throws ends as an isolated one would: the call rejects with
 * IPACrashedError, 'crashed' is emitted and later calls fail fast.
 */
export class DirectProxy extends EventEmitter {
  readonly isolation = 'direct' as const;
  private readonly calls = new Fifo<QueuedCall>();
  private running = false;
  private closed: IPAClosedError | IPACrashedError | undefined;
  private ipa: Record<string, (...args: unknown[]) => unknown>;
  private readonly events: Record<string, (...args: unknown[]) => void> = {};
  /** A pipe's two ControlSerializers, one an end: controls cross from one to the other. */
  private readonly callerControls = new ControlSerializer(ControlSerializerRole.Proxy);
  private readonly ipaControls = new ControlSerializer(ControlSerializerRole.Worker);
  private readonly toIpa = new Copier(this.callerControls, this.ipaControls);
  private readonly toCaller = new Copier(this.ipaControls, this.callerControls);

  constructor(codec: ContractCodec, private readonly create: (events: Record<string, (...args: unknown[]) => void>) => unknown) {
    super();
    for (const event of codec.model.events!.methods) {
      const copyParams = copiesOf(codec.events[event.name], event.name).copyParams as Copy;
      this.events[event.name] = (...args) => this.sendEvent(event.name, copyParams, args);
    }
    this.ipa = create(this.events) as Record<string, (...args: unknown[]) => unknown>;
    for (const method of codec.model.interface!.methods) {
      const { name, resetsControls } = method;
      const { copyParams, copyResult } = copiesOf(codec.methods[name], name) as unknown as Record<string, Copy>;
      (this as unknown as Record<string, unknown>)[name] = method.kind === 'call'
        ? (...args: unknown[]) => this.enqueueCall(name, resetsControls, copyParams!, copyResult!, args)
        : (...args: unknown[]) => this.enqueueOneWay(name, resetsControls, copyParams!, args);
    }
  }

  private enqueueCall(name: string, resetsControls: boolean, copyParams: Copy, copyResult: Copy, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(this.failFast(name));
    let call: QueuedCall;
    try {
      call = this.copyCall(name, resetsControls, copyParams, args, copyResult);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      call.resolve = resolve;
      call.reject = reject;
      this.calls.push(call);
      this.schedule();
    });
  }

  private enqueueOneWay(name: string, resetsControls: boolean, copyParams: Copy, args: unknown[]): void {
    if (this.closed) throw this.failFast(name);
    this.calls.push(this.copyCall(name, resetsControls, copyParams, args, undefined));
    this.schedule();
  }

  /**
   * Copies a call's arguments when it is made, as a pipe encodes them then: what the caller
   * changes afterwards, the IPA does not see, and what the sender refuses throws here.
   */
  private copyCall(name: string, resetsControls: boolean, copyParams: Copy, args: unknown[], copyResult: Copy | undefined): QueuedCall {
    if (resetsControls) {
      this.callerControls.reset();
      this.ipaControls.reset();
    }
    const { copied, fds, refused } = copyWith(this.toIpa, copyParams, args);
    if (!refused) return { name, args: copied, fds, refused, copyResult, resolve: undefined, reject: undefined };
    closeCopied(fds);
    return { name, args: [], fds: [], refused, copyResult, resolve: undefined, reject: undefined };
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
      // A call the IPA's end cannot decode ends the IPA, as it ends a worker.
      if (call.refused) this.crash(call.refused, call.name);
      if (this.closed) {
        closeCopied(call.fds);
        call.reject?.(this.closed);
        continue;
      }
      let result: unknown;
      try {
        result = this.ipa[call.name]!(...call.args);
        if (isThenable(result)) result = await result;
      } catch (error) {
        closeCopied(call.fds);
        call.reject?.(this.crash(error, call.name));
        continue;
      }
      this.answer(call, result);
    }
    this.running = false;
  }

  /**
   * The reply, copied as the IPA's end would encode it (a result it cannot encode ends the IPA)
   * and the caller's would decode it (one it cannot decode is the IPA's protocol error). The
   * call's fds were the IPA's while it ran; the reply's are the caller's.
   */
  private answer(call: QueuedCall, result: unknown): void {
    if (!call.copyResult) return closeCopied(call.fds);
    const c = this.toCaller.begin();
    let reply: unknown;
    try {
      reply = call.copyResult(c, result);
    } catch (error) {
      closeCopied(c.takeFds());
      closeCopied(call.fds);
      call.reject!(this.crash(error, call.name));
      return;
    }
    const fds = c.takeFds();
    closeCopied(call.fds);
    if (c.refused) {
      closeCopied(fds);
      this.reportMisbehaviour(c.refused);
      call.reject!(c.refused);
      return;
    }
    call.resolve!(reply);
  }

  /**
   * What the IPA's `events.x(...)` does: its values are copied at once (what its end cannot
   * encode throws into the IPA, as a pipe's encoder would) and delivered after the IPA's current
   * call returns, in the order they were sent.
   */
  private sendEvent(name: string, copyParams: Copy, args: unknown[]): void {
    const { copied, fds, refused } = copyWith(this.toCaller, copyParams, args);
    queueMicrotask(() => {
      if (refused) {
        closeCopied(fds);
        this.reportMisbehaviour(refused);
      } else {
        this.deliver(name, copied, fds);
      }
    });
  }

  /**
   * Runs each listener of an event as a remote proxy does: one that throws (or whose promise
   * rejects) is the IPA's protocol error, and the others still run. The event's fds are open
   * while they run.
   */
  private deliver(name: string, args: unknown[], fds: readonly number[]): void {
    if (this.listenerCount(name) === 0) return closeCopied(fds);
    try {
      runListeners(this, name, args, (error) => this.reportMisbehaviour(new EventListenerError(name, error)));
    } finally {
      closeCopied(fds);
    }
  }

  /** The error for a call made once the IPA crashed (the crash) or the proxy closed. */
  private failFast(name: string): Error {
    return this.closed instanceof IPACrashedError ? this.closed : new IPAClosedError(`${name}: the proxy was closed`);
  }

  private crash(error: unknown, during: string): IPACrashedError | IPAClosedError {
    if (this.closed) return this.closed;
    const crashed = new IPACrashedError(null, null, `${during}: ${messageOf(error)}`);
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
    if (this.listenerCount('protocolError') === 0) return warnProtocol(error.message);
    try {
      this.emit('protocolError', error);
    } catch (thrown) {
      warnProtocol(`a protocolError listener threw: ${messageOf(thrown)}`);
    }
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
    this.callerControls.reset();
    this.ipaControls.reset();
    this.ipa = this.create(this.events) as Record<string, (...args: unknown[]) => unknown>;
  }
}

interface QueuedCall {
  name: string;
  args: unknown[];
  /** The fds duplicated for the IPA, closed once it has answered. */
  fds: readonly number[];
  /** What the IPA's end would have refused to decode. */
  refused: Error | undefined;
  /** Set for calls with a reply; one-way calls have nobody to tell. */
  copyResult: Copy | undefined;
  resolve: ((value: unknown) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
}

function copiesOf(codec: MethodCodec | undefined, name: string): MethodCodec {
  if (typeof codec?.copyParams !== 'function') {
    throw new ContractError(`'${name}' has no generated copy for direct mode: its contract was compiled by an older ts-ipa transformer. Rebuild it.`);
  }
  return codec;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Copies values across with one side's Copier: what it throws (a value the sender's end cannot
 * encode) leaves no copied fd open; what it refuses (only the receiving end would) comes back as
 * `refused`, for the caller to report.
 */
function copyWith(copier: Copier, copyParams: Copy, args: unknown[]): { copied: unknown[]; fds: readonly number[]; refused: DeserializeError | undefined } {
  const c = copier.begin();
  let copied: unknown[];
  try {
    copied = copyParams(c, ...args) as unknown[];
  } catch (error) {
    closeCopied(c.takeFds());
    throw error;
  }
  return { copied, fds: c.takeFds(), refused: c.refused };
}
