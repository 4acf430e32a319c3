/**
 * The pipeline handler's side of a contract, as Comlink's Remote<T>: the proxy it calls. What the
 * IPA implements is in contract-types.ts.
 */
import type { Calls, EventSender } from '../contract-types';
import type { IPAClosedError, IPACrashedError, IPARecoveryError } from '../errors';

export type Isolation = 'direct' | 'thread' | 'process';

type Listener<F> = F extends (...args: infer A) => void ? (...args: A) => void : never;

/** The pipeline handler's side: the calls, typed event listeners, and the proxy's own controls. */
export type IPAProxy<T> = Calls<T> & {
  /** Where the IPA runs. */
  readonly isolation: Isolation;
  on<K extends keyof EventSender<T>>(event: K, listener: Listener<EventSender<T>[K]>): IPAProxy<T>;
  off<K extends keyof EventSender<T>>(event: K, listener: Listener<EventSender<T>[K]>): IPAProxy<T>;
  /** The IPA's worker died (process and thread modes); calls fail fast from then on. */
  on(event: 'crashed', listener: (error: IPACrashedError) => void): IPAProxy<T>;
  off(event: 'crashed', listener: (error: IPACrashedError) => void): IPAProxy<T>;
  /**
   * The IPA sent something malformed (a message, reply or event that does not decode, or a value
   * one of this proxy's event listeners threw on). Without a listener, a rate-limited process
   * warning (code TS_IPA_PROTOCOL) says it instead. Too many end the worker as broken.
   */
  on(event: 'protocolError', listener: (error: Error) => void): IPAProxy<T>;
  off(event: 'protocolError', listener: (error: Error) => void): IPAProxy<T>;
  /** With a recovery policy: the worker was restarted and its state replayed; calls go through again. */
  on(event: 'recovered', listener: (info: { restarts: number; cause: Error }) => void): IPAProxy<T>;
  off(event: 'recovered', listener: (info: { restarts: number; cause: Error }) => void): IPAProxy<T>;
  /** With a recovery policy: the restarts ran out; every call fails with this error from now on. */
  on(event: 'recoveryFailed', listener: (error: IPARecoveryError) => void): IPAProxy<T>;
  off(event: 'recoveryFailed', listener: (error: IPARecoveryError) => void): IPAProxy<T>;
  /** Ends the IPA (Exit to a worker); calls in flight reject with IPAClosedError. */
  close(): Promise<void>;
  /**
   * Starts a new IPA (a new worker in thread and process modes) after a crash or a close; its
   * state is the caller's to establish again (init, configure, mapBuffers).
   */
  restart(): Promise<void>;
  /** Something the IPA sent could not be decoded, or was refused by the pipeline handler. */
  on(event: 'protocolError', listener: (error: Error) => void): IPAProxy<T>;
  off(event: 'protocolError', listener: (error: Error) => void): IPAProxy<T>;
  /**
   * The pipeline handler's verdict that the IPA is hung (an event it owes did not come in time):
   * its worker is ended ('crashed' follows, then recovery if a policy is set); a direct IPA is
   * failed as if it had crashed.
   */
  declareHung(reason: string): void;
  /** The pipeline handler refused a value the IPA sent: reported as 'protocolError' (or a warning). */
  reportMisbehaviour(error: Error): void;
  /** Why calls fail, once the IPA crashed or the proxy closed. */
  readonly failure: IPACrashedError | IPAClosedError | IPARecoveryError | undefined;
};
