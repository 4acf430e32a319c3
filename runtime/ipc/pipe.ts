import { spawn, type ChildProcess } from 'node:child_process';
import { IPACrashedError } from '../errors';
import { native, SystemError } from '../native';
import { BATCH_CMD, CallPipe, TS_IPA_PROXY_ENV, type CallPipeOptions } from './call-pipe';
import { IPCUnixSocket } from './unix-socket';

export { DEFAULT_CALL_TIMEOUT_MS, EXIT_CMD } from './call-pipe';

export interface PipeOptions extends CallPipeOptions {
  /** The IPA module, passed to the worker as its first argument. */
  modulePath: string;
  /** The worker command; the module path and the socket fd number are appended, as libcamera does. */
  workerCommand: readonly [string, ...string[]];
  env?: NodeJS.ProcessEnv;
}

/** Send errors that mean the worker's end of the socket is closed. */
const PEER_GONE = new Set(['ECONNREFUSED', 'ENOTCONN', 'EPIPE', 'ECONNRESET']);

/** The fd number the worker gets its socket as (after stdin, stdout, stderr). */
const WORKER_SOCKET_FD = 3;

/**
 * A pipe to a worker process over a Unix socket (libcamera's IPCPipeUnixSocket): the worker is
 * started as `<command> <module path> <fd>` with its end of a socketpair as that fd, and reaped
 * when it leaves.
 */
export class IPCPipeUnixSocket extends CallPipe {
  readonly worker: ChildProcess;
  private readonly socket: IPCUnixSocket;
  private readonly exited: Promise<void>;

  constructor(options: PipeOptions) {
    super(options);
    const [mine, theirs] = IPCUnixSocket.pair();
    this.socket = new IPCUnixSocket(mine, {
      onMessage: (payload, fds) => this.receive(payload, fds),
      // A peer that is gone is the worker's exit, which is reported by itself.
      onError: (error) => {
        if (!this.peerGone(error)) this.emit('error', error);
      },
    });
    const [command, ...args] = options.workerCommand;
    try {
      this.worker = spawn(command, [...args, options.modulePath, String(WORKER_SOCKET_FD)], {
        stdio: ['ignore', 'inherit', 'inherit', theirs],
        env: { ...(options.env ?? process.env), [TS_IPA_PROXY_ENV]: '1' },
      });
    } finally {
      native().close(theirs);
    }
    this.exited = new Promise((resolve) => {
      const gone = (error: IPACrashedError): void => {
        this.socket.close();
        this.workerExited(error);
        resolve();
      };
      this.worker.once('exit', (code, signal) => gone(new IPACrashedError(code, signal, this.hungReason ? `killed: ${this.hungReason}` : this.farewell)));
      this.worker.once('error', (error) => gone(new IPACrashedError(null, null, error.message)));
    });
  }

  protected transmitPayload(payload: Uint8Array, fds: readonly number[]): void {
    this.socket.send(payload, fds);
  }

  /**
   * Switches both directions to batches (several messages a datagram): for a ts-ipa worker only,
   * once it has greeted the proxy. Both ends still receive libcamera's framing.
   */
  enableBatching(): void {
    this.send(BATCH_CMD, () => {});
    this.socket.enableBatching();
  }

  private hungReason = '';

  protected endHungWorker(reason: string): void {
    if (this.worker.exitCode !== null || this.worker.signalCode !== null) return;
    this.hungReason ||= reason;
    this.worker.kill('SIGKILL');
  }

  protected override peerGone(error: unknown): boolean {
    return error instanceof SystemError && PEER_GONE.has(error.code);
  }

  async close(): Promise<void> {
    if (!this.closing && this.sendExit()) {
      const grace = setTimeout(() => this.worker.kill('SIGKILL'), this.exitGraceMs);
      await this.exited;
      clearTimeout(grace);
    }
    await this.exited;
  }
}
