/**
 * libcamera's Request life cycle on the pipeline side: a buffer held from submission to release,
 * the IPA's parameters awaited with a deadline, the device's buffer completing the request.
 * `P` is what a platform's IPA decides for a frame (its parameter buffer, read).
 */
import type { DequeuedBuffer } from '../runtime/v4l2';
import type { PixelFormatName } from '../runtime/v4l2';
import { IPATimeoutError } from '../runtime/errors';

export interface Frame<P> {
  /** The device's frame counter. */
  sequence: number;
  /** The request's number (what the IPA saw as `frame`). */
  request: number;
  /** CLOCK_MONOTONIC of the frame's end, in nanoseconds (the sensor timestamp). */
  timestamp: bigint;
  /** The device flagged the data as broken. */
  error: boolean;
  width: number;
  height: number;
  stride: number;
  pixelFormat: PixelFormatName;
  /** The pixels; valid until release(). */
  data: Uint8Array;
  /** What the IPA decided for this frame (for vimc: the sensor's control values and the statistics it took). */
  params: P;
  /** From queueRequest to paramsComputed, microseconds. */
  ipaRoundTripUs: number;
  /** Gives the frame's buffer back for another capture. */
  release(): void;
}

interface Pending<P> {
  sequence: number;
  bufferIndex: number;
  state: 'params' | 'queued';
  submittedAt: bigint;
  /** performance.now() past which its parameters are overdue. */
  deadline: number;
  params?: P;
  ipaRoundTripUs?: number;
  /** Completes only once the platform says the rest is in (its metadata, say), not at the device's buffer alone. */
  held?: boolean;
  /** The device's buffer, when it came while the request was held. */
  image?: { done: DequeuedBuffer; frameData: FrameData<P> };
  /** The held part will never come: the request fails with this once its buffer is back. */
  heldFailure?: Error;
  resolve(frame: Frame<P>): void;
  reject(error: Error): void;
}

type FrameData<P> = (index: number) => Pick<Frame<P>, 'data' | 'width' | 'height' | 'stride' | 'pixelFormat'>;

type Start = (request: { sequence: number; bufferIndex: number }) => void;

export interface RequestQueueOptions {
  /** Queues a buffer whose parameters are applied. */
  queueBuffer(index: number): void;
  /**
   * How long a request may wait for its parameters. computeParams is a one-way call with no
   * timeout of its own: without this deadline an IPA that stops answering stalls capture for ever.
   */
  paramsTimeoutMs: number;
  /** A request waited longer: it has failed with `error`; the IPA that owes it is hung. */
  onParamsOverdue(error: IPATimeoutError): void;
}

/**
 * The requests in flight through the camera, in order: each holds a buffer from the moment it is
 * submitted until its frame is released; requests past the number of buffers wait for one.
 */
