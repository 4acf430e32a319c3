import { EventEmitter } from 'node:events';
import { Reader } from '../codec/reader';
import type { Writer } from '../codec/writer';
import type { ContractCodec } from '../contract';
import type { ControlSerializer } from '../controls/serializer';
import { DeserializeError, EventListenerError, IPAError, type IPAClosedError, type IPACrashedError, type IPARecoveryError, messageOf } from '../errors';
import type { IPCMessage } from '../ipc/protocol';
import { warnProtocol } from '../ipc/protocol-warnings';
import { closeReceived } from '../ipc/received-fds';
import { runListeners } from './listeners';
import { Recovery, type RecoveryPolicy } from './recovery';
import type { Isolation } from './types';

/** What a remote proxy sends through: the process pipe, or a worker thread's port. */
export interface Channel extends EventEmitter {
  call(cmd: number, name: string, encode: (w: Writer) => void): Promise<IPCMessage>;
  /**
   * A call whose reply the channel decodes as it arrives (see CallPipe.request): a reply that
   * does not decode is reported and counted there, its fds closed, and the call rejects.
   */
  request<R>(cmd: number, name: string, encode: (w: Writer) => void, decode: (r: Reader) => R, controls?: ControlSerializer): Promise<R>;
  send(cmd: number, encode: (w: Writer) => void): void;
  close(): Promise<void>;
  abandon(reason: string): void;
  readonly failed: Error | undefined;
  /** Something the worker sent did not decode: reported, and counted against the worker. */
  reportMalformed(error: Error): void;
}

/**
 * The base of every generated proxy class (`<Interface>Proxy`): its methods encode, send and
 * decode; this class matches events to listeners and carries the proxy-side ControlSerializer.
 * Events: the contract's events, 'crashed', 'protocolError' for a malformed message, and with a
 * recovery policy 'recovered' and 'recoveryFailed'.
 *
 * Every reply and event is the IPA's, so untrusted: decoding one that is malformed is a protocol
 * error (the call rejects with a DeserializeError, the event is dropped), and so is a listener
 * of this proxy that throws or rejects on an event's values (EventListenerError); each counts
 * against the worker, which its pipe ends as broken past its budget. None escapes to the process.
 */
export class RemoteProxy extends EventEmitter {
  private channel!: Channel;
  private reopen: (() => Promise<Channel>) | undefined;
  private recovery: Recovery | undefined;
  private closed = false;

  constructor(
    readonly isolation: Isolation,
    channel: Channel,
    private readonly codec: ContractCodec,
    private readonly controls: ControlSerializer,
  ) {
    super();
    this.attach(channel);
  }

  private attach(channel: Channel): void {
    this.channel = channel;
    channel.on('event', (message: IPCMessage) => this.receiveEvent(channel, message));
    channel.on('crashed', (error: IPACrashedError) => {
      this.emit('crashed', error);
      this.recovery?.start(error);
    });
    channel.on('error', (error: Error) => this.protocolError(error));
  }

  /** How restart() gets a new worker (set by createProxy). */
  setReopen(reopen: () => Promise<Channel>): void {
    this.reopen = reopen;
  }

  /**
   * Ends the worker if it is still there and starts a new one, with a new IPA: its state (init,
   * configure, mapped buffers) is the caller's to establish again. Calls in flight reject.
   */
  async restart(): Promise<void> {
    this.recovery?.reset();
    await this.replaceChannel();
  }

  private async replaceChannel(): Promise<void> {
    if (!this.reopen) throw new Error('this proxy cannot restart its worker');
    const old = this.channel;
    old.removeAllListeners('event');
    old.removeAllListeners('crashed');
    await old.close();
    old.removeAllListeners();
    this.controls.reset();
    const channel = await this.reopen();
    if (this.closed) {
      await channel.close();
      throw new Error('the proxy was closed while its worker restarted');
    }
    this.attach(channel);
  }

