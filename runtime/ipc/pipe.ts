import { spawn, type ChildProcess } from 'node:child_process';
import { IPACrashedError } from '../errors';
import { launcherFile, native, SystemError } from '../native';
import { unsupportedNodeNote } from '../node-support';
import { CallPipe, type CallPipeOptions } from './call-pipe';
import { BATCH_CMD, TS_IPA_PROXY_ENV, type WorkerPeer } from './protocol';
import { IPCUnixSocket } from './unix-socket';
import { forwardWorkerOutput, releaseWorkerOutput } from './worker-output';

export interface PipeOptions extends CallPipeOptions {
  /** The IPA module, passed to the worker as its first argument. */
  modulePath: string;
  /** The worker command; the module path and the socket fd number are appended, as libcamera does. */
  workerCommand: readonly [string, ...string[]];
  env?: NodeJS.ProcessEnv;
}

/**
 * Send errors after which the worker's exit, soon reported, is the error to give: its end of the
 * socket is closed, or (ENOBUFS) it stopped reading and is being ended as hung.
 */
const PEER_GONE = new Set(['ECONNREFUSED', 'ENOTCONN', 'EPIPE', 'ECONNRESET', 'ENOBUFS']);

/**
 * A ts-ipa worker is told it has a ts-ipa proxy (it may greet, and say farewell); any other is
 * told nothing, as libcamera tells its workers nothing: a ts-ipa worker host then speaks
 * libcamera's protocol alone.
 */
function workerEnv(env: NodeJS.ProcessEnv, peer: WorkerPeer): NodeJS.ProcessEnv {
  const { [TS_IPA_PROXY_ENV]: _inherited, ...rest } = env;
  return peer === 'ts-ipa' ? { ...rest, [TS_IPA_PROXY_ENV]: '1' } : rest;
}

/** The fd number the worker gets its socket as (after stdin, stdout, stderr). */
const WORKER_SOCKET_FD = 3;

/**
 * A worker that is not ts-ipa's started as libcamera starts its workers: with every fd but stdio
 * and its socket closed (Node's spawn passes on each of the handler's fds without close-on-exec;
 * ts-ipa's worker host closes them itself, another worker may not), in a user and a network
 * namespace of its own.
 */
function launchedAsLibcamera(command: readonly [string, ...string[]]): [string, ...string[]] {
  return [launcherFile(), `--close-fds-from=${WORKER_SOCKET_FD + 1}`, '--new-namespaces', '--allow-io-uring', ...command];
}

/**
 * A pipe to a worker process over a Unix socket (libcamera's IPCPipeUnixSocket): the worker is
 * started as `<command> <module path> <fd>` with its end of a socketpair as that fd, and reaped
 * when it leaves.
 */
export class IPCPipeUnixSocket extends CallPipe {
  readonly worker: ChildProcess;
  protected readonly transport: IPCUnixSocket;
  private readonly exited: Promise<void>;

  constructor(options: PipeOptions) {
    super(options);
    const [mine, theirs] = IPCUnixSocket.pair();
    this.transport = new IPCUnixSocket(mine, {
      onMessage: (payload, fds) => this.receive(payload, fds),
      // A datagram the framing refused (EBADMSG) is the worker's protocol error like any other.
      // A peer that is gone is the worker's exit, which is reported by itself. Any other failure
      // (a queued send the kernel refused, say) is the pipe's, not the worker's, but the messages
      // queued with it are lost, and with them what the worker knows of this side: it is ended,
      // so that its exit fails what waits at once, saying why, and recovery can start afresh.
      onError: (error) => {
        if (error.code === 'EBADMSG') return this.reportMalformed(error);
        if (this.peerGone(error)) return;
        this.reportError(error);
        this.endHungWorker(`sending to it failed, and what was queued was lost: ${error.message}`);
      },
    });
    const [command, ...args] = this.peer === 'ts-ipa' ? options.workerCommand : launchedAsLibcamera(options.workerCommand);
    try {
      // Not the handler's own stdout and stderr (its terminal, its log, its data): pipes whose
      // lines the handler passes on, bounded and printable (see forwardWorkerOutput).
      this.worker = spawn(command, [...args, options.modulePath, String(WORKER_SOCKET_FD)], {
        stdio: ['ignore', 'pipe', 'pipe', theirs],
        env: workerEnv(options.env ?? process.env, this.peer),
      });
    } finally {
      native().close(theirs);
    }
    const output = forwardWorkerOutput([this.worker.stdout, this.worker.stderr], `IPA worker ${this.worker.pid ?? '(not started)'}`);
    this.exited = new Promise((resolve) => {
      const gone = (error: () => IPACrashedError): void => {
        this.transport.close();
        // Its output read to the end first (at most OUTPUT_DRAIN_MS): a worker that died before
        // it could say why on its socket (Node refusing an option, a module not found while
        // starting) said it on stderr.
        void releaseWorkerOutput([this.worker.stdout, this.worker.stderr]).then(() => {
          this.workerExited(error());
          resolve();
        });
      };
      const why = () => {
        if (this.hungReason) return `killed: ${this.hungReason}`;
        const said = this.farewell || output.lastWords();
        // About the Node this process runs, so only when the worker runs it too.
        const note = options.workerCommand.includes(process.execPath) ? unsupportedNodeNote() : undefined;
        return note ? `${said ? `${said}; ` : ''}${note}` : said;
      };
      this.worker.once('exit', (code, signal) => gone(() => new IPACrashedError(code, signal, why())));
      this.worker.once('error', (error) => gone(() => new IPACrashedError(null, null, error.message)));
    });
  }

  protected override transmitPayload(payload: Uint8Array, fds: readonly number[]): void {
    try {
      this.transport.send(payload, fds);
    } catch (error) {
      // The socket's queue is full: the worker has stopped reading, as a hung one does.
      if (error instanceof SystemError && error.code === 'ENOBUFS') this.endHungWorker(`it stopped reading: ${error.message}`);
      throw error;
    }
  }

  /**
   * Switches both directions to batches (several messages a datagram): for a ts-ipa worker only,
   * once it has greeted the proxy. Both ends still receive libcamera's framing.
   */
  enableBatching(): void {
    if (this.peer !== 'ts-ipa') throw new Error('batches are for a ts-ipa worker only');
    this.send(BATCH_CMD, () => {});
    this.transport.enableBatching();
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
