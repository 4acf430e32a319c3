/**
 * The protocol between a proxy and its worker, as both ends and every transport see it: what a
 * message is and the numbers and names ts-ipa reserves. It imports nothing, so that either end,
 * in either kind of worker, can read it without loading the other's code.
 */

/**
 * libcamera's IPCMessage: a command, a cookie and the serialized data, with fds beside it. On the
 * wire the payload is `u32 cmd, u32 cookie`, then the data.
 */
export interface IPCMessage {
  cmd: number;
  cookie: number;
  data: Uint8Array;
  fds: number[];
}

export const MESSAGE_HEADER_BYTES = 8;

/** libcamera's sync call timeout. */
export const DEFAULT_CALL_TIMEOUT_MS = 2000;

/** Exit is command 0 on every interface. */
export const EXIT_CMD = 0;

/**
 * Event 0 (libcamera numbers events from 1): a ts-ipa worker's greeting, carrying the contract
 * model's hash, so that the proxy can refuse a worker built from another contract.
 */
export const HELLO_EVENT = 0;

/**
 * A one-way message a proxy sends a ts-ipa worker (only one that greeted it) to say that it
 * receives batches: several messages a datagram. libcamera numbers no command this high.
 */
export const BATCH_CMD = 0xffffffff;

/**
 * An event a ts-ipa worker sends (only to a proxy that said it is ts-ipa's) just before it exits
 * on an error: the reason, a string, so that the crash explains itself.
 */
export const FAREWELL_EVENT = 0xfffffffe;

/** Set in a worker's environment by a ts-ipa proxy: the worker greets it, and may say farewell. */
export const TS_IPA_PROXY_ENV = 'TS_IPA_PROXY';

/**
 * What the worker speaks: `ts-ipa` (ts-ipa's worker host: it greets, takes batches, says farewell,
 * and sends events with cookie 0 only), or `libcamera` (libcamera's protocol and nothing more, as
 * libcamera's own `<name>_ipa_proxy` workers speak it).
 */
export type WorkerPeer = 'ts-ipa' | 'libcamera';
