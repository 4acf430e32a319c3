import { Worker } from 'node:worker_threads';
import { IPACrashedError } from '../errors';
import type { VerifiedModule } from '../modules/signature';
import { CallPipe, type CallPipeOptions } from './call-pipe';
import { PortTransport } from './port';

export interface ThreadPipeOptions extends CallPipeOptions {
  modulePath: string;
  /** A verified module: the thread runs these bytes, not the file at modulePath (see runtime/modules/loader.ts). */
  verified?: { module: VerifiedModule; handlerModules: readonly string[] };
  /** The thread's entry (the thread host). */
  hostPath: string;
}

/**
 * A pipe to a worker thread, carrying the same messages as the socket pipe over a MessagePort,
 * those of one event-loop turn together. fds are shared by number within the process; each
 * message carries duplicates that the receiver owns, as SCM_RIGHTS gives a process its own.
 */
export class ThreadPipe extends CallPipe {
  readonly worker: Worker;
  private readonly exited: Promise<void>;
  protected readonly transport: PortTransport;

  constructor(options: ThreadPipeOptions) {
    super(options);
    this.worker = new Worker(options.hostPath, { workerData: { modulePath: options.modulePath, verified: options.verified }, stdout: false, stderr: false });
    this.transport = new PortTransport(this.worker, {
      onMessage: (payload, fds) => this.receive(payload, fds),
      onError: (error) => this.reportError(error),
    });
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

  async close(): Promise<void> {
    if (!this.closing && this.sendExit()) {
      const grace = setTimeout(() => void this.worker.terminate(), this.exitGraceMs);
      await this.exited;
      clearTimeout(grace);
    }
    await this.exited;
  }
}
