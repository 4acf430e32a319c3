import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Writer } from '../codec/writer';
import type { ControlSerializer } from '../controls/serializer';
import { IPAClosedError, IPACrashedError, IPATimeoutError, DeserializeError } from '../errors';
import { native, SystemError } from '../native';
import { readMessage, writeMessageHeader, type IPCMessage } from './message';
import { IPCUnixSocket } from './unix-socket';

/** libcamera's sync call timeout. */
export const DEFAULT_CALL_TIMEOUT_MS = 2000;
/** Exit is command 0 on every interface. */
export const EXIT_CMD = 0;

export interface PipeOptions {
  /** The IPA module, passed to the worker as its first argument. */
  modulePath: string;
  /** The worker command; the module path and the socket fd number are appended, as libcamera does. */
  workerCommand: readonly [string, ...string[]];
  /** Sync call timeout (default 2000 ms, as libcamera's). */
  timeoutMs?: number;
  /** How long close() waits for the worker to leave after Exit before killing it. */
  exitGraceMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Serializes the ControlLists and ControlInfoMaps of calls (the proxy's, role Proxy). */
  controls?: ControlSerializer;
}

interface PendingCall {
  cmd: number;
  name: string;
  resolve(message: IPCMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Send errors that mean the worker's end of the socket is closed. */
const PEER_GONE = new Set(['ECONNREFUSED', 'ENOTCONN', 'EPIPE', 'ECONNRESET']);

/** The fd number the worker gets its socket as (after stdin, stdout, stderr). */
const WORKER_SOCKET_FD = 3;

/**
 * The proxy end of an isolated IPA (libcamera's IPCPipeUnixSocket): spawns the worker with its
 * end of a socketpair, sends calls and one-way messages, matches replies to calls by cookie and
 * hands everything else on as events.
 *
 * Unlike libcamera it notices the worker's death at once: calls in flight reject with
 * IPACrashedError, later calls fail fast, and 'crashed' is emitted. Replies that come after
 * their call timed out are dropped, not mistaken for events. Cookies start at 1, so that a
 * worker's events (cookie 0) can never be taken for the reply to a call.
 *
 * Events: 'event' (IPCMessage; the listener owns its fds), 'crashed' (IPACrashedError),
 * 'error' (a malformed message from the worker; the pipe goes on).
 */
export class IPCPipeUnixSocket extends EventEmitter {
  readonly worker: ChildProcess;
  private readonly socket: IPCUnixSocket;
  private readonly pending = new Map<number, PendingCall>();
  private readonly timeoutMs: number;
  private readonly exitGraceMs: number;
  private readonly writer: Writer;
  private seq = 1;
  private failure: Error | undefined;
  private closing = false;
  private readonly exited: Promise<void>;

  constructor(options: PipeOptions) {
    super();
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.writer = new Writer(options.controls);
    this.exitGraceMs = options.exitGraceMs ?? 1000;
    const [mine, theirs] = IPCUnixSocket.pair();
    this.socket = new IPCUnixSocket(mine, {
      onMessage: (payload, fds) => this.receive(payload, fds),
      // A peer that is gone is the worker's exit, which is reported by itself.
      onError: (error) => {
        if (!PEER_GONE.has(error.code)) this.emit('error', error);
      },
    });
    const [command, ...args] = options.workerCommand;
    try {
      this.worker = spawn(command, [...args, options.modulePath, String(WORKER_SOCKET_FD)], {
        stdio: ['ignore', 'inherit', 'inherit', theirs],
        env: options.env ?? process.env,
      });
    } finally {
      native().close(theirs);
    }
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code, signal) => {
        this.workerExited(code, signal);
        resolve();
      });
      this.worker.once('error', (error) => {
        this.workerExited(null, null, error.message);
        resolve();
      });
    });
  }

  /** A sync call: resolves with the reply (same cmd and cookie), or rejects with a typed error. */
  call(cmd: number, name: string, encode: (w: Writer) => void, fds?: readonly number[], timeoutMs = this.timeoutMs): Promise<IPCMessage> {
    if (this.failure) return Promise.reject(this.failure);
    const cookie = this.nextCookie();
    return new Promise<IPCMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cookie);
        reject(new IPATimeoutError(name, timeoutMs));
      }, timeoutMs);
      this.pending.set(cookie, { cmd, name, resolve, reject, timer });
      try {
        this.transmit(cmd, cookie, encode, fds);
      } catch (error) {
        // With the worker gone (or never started) the socket refuses: its exit, reported any
        // moment now, is the error to give. Other errors are the call's own.
        if (error instanceof SystemError && PEER_GONE.has(error.code)) return;
        clearTimeout(timer);
        this.pending.delete(cookie);
        reject(error);
      }
    });
  }

  /** A one-way message (libcamera's sendAsync): it carries a cookie too, and gets no reply. */
  send(cmd: number, encode: (w: Writer) => void, fds?: readonly number[]): void {
    if (this.failure) throw this.failure;
    this.transmit(cmd, this.nextCookie(), encode, fds);
  }

  private nextCookie(): number {
    const cookie = this.seq;
    this.seq = this.seq === 0xffffffff ? 1 : this.seq + 1;
    return cookie;
  }

  private transmit(cmd: number, cookie: number, encode: (w: Writer) => void, fds: readonly number[] = []): void {
    const w = this.writer.reset();
    writeMessageHeader(w, cmd, cookie);
    encode(w);
    const message = w.result();
    this.socket.send(message.data, fds.length > 0 ? [...fds, ...message.fds] : message.fds);
  }

  private receive(payload: Buffer, fds: number[]): void {
    let message: IPCMessage;
    try {
      message = readMessage(payload, fds);
    } catch (error) {
      for (const fd of fds) native().close(fd);
      this.emit('error', error as DeserializeError);
      return;
    }
    const call = message.cookie === 0 ? undefined : this.pending.get(message.cookie);
    if (call && call.cmd === message.cmd) {
      this.pending.delete(message.cookie);
      clearTimeout(call.timer);
      call.resolve(message);
    } else if (message.cookie === 0) {
      this.emit('event', message);
    } else {
      // A reply to a call that timed out: nobody waits for it any more.
      for (const fd of fds) native().close(fd);
    }
  }

  private workerExited(code: number | null, signal: NodeJS.Signals | null, detail = ''): void {
    const error = this.closing ? new IPAClosedError('the pipe was closed') : new IPACrashedError(code, signal, detail);
    this.failure ??= error;
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(this.closing ? new IPAClosedError(`${call.name}: the pipe was closed`) : error);
    }
    this.pending.clear();
    this.socket.close();
    if (!this.closing) this.emit('crashed', error);
  }

  /** Whether the worker is gone (crashed or closed). */
  get failed(): Error | undefined {
    return this.failure;
  }

  /**
   * Sends Exit, waits for the worker to leave (killing it after the grace period) and reaps it.
   * Calls in flight reject with IPAClosedError.
   */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (!this.failure) {
        try {
          this.send(EXIT_CMD, () => {});
        } catch {
          // The worker is going anyway.
        }
        const grace = setTimeout(() => this.worker.kill('SIGKILL'), this.exitGraceMs);
        await this.exited;
        clearTimeout(grace);
      }
    }
    await this.exited;
  }
}
