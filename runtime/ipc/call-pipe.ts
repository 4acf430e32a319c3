import { EventEmitter } from 'node:events';
import type { Writer } from '../codec/writer';
import type { ControlSerializer } from '../controls/serializer';
import { DeserializeError, IPAClosedError, IPACrashedError, IPAError, IPATimeoutError, messageOf } from '../errors';
import { Reader } from '../codec/reader';
import { SystemError } from '../native';
import { checkMessageHeader, MessageFramer, messageCmd, messageCookie } from './message';
import { PendingCalls } from './pending-calls';
import { DEFAULT_CALL_TIMEOUT_MS, EXIT_CMD, FAREWELL_EVENT, MESSAGE_HEADER_BYTES, type IPCMessage, type WorkerPeer } from './protocol';
import { warnProtocol } from './protocol-warnings';
import { printable } from './printable';
import { closeReceived } from './received-fds';
import type { Transport } from './transport';

/**
 * Malformed messages a worker may send in its life before it is ended as broken. A ts-ipa
 * worker built from the proxy's contract sends none, so every one is a bug or an attack; a few
 * are reported and survived, a worker that keeps on is not worth the handler's time.
 */
export const DEFAULT_MAX_PROTOCOL_ERRORS = 64;

/** Calls timed out whose late replies are still taken quietly; older ones count as replies to no call. */
const MAX_LATE_REPLIES = 1024;

export interface CallPipeOptions {
  /** Sync call timeout (default 2000 ms, as libcamera's). */
  timeoutMs?: number;
  /** How long close() waits for the worker to leave after Exit before ending it. */
  exitGraceMs?: number;
  /** Serializes the ControlLists and ControlInfoMaps of calls (the proxy's, role Proxy). */
  controls?: ControlSerializer;
  /**
   * What a call that times out says about the worker: `hung` (the default) ends it, so that the
   * other calls in flight fail at once and later ones fail fast until a restart; `slow` fails
   * only that call, as libcamera does.
   */
  onTimeout?: 'hung' | 'slow';
  /** Malformed messages before the worker is ended as broken (default 64). */
  maxProtocolErrors?: number;
  /** What the worker speaks (default `ts-ipa`); with `libcamera`, cookies start at 0 as libcamera's proxy numbers them. */
  peer?: WorkerPeer;
}

/** Decodes a reply's data (a generated `decode<Call>Reply`). */
export type ReplyDecoder<R> = (r: Reader) => R;

interface PendingCall {
  cmd: number;
  name: string;
  /** Decodes the reply as it arrives; without one the call resolves with the message itself. */
  decode: ReplyDecoder<unknown> | undefined;
  controls: ControlSerializer | undefined;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timeoutMs: number;
  /** performance.now() after which the call has timed out. */
  deadline: number;
}

const NO_BYTES = new Uint8Array(0);
const NO_FDS: readonly number[] = [];

// What `new Promise(takeSettlers)` was handed, taken at once by the call that made the promise:
// one executor for every call instead of a closure per call.
let settleWith: (value: unknown) => void = () => {};
let failWith: (error: Error) => void = () => {};
function takeSettlers(resolve: (value: unknown) => void, reject: (error: Error) => void): void {
  settleWith = resolve;
  failWith = reject;
}

/**
 * The proxy end of a pipe to a worker (libcamera's IPCPipe), whatever carries the messages:
 * sends calls and one-way messages, matches replies to calls by cookie and hands everything
 * else on as events.
 *
 * Unlike libcamera it notices the worker's death at once: calls in flight reject with
 * IPACrashedError, later calls fail fast, and 'crashed' is emitted. Replies that come after
 * their call timed out are dropped, not mistaken for events. A reply must carry its call's
 * command as well as its cookie. To a ts-ipa worker cookies start at 1, so that its events
 * (cookie 0) can never be taken for the reply to a call, and a message with another cookie that
 * answers no call is the worker's error. To a libcamera worker they start at 0, as libcamera's
 * proxy numbers them (its first call, init, has cookie 0), and whatever is not a reply is an
 * event, as libcamera takes it.
 *
 * Events: 'event' (IPCMessage; the listener owns its fds), 'crashed' (IPACrashedError),
 * 'error' (a malformed message from the worker; the pipe goes on, up to maxProtocolErrors).
 *
 * Everything the worker sends is untrusted: nothing it sends throws out of receive(), every fd
 * that arrives is closed here unless a listener or a caller is handed it, and without an 'error'
 * listener (as between the greeting and the proxy's attaching) errors become rate-limited
 * process warnings instead of EventEmitter's uncaught exception.
 */
