import { Worker } from 'node:worker_threads';
import { IPACrashedError } from '../errors';
import { native } from '../native';
import { CallPipe, type CallPipeOptions } from './call-pipe';

export interface ThreadPipeOptions extends CallPipeOptions {
  modulePath: string;
  /** The thread's entry (the thread host). */
  hostPath: string;
}

/** What crosses the port: a message's bytes (transferred, not copied) and its fds. */
export interface PortMessage {
  payload: ArrayBuffer;
  fds: number[];
}

/**
 * A pipe to a worker thread, carrying the same messages as the socket pipe over a MessagePort.
 * fds are shared by number within the process; each message carries duplicates that the
 * receiver owns, as SCM_RIGHTS gives the receiving process its own.
 */
export class ThreadPipe extends CallPipe {
  readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(options: ThreadPipeOptions) {
    super(options);
    this.worker = new Worker(options.hostPath, { workerData: { modulePath: options.modulePath }, stdout: false, stderr: false });
    this.worker.on('message', (message: PortMessage) => this.receive(new Uint8Array(message.payload), message.fds));
    this.exited = new Promise((resolve) => {
      let reason = '';
      this.worker.on('error', (error) => {
        reason = error.message;
      });
      this.worker.once('exit', (code) => {
        this.workerExited(new IPACrashedError(code, null, this.hungReason ? `ended: ${this.hungReason}` : reason));
        resolve();
      });
    });
  }

  protected endHungWorker(reason: string): void {
    this.hungReason ||= reason;
    void this.worker.terminate();
  }

  private hungReason = '';

  protected transmitPayload(payload: Uint8Array, fds: readonly number[]): void {
    const copy = payload.slice();
    this.worker.postMessage({ payload: copy.buffer, fds: fds.map((fd) => native().dup(fd)) } satisfies PortMessage, [copy.buffer]);
  }

  async close(): Promise<void> {
    if (!this.closing && this.sendExit()) {
      const grace = setTimeout(() => void this.worker.terminate(), this.exitGraceMs);
      await this.exited;
      clearTimeout(grace);
    }
    await this.exited;
  }
}