  /**
   * From now on a crashed or hung worker is restarted under `policy`, and the state calls it had
   * answered (init, configure, mapBuffers, start) are replayed before other calls go through.
   */
  setRecovery(policy: RecoveryPolicy): void {
    this.recovery = new Recovery(policy, {
      replaceWorker: () => this.replaceChannel(),
      endWorker: () => this.channel.close(),
      isClosed: () => this.closed,
      recovered: (info) => this.emit('recovered', info),
      failed: (error) => {
        if (this.listenerCount('recoveryFailed') > 0) this.emit('recoveryFailed', error);
      },
    });
    this.recovery.instrument(this);
  }

  protected call<R>(cmd: number, name: string, encode: (w: Writer) => void, decode: (r: Reader) => R): Promise<R> {
    if (this.recovery?.failure) return Promise.reject(this.recovery.failure);
    const gate = this.recovery?.gate;
    if (gate) return gate.then(() => this.call(cmd, name, encode, decode));
    // Decoded by the channel as the reply arrives: a reply that does not decode (to its last
    // byte and fd) rejects with a DeserializeError or the decoder's IPAError, its fds closed,
    // and counts against the worker.
    return this.channel.request(cmd, name, encode, decode, this.controls);
  }

  protected send(cmd: number, name: string, encode: (w: Writer) => void): void {
    if (this.recovery?.failure) throw this.recovery.failure;
    const gate = this.recovery?.gate;
    if (gate) {
      // In order with the calls waiting too; dropped if the IPA cannot be brought back.
      gate.then(() => this.send(cmd, name, encode), () => {});
      return;
    }
    this.channel.send(cmd, encode);
  }

  /** Before `configure`, as both ends of a libcamera pipe do. */
  protected resetControls(): void {
    this.controls.reset();
  }

  /**
   * Decodes an event and hands it to each listener. Its fds are open while the listeners run:
   * keep a dup(). Never throws: a malformed event, or a listener that throws on it, is the IPA's
   * protocol error.
   */
  private receiveEvent(channel: Channel, message: IPCMessage): void {
    let decoded: [string, unknown[]] | undefined;
    try {
      const r = new Reader(message.data, message.fds, this.controls);
      this.codec.dispatchEvent((name: string, ...args: unknown[]) => {
        r.expectEnd(`event ${name}`);
        decoded = [name, args];
      }, message.cmd, r);
    } catch (error) {
      channel.reportMalformed(error instanceof IPAError ? error : new DeserializeError(`event ${message.cmd}`, messageOf(error)));
    }
    try {
      if (decoded) this.deliver(channel, decoded[0], decoded[1]);
    } finally {
      closeReceived(message.fds);
    }
  }

  /**
   * Runs each listener of an event on its own, as emit() would, except that one that throws (or
   * whose promise rejects) is reported instead of thrown, and the others still run.
   */
  private deliver(channel: Channel, name: string, args: unknown[]): void {
    runListeners(this, name, args, (error) => channel.reportMalformed(new EventListenerError(name, error)));
  }

  /**
   * The pipeline handler found the IPA hung: a one-way call's answer (an event) did not come in
   * time. Its worker is ended as a timed-out call would end it; 'crashed' follows, and recovery
   * with a policy.
   */
  declareHung(reason: string): void {
    if (!this.closed && !this.recovery?.gate) this.channel.abandon(reason);
  }

  /**
   * The pipeline handler refused something the IPA sent: reported and counted against the worker
   * as any malformed message is (an IPA that keeps sending what its handler refuses is broken).
   */
  reportMisbehaviour(error: Error): void {
    this.channel.reportMalformed(error);
  }

  private protocolError(error: Error): void {
    if (this.listenerCount('protocolError') === 0) return warnProtocol(error.message);
    try {
      this.emit('protocolError', error);
    } catch (thrown) {
      // The pipeline's own listener: not the IPA's fault, but not a reason to end the handler.
      warnProtocol(`a protocolError listener threw: ${messageOf(thrown)}`);
    }
  }

  get failure(): IPACrashedError | IPAClosedError | IPARecoveryError | undefined {
    return this.recovery?.failure ?? (this.channel.failed as IPACrashedError | IPAClosedError | undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.recovery?.close();
    await this.channel.close();
  }
}
