/**
 * The types a contract class derives for the IPA's side, as Comlink's Remote<T> derives its:
 * what the IPA implements and what it calls back on. The pipeline handler's side is
 * proxy/types.ts.
 */
import type { IPAInterface } from './contract';

/** An abstract class decorated with @ipaInterface. */
export type ContractClass<T extends IPAInterface<object> = IPAInterface<object>> = abstract new (...args: never[]) => T;

/** The event interface of a main interface. */
export type EventsOf<T> = T extends IPAInterface<infer E> ? E : never;

type Callable<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] };

/** The calls of a contract, as declared: `Promise<T>` calls and `void` one-way calls. */
export type Calls<T> = Callable<Omit<T, '__ipaEvents'>>;

/** What an IPA module implements: every call, returning its result directly or as a promise. */
export type IPAImplementation<T> = {
  [K in keyof Calls<T>]: Calls<T>[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R | Promise<R>
    : Calls<T>[K];
};

/** What an IPA calls to send its events. */
export type EventSender<T> = Callable<EventsOf<T>>;
