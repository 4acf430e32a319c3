/**
 * What carries a pipe's messages, whichever end and whatever kind of worker: a Unix socket to a
 * process (unix-socket.ts) or a MessagePort to a thread (port.ts). The ends (call-pipe.ts for the
 * proxy, worker-endpoint.ts for the worker) speak the protocol over either.
 */
export interface Transport {
  /** Carries one message (header and data) and its fds; the fds stay the caller's. */
  send(payload: Uint8Array, fds: readonly number[]): void;
  /** From now on, several messages to a unit where the transport can (a port always does). */
  enableBatching(): void;
  /** Sends what waits now, in this turn (before the process exits). */
  flushNow(): void;
  /** Stops both ways; what still arrives is dropped, its fds closed. */
  close(): void;
}

/** What a transport hands on: each message (the handler owns its fds), and its failures. */
export interface TransportHandlers {
  onMessage(payload: Uint8Array, fds: number[]): void;
  onError(error: Error): void;
}

/** Opens a transport that hands what arrives to `handlers`. */
export type OpenTransport = (handlers: TransportHandlers) => Transport;