export abstract class CallPipe extends EventEmitter {
  private readonly pending = new PendingCalls<PendingCall>();
  /** Decodes every reply, one after another (see Reader.reset). */
  private readonly replyReader = new Reader(NO_BYTES);
  private readonly timeoutMs: number;
  private readonly onTimeout: 'hung' | 'slow';
  protected readonly exitGraceMs: number;
  private readonly framer: MessageFramer;
  protected readonly peer: WorkerPeer;
  private seq: number;
  private failure: Error | undefined;
  protected closing = false;
  private readonly maxProtocolErrors: number;
  private protocolErrors = 0;
  private firstProtocolError = '';
  /** Ended for what it sent: nothing more it sends is read, its fds are closed unread. */
  private broken = false;
  /**
   * One watchdog for all calls in flight, instead of a timer per call (arming and clearing a
   * timer costs a call's worth of time). It runs while calls wait, every tenth of the shortest
   * timeout, so a call times out at most 10 % late.
   */
  private watchdog: NodeJS.Timeout | undefined;
  private watchdogPeriod = Infinity;

  constructor(options: CallPipeOptions) {
    super();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.onTimeout = options.onTimeout ?? 'hung';
    this.exitGraceMs = options.exitGraceMs ?? 1000;
    this.maxProtocolErrors = options.maxProtocolErrors ?? DEFAULT_MAX_PROTOCOL_ERRORS;
    this.framer = new MessageFramer(options.controls, (payload, fds) => this.transmitPayload(payload, fds));
    this.peer = options.peer ?? 'ts-ipa';
    this.seq = this.firstCookie();
  }

  private firstCookie(): number {
    return this.peer === 'libcamera' ? 0 : 1;
  }

  /** What carries the messages to the worker and back (set by the subclass that starts it). */
  protected abstract readonly transport: Transport;

  /** Carries one message (header and data) and its fds to the worker. */
  protected transmitPayload(payload: Uint8Array, fds: readonly number[]): void {
    this.transport.send(payload, fds);
  }

  /**
   * Ends a worker that stopped answering (or reading, or that sent too much garbage) at once; its
   * exit then fails what still waits, with `reason` in the error.
   */
  protected abstract endHungWorker(reason: string): void;

  /**
   * The pipeline handler says the worker is hung (it stopped answering one-way calls, which have
   * no timeout of their own): it is ended as a call timing out would end it.
   */
  abandon(reason: string): void {
    if (!this.failure && !this.closing) this.endHungWorker(reason);
  }

  /** Whether a send error means the worker is gone (its exit then says why). */
  protected peerGone(_error: unknown): boolean {
    return false;
  }

  /** A sync call: resolves with the reply (same cmd and cookie), or rejects with a typed error. */
  call(cmd: number, name: string, encode: (w: Writer) => void, fds?: readonly number[], timeoutMs = this.timeoutMs): Promise<IPCMessage> {
    return this.start(cmd, name, encode, undefined, undefined, fds, timeoutMs) as Promise<IPCMessage>;
  }

  /**
   * A sync call whose reply is decoded the moment it arrives, with `controls` for its
   * ControlLists and ControlInfoMaps: resolves with what `decode` returns, whose fds are then
   * the caller's. A reply that does not decode to its last byte and fd is the worker's protocol
   * error: its fds are closed, it is reported and counted (reportMalformed), and the call
   * rejects with it (a DeserializeError, or the IPAError the decoder threw). One promise a call,
   * where decoding after `call()` would take a second.
   */
  request<R>(cmd: number, name: string, encode: (w: Writer) => void, decode: ReplyDecoder<R>, controls?: ControlSerializer): Promise<R> {
    return this.start(cmd, name, encode, decode, controls, undefined, this.timeoutMs) as Promise<R>;
  }

  private start(
    cmd: number,
    name: string,
    encode: (w: Writer) => void,
    decode: ReplyDecoder<unknown> | undefined,
    controls: ControlSerializer | undefined,
    fds: readonly number[] | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const cookie = this.nextCookie();
    const promise = new Promise(takeSettlers);
    const reject = failWith;
    this.pending.add(cookie, { cmd, name, decode, controls, resolve: settleWith, reject, timeoutMs, deadline: performance.now() + timeoutMs });
    this.watch(timeoutMs);
    try {
      this.transmit(cmd, cookie, encode, fds);
    } catch (error) {
      // With the worker gone (or never started) its exit, reported any moment now, is the
      // error to give. Other errors are the call's own.
      if (!this.peerGone(error)) {
        this.pending.delete(cookie);
        reject(error instanceof SystemError ? new SystemError(`${name}: ${error.message}`, error.code, error.errno, error.syscall) : (error as Error));
      }
    }
    return promise;
  }

