import type { DequeuedBuffer } from '../../runtime/v4l2';
import type { PixelFormatName } from '../../runtime/v4l2';
import type { FrameParams } from './params';

export interface Frame {
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
  /** What the IPA decided for this frame: the sensor's control values and the statistics it took. */
  params: FrameParams;
  /** From queueRequest to paramsComputed, microseconds. */
  ipaRoundTripUs: number;
  /** Gives the frame's buffer back for another capture. */
  release(): void;
}

interface Pending {
  sequence: number;
  bufferIndex: number;
  state: 'params' | 'queued';
  submittedAt: bigint;
  params?: FrameParams;
  ipaRoundTripUs?: number;
  resolve(frame: Frame): void;
  reject(error: Error): void;
}

type Start = (request: { sequence: number; bufferIndex: number }) => void;

/**
 * The requests in flight through the camera, in order: each holds a buffer from the moment it is
 * submitted until its frame is released; requests past the number of buffers wait for one.
 */
export class RequestQueue {
  private free: number[] = [];
  private pending: Pending[] = [];
  private waiting: { start: Start; resolve(frame: Frame): void; reject(error: Error): void }[] = [];
  private nextSequence = 0;
  private generation = 0;

  constructor(private readonly queueBuffer: (index: number) => void) {}

  reset(bufferCount: number): void {
    this.free = Array.from({ length: bufferCount }, (_, i) => i);
    this.pending = [];
    this.nextSequence = 0;
    this.generation++;
  }

  submit(start: Start): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const index = this.free.shift();
      if (index === undefined) this.waiting.push({ start, resolve, reject });
      else this.begin(index, start, resolve, reject);
    });
  }

  private begin(bufferIndex: number, start: Start, resolve: (frame: Frame) => void, reject: (error: Error) => void): void {
    const request: Pending = { sequence: this.nextSequence++, bufferIndex, state: 'params', submittedAt: process.hrtime.bigint(), resolve, reject };
    this.pending.push(request);
    try {
      start(request);
    } catch (error) {
      this.drop(request, error as Error);
    }
  }

  paramsReady(bufferIndex: number, params: FrameParams): void {
    const request = this.pending.find((r) => r.state === 'params' && r.bufferIndex === bufferIndex);
    if (!request) return;
    request.state = 'queued';
    request.params = params;
    request.ipaRoundTripUs = Number(process.hrtime.bigint() - request.submittedAt) / 1000;
    try {
      this.queueBuffer(bufferIndex);
    } catch (error) {
      this.drop(request, error as Error);
    }
  }

  complete(done: DequeuedBuffer, frameData: (index: number) => Pick<Frame, 'data' | 'width' | 'height' | 'stride' | 'pixelFormat'>): void {
    const at = this.pending.findIndex((r) => r.state === 'queued' && r.bufferIndex === done.index);
    if (at < 0) return;
    const [request] = this.pending.splice(at, 1);
    const { bufferIndex } = request!;
    const generation = this.generation;
    let released = false;
    request!.resolve({
      sequence: done.sequence,
      request: request!.sequence,
      timestamp: done.timestamp,
      error: done.error,
      ...frameData(bufferIndex),
      params: request!.params!,
      ipaRoundTripUs: request!.ipaRoundTripUs!,
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

  private drop(request: Pending, error: Error): void {
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
    for (const request of waiting) {
      request.reject(error);
      this.release(request.bufferIndex);
    }
  }

  /** Every request in flight or waiting rejects with `error`; their buffers are free again. */
  failAll(error: Error): void {
    const pending = this.pending;
    const waiting = this.waiting;
    this.pending = [];
    this.waiting = [];
    for (const request of pending) {
      this.free.push(request.bufferIndex);
      request.reject(error);
    }
    for (const w of waiting) w.reject(error);
  }
}
