import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Picture } from './png';
import type { WriteJob, WriteOutcome } from './png-worker';

export interface FrameWriterOptions {
  /** Threads encoding PNG files: by default one fewer than the CPUs, 1 to 4. */
  threads?: number;
  /** What the frames waiting to be written may hold at most: by default 256 MiB, 40 frames at 1080p. */
  pendingBytes?: number;
}

/**
 * Writes frames to PNG files while the capture goes on. Encoding a frame can take longer than a
 * frame interval, so it runs on a pool of threads, off the thread that keeps the camera's buffers
 * moving; and the frames waiting for a thread are bounded: a capture that outruns the pool waits
 * in `reserve` while holding its buffer, so the camera drops frames (and says so) instead of
 * memory growing with the frame count.
 */
export class FrameWriter {
  private readonly threads: { worker: Worker; busy: number }[];
  private readonly inFlight = new Map<number, { bytes: number; file: string }>();
  private readonly waitingForRoom: (() => void)[] = [];
  private pendingBytes = 0;
  private nextId = 0;
  private failure: Error | undefined;
  private idle: (() => void) | undefined;
  readonly files: string[] = [];

  private readonly maxPendingBytes: number;

  constructor(options: FrameWriterOptions = {}) {
    this.maxPendingBytes = options.pendingBytes ?? 256 * 1024 * 1024;
    const threadCount = options.threads ?? Math.min(4, Math.max(1, os.availableParallelism() - 1));
    this.threads = Array.from({ length: threadCount }, () => {
      const thread = { worker: new Worker(path.join(__dirname, 'png-worker.js')), busy: 0 };
      thread.worker.on('message', (outcome: WriteOutcome) => this.settle(thread, outcome));
      thread.worker.on('error', (error) => this.fail(new Error(`the PNG writer failed: ${error.message}`)));
      return thread;
    });
  }

  /** Resolves when a frame of `bytes` may be copied out without going over the bound. */
  async reserve(bytes: number): Promise<void> {
    // One frame always fits, however large, or a capture could never start.
    while (!this.failure && this.pendingBytes > 0 && this.pendingBytes + bytes > this.maxPendingBytes) {
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
    if (this.failure) throw this.failure;
    this.pendingBytes += bytes;
  }

  /** Hands a frame (copied out, after `reserve`) to the least busy thread; its memory moves with it. */
  write(file: string, picture: Picture): void {
    const id = this.nextId++;
    const thread = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    thread.busy++;
    this.inFlight.set(id, { bytes: picture.data.byteLength, file });
    const job: WriteJob = { id, file, picture };
    thread.worker.postMessage(job, [picture.data.buffer as ArrayBuffer]);
  }

  /** Waits for every frame handed over, then ends the threads; the first failure is thrown. */
  async finish(): Promise<string[]> {
    if (this.inFlight.size > 0 && !this.failure) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.close();
    if (this.failure) throw this.failure;
    return this.files.sort();
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
  }

  private settle(thread: { busy: number }, outcome: WriteOutcome): void {
    thread.busy--;
    const job = this.inFlight.get(outcome.id)!;
    this.inFlight.delete(outcome.id);
    this.pendingBytes -= job.bytes;
    if (outcome.error !== undefined) this.fail(new Error(`cannot write ${job.file}: ${outcome.error}`));
    else this.files.push(job.file);
    this.waitingForRoom.shift()?.();
    if (this.inFlight.size === 0) this.idle?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const wake of this.waitingForRoom.splice(0)) wake();
    this.idle?.();
  }
}