  private watch(timeoutMs: number): void {
    const period = Math.max(1, Math.min(50, timeoutMs / 10));
    if (this.watchdog && period >= this.watchdogPeriod) return;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdogPeriod = period;
    this.watchdog = setInterval(() => this.checkDeadlines(), period);
  }

  private checkDeadlines(): void {
    const now = performance.now();
    for (const [cookie, call] of this.pending.entries()) {
      if (call.deadline > now) continue;
      this.pending.delete(cookie);
      this.rememberLate(cookie, call.cmd);
      call.reject(new IPATimeoutError(call.name, call.timeoutMs));
      if (this.onTimeout === 'hung') this.endHungWorker(`${call.name} got no reply within ${call.timeoutMs} ms`);
    }
    if (this.pending.size === 0) this.stopWatchdog();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.watchdogPeriod = Infinity;
  }

  /** A one-way message (libcamera's sendAsync): it carries a cookie too, and gets no reply. */
  send(cmd: number, encode: (w: Writer) => void, fds?: readonly number[]): void {
    if (this.failure) throw this.failure;
    this.transmit(cmd, this.nextCookie(), encode, fds);
  }

  private nextCookie(): number {
    const cookie = this.seq;
    this.seq = this.seq === 0xffffffff ? this.firstCookie() : this.seq + 1;
    return cookie;
  }

  private transmit(cmd: number, cookie: number, encode: (w: Writer) => void, fds?: readonly number[]): void {
    this.framer.send(cmd, cookie, encode, fds);
  }

  /** The calls that timed out lately, cookie to command, whose replies may still come (onTimeout 'slow'). */
  private readonly late = new Map<number, number>();

  private rememberLate(cookie: number, cmd: number): void {
    this.late.set(cookie, cmd);
    if (this.late.size > MAX_LATE_REPLIES) this.late.delete(this.late.keys().next().value as number);
  }

  /** A late reply to a call that timed out: taken, once, and dropped. */
  private takeLate(message: IPCMessage): boolean {
    if (this.late.get(message.cookie) !== message.cmd) return false;
    this.late.delete(message.cookie);
    return true;
  }

  /** Why the worker said it was leaving, when it said so (FAREWELL_EVENT). */
  protected farewell = '';

  /**
   * A message from the worker: a reply, an event, or a reply nobody waits for any more. Never
   * throws, whatever came: the fds are closed here, or handed on with the message to exactly one
   * owner (the caller waiting for the reply, or the 'event' listener).
   */
  protected receive(payload: Uint8Array, fds: number[]): void {
    if (this.broken) return closeReceived(fds);
    try {
      checkMessageHeader(payload);
    } catch (error) {
      closeReceived(fds);
      this.reportMalformed(error as DeserializeError);
      return;
    }
    const cmd = messageCmd(payload);
    const cookie = messageCookie(payload);
    const call = this.pending.get(cookie);
    if (call && call.cmd === cmd) {
      this.pending.delete(cookie);
      this.settle(call, payload, fds);
      return;
    }
    const message: IPCMessage = { cmd, cookie, data: payload.subarray(MESSAGE_HEADER_BYTES), fds };
    try {
      this.dispatch(message, call);
    } catch (error) {
      // Only a listener can throw (it owned the fds): the proxy's never does; anyone else's
      // error must not end the pipeline handler because of what an IPA sent.
      warnProtocol(`a listener of the pipe threw on message ${message.cmd}: ${messageOf(error)}`);
    }
  }

  /**
   * Answers a call with its reply, decoded here, before the messages after it are taken (as
   * libcamera decodes them, in the order they came): its fds go to the caller in what it
   * decoded, or are closed when it does not decode.
   */
  private settle(call: PendingCall, payload: Uint8Array, fds: number[]): void {
    if (!call.decode) {
      call.resolve({ cmd: call.cmd, cookie: messageCookie(payload), data: payload.subarray(MESSAGE_HEADER_BYTES), fds });
      return;
    }
    let result: unknown;
    const r = this.replyReader.reset(payload, fds, MESSAGE_HEADER_BYTES);
    r.controls = call.controls;
    try {
      result = call.decode(r);
      // Checked to the last fd: on success every fd is in a SharedFD of the result, the caller's.
      if (!r.atEnd) r.expectEnd(`${call.name} reply`);
    } catch (error) {
      // Nothing decoded is handed out: every fd of the reply is closed here.
      closeReceived(fds);
      const refused = error instanceof IPAError ? error : new DeserializeError(`${call.name} reply`, messageOf(error));
      this.reportMalformed(refused);
      call.reject(refused);
      return;
    } finally {
      // Holds on to no reply until the next.
      r.reset(NO_BYTES, NO_FDS);
    }
    call.resolve(result);
  }