export class RequestQueue<P> {
  private free: number[] = [];
  private pending: Pending<P>[] = [];
  private waiting: { start: Start; resolve(frame: Frame<P>): void; reject(error: Error): void }[] = [];
  private nextSequence = 0;
  private generation = 0;
  /** Runs while requests wait for parameters, every tenth of the deadline (so at most 10 % late). */
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: RequestQueueOptions) {}

  reset(bufferCount: number): void {
    this.free = Array.from({ length: bufferCount }, (_, i) => i);
    this.pending = [];
    this.nextSequence = 0;
    this.generation++;
    this.stopWatchdog();
  }

  submit(start: Start): Promise<Frame<P>> {
    return new Promise((resolve, reject) => {
      const index = this.free.shift();
      if (index === undefined) this.waiting.push({ start, resolve, reject });
      else this.begin(index, start, resolve, reject);
    });
  }

  private begin(bufferIndex: number, start: Start, resolve: (frame: Frame<P>) => void, reject: (error: Error) => void): void {
    const request: Pending<P> = {
      sequence: this.nextSequence++, bufferIndex, state: 'params', submittedAt: process.hrtime.bigint(),
      deadline: performance.now() + this.options.paramsTimeoutMs, resolve, reject,
    };
    this.pending.push(request);
    this.watchdog ??= setInterval(() => this.checkDeadlines(), Math.max(1, this.options.paramsTimeoutMs / 10));
    try {
      start(request);
    } catch (error) {
      this.drop(request, error as Error);
    }
  }

  /** The request waiting for the parameters of the buffer at `bufferIndex`, if one is. */
  private waitingFor(bufferIndex: number): Pending<P> | undefined {
    return this.pending.find((r) => r.state === 'params' && r.bufferIndex === bufferIndex);
  }

  waitsForParams(bufferIndex: number): boolean {
    return this.waitingFor(bufferIndex) !== undefined;
  }

  /**
   * The request's parameters are in: its buffer is queued. A `held` request completes only once
   * `completeHeld` is called too (and its buffer is back), as libcamera's rkisp1 requests complete
   * once their metadata is in.
   */
  paramsReady(bufferIndex: number, params: P, held = false): void {
    const request = this.waitingFor(bufferIndex);
    if (!request) return;
    this.settled(request);
    request.params = params;
    request.held = held;
    request.ipaRoundTripUs = Number(process.hrtime.bigint() - request.submittedAt) / 1000;
    try {
      this.options.queueBuffer(bufferIndex);
    } catch (error) {
      this.drop(request, error as Error);
    }
  }

  /** The request waiting for the parameters of `bufferIndex` fails with `error` (its parameters were refused). */
  failParams(bufferIndex: number, error: Error): void {
    const request = this.waitingFor(bufferIndex);
    if (request) this.drop(request, error);
  }

  private checkDeadlines(): void {
    const now = performance.now();
    const overdue = this.pending.filter((r) => r.state === 'params' && r.deadline <= now);
    for (const request of overdue) {
      const error = new IPATimeoutError(`computeParams for request ${request.sequence}`, this.options.paramsTimeoutMs);
      this.drop(request, error);
      this.options.onParamsOverdue(error);
    }
  }

  /** A request's parameters came (or it failed): the watchdog runs only while some still wait. */
  private settled(request: Pending<P>): void {
    request.state = 'queued';
    if (!this.pending.some((r) => r !== request && r.state === 'params')) this.stopWatchdog();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** The device is done with a queued request's buffer: the request completes, unless it is held. */
  complete(done: DequeuedBuffer, frameData: FrameData<P>): void {
    const request = this.pending.find((r) => r.state === 'queued' && r.bufferIndex === done.index && !r.image);
    if (!request) return;
    if (request.held && !request.heldFailure) request.image = { done, frameData };
    else this.finish(request, done, frameData);
  }

  /** What the held request of `bufferIndex` waited for is in: it completes now if its buffer is back, else when it is. */
  completeHeld(bufferIndex: number): void {
    const request = this.pending.find((r) => r.state === 'queued' && r.bufferIndex === bufferIndex && r.held);
    if (!request) return;
    request.held = false;
    if (request.image) this.finish(request, request.image.done, request.image.frameData);
  }

  /**
   * The held requests will not get what they wait for (the IPA that was to send it is gone): each
   * fails once the device has given its buffer back, so that the buffer is never reused while queued.
   */
  failHeld(error: Error): void {
    for (const request of this.pending.filter((r) => r.state === 'queued' && r.held)) {
      request.heldFailure ??= error;
      if (request.image) this.finish(request, request.image.done, request.image.frameData);
    }
  }

  private finish(request: Pending<P>, done: DequeuedBuffer, frameData: FrameData<P>): void {
    this.pending = this.pending.filter((r) => r !== request);
    if (request.heldFailure) {
      request.reject(request.heldFailure);
      this.release(request.bufferIndex);
      return;
    }
    const { bufferIndex } = request;
    const generation = this.generation;
    let released = false;
    request.resolve({
      sequence: done.sequence,
      request: request.sequence,
      timestamp: done.timestamp,
      error: done.error,
      ...frameData(bufferIndex),
      params: request.params!,
      ipaRoundTripUs: request.ipaRoundTripUs!,
      release: () => {
        if (released || generation !== this.generation) return;
        released = true;
        this.release(bufferIndex);
      },
    });
  }

  private release(bufferIndex: number): void {
    const next = this.waiting.shift();
    if (next) this.begin(bufferIndex, next.start, next.resolve, next.reject);
    else this.free.push(bufferIndex);
  }

  private drop(request: Pending<P>, error: Error): void {
    if (request.state === 'params') this.settled(request);
    this.pending = this.pending.filter((r) => r !== request);
    request.reject(error);
    this.release(request.bufferIndex);
  }

  /**
   * The requests still waiting for their parameters reject with `error` and give their buffers
   * back (the IPA that was to compute them is gone); those already queued at the device go on.
   */
  failWaitingForParams(error: Error): void {
    const waiting = this.pending.filter((r) => r.state === 'params');
    this.pending = this.pending.filter((r) => r.state !== 'params');
    this.stopWatchdog();
    for (const request of waiting) {
      request.reject(error);
      this.release(request.bufferIndex);
    }
  }

  /** Every request in flight or waiting rejects with `error`; their buffers are free again. */
  failAll(error: Error): void {
    const pending = this.pending;
    const waiting = this.waiting;
    this.stopWatchdog();
    this.pending = [];
    this.waiting = [];
    for (const request of pending) {
      this.free.push(request.bufferIndex);
      request.reject(error);
    }
    for (const w of waiting) w.reject(error);
  }
}