  /**
   * A message that answers no call in flight (`call` is the one its cookie names, if any): an
   * event, a late reply, or the worker's error.
   */
  private dispatch(message: IPCMessage, call: PendingCall | undefined): void {
    if (this.takeLate(message)) {
      // A reply to a call that timed out: nobody owns its fds.
      closeReceived(message.fds);
    } else if (this.peer === 'ts-ipa' && message.cookie !== 0) {
      // One that answers a call in flight with another command is a forgery or a bug; the call
      // waits on. So is one that answers no call at all (a cookie never used, or answered
      // already): dropped unread, it would still cost the handler its fds' installing and
      // closing, for nothing counted.
      closeReceived(message.fds);
      if (call) this.reportMalformed(new DeserializeError(`reply ${message.cookie}`, `it answers command ${message.cmd}, the call was ${call.name} (command ${call.cmd})`));
      else this.reportMalformed(new DeserializeError(`reply ${message.cookie}`, 'it answers no call (no call in flight or timed out has that cookie)'));
    } else if (this.peer === 'ts-ipa' && message.cmd === FAREWELL_EVENT) {
      closeReceived(message.fds);
      try {
        this.farewell = printable(new Reader(message.data).string('farewell'), 500);
      } catch {
        // a garbled farewell says nothing more than the exit itself
      }
    } else if (this.listenerCount('event') === 0) {
      closeReceived(message.fds);
      // Nobody listens while the pipe closes, or in the moment between the greeting and the
      // proxy's attaching: an event then is the worker's to answer for.
      if (!this.closing) this.reportMalformed(new DeserializeError(`event ${message.cmd}`, 'it came before the proxy listened for events'));
    } else {
      this.emit('event', message);
    }
  }

  /**
   * Something the worker sent could not be taken: a message here, or a reply or event that the
   * proxy could not decode or whose listener threw. Reported on 'error' (a rate-limited process
   * warning when nobody listens) and counted: the maxProtocolErrors-th ends the worker as broken,
   * and nothing more it sends is read. Once it is, what is still reported (an event listener's
   * late rejection, say) is only a warning: the worker's end already said why.
   */
  reportMalformed(error: Error): void {
    if (this.broken) return warnProtocol(error.message);
    if (!this.failure) {
      this.protocolErrors++;
      this.firstProtocolError ||= printable(error.message, 300);
    }
    this.reportError(error);
    if (!this.failure && this.protocolErrors >= this.maxProtocolErrors) {
      this.broken = true;
      this.endHungWorker(`it sent ${this.protocolErrors} malformed messages; the first: ${this.firstProtocolError}`);
    }
  }

  /** Emits 'error', or warns when nobody listens; never throws. Not counted against the worker. */
  protected reportError(error: Error): void {
    if (this.listenerCount('error') === 0) return warnProtocol(error.message);
    try {
      this.emit('error', error);
    } catch (thrown) {
      warnProtocol(`an 'error' listener of the pipe threw: ${messageOf(thrown)}`);
    }
  }

  /**
   * Ends the worker at once, without Exit or grace (it is not trusted to leave: it failed its
   * greeting, say), and resolves once it is gone. Nothing it still sends is read.
   */
  async abort(reason: string): Promise<void> {
    this.closing = true;
    this.broken = true;
    this.endHungWorker(reason);
    await this.close();
  }

  /** The worker is gone: fail what waits, and everything after. */
  protected workerExited(error: IPACrashedError): void {
    const failure = this.closing ? new IPAClosedError('the pipe was closed') : error;
    this.failure ??= failure;
    for (const [, call] of this.pending.entries()) {
      call.reject(this.closing ? new IPAClosedError(`${call.name}: the pipe was closed`) : failure);
    }
    this.pending.clear();
    this.stopWatchdog();
    if (!this.closing) this.emit('crashed', failure);
  }

  /** Why calls fail, once the worker is gone (crashed or closed). */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Sends Exit, waits for the worker to leave (ending it after the grace period). */
  abstract close(): Promise<void>;

  /** Tells the worker to leave, unless it is gone already; true when Exit went out. */
  protected sendExit(): boolean {
    this.closing = true;
    if (this.failure) return false;
    try {
      this.send(EXIT_CMD, () => {});
      return true;
    } catch {
      return false;
    }
  }
}
