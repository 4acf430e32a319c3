import { SharedMemory } from '../../runtime';
import {
  Capability, Colorspace, DeviceError, type DequeuedBuffer, type FrameSizeRange, type MetaFormat, type V4L2ControlValue, type VideoBuffer,
  type VideoCapabilities, type VideoDevice, type VideoFormat, type VideoNodeKind,
} from '../../runtime/v4l2';
import type { Size } from '../configuration';

export interface CaptureFormatInfo {
  pixelFormat: number;
  description: string;
  bytesPerPixel: number;
}

/** What a platform's driver does that its capture nodes show. */
export interface VideoNodeRules {
  /** What VIDIOC_QUERYCAP names. */
  driver: string;
  busInfo: string;
  /** The sizes the node takes; a size asked for outside them is clamped, then made even. */
  sizes: { min: Size; max: Size };
  /** Buffers that must be queued before the node streams (the driver's min_queued_buffers). */
  minQueued: number;
}

/** What the rest of the simulated graph tells a capture node when it starts streaming. */
export interface StreamSource {
  /** Checks the pipeline as the kernel does at STREAMON (EPIPE on a mismatch). */
  start(): void;
  /** Changes each time a control that shows in the picture changes. */
  controlsVersion(): number;
  /** The picture now, in `format`: the platform's renderer, asked only when the controls changed. */
  render(format: VideoFormat): Uint8Array;
  stop(): void;
  frameRate: number;
}

/**
 * A simulated capture node: memfd-backed buffers in place of dmabufs, frames rendered at the
 * simulated frame rate into the buffers queued to it, oldest first, and reported from the event
 * loop as the real node's are.
 */
export class SimulatedVideoDevice implements VideoDevice {
  readonly capabilities: VideoCapabilities;
  readonly kind: VideoNodeKind = 'capture';
  /** Frames the sensor produced while no buffer was queued (a real driver skips them silently). */
  missedFrames = 0;
  /** Frames the timer could not produce on time because the event loop was busy. */
  lateFrames = 0;
  private current: VideoFormat;
  private buffers: (VideoBuffer & { memory_: SharedMemory })[] = [];
  private readonly queue: number[] = [];
  private handler: ((buffer: DequeuedBuffer) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private template: Uint8Array | undefined;
  private templateVersion = -1;
  private sequence = 0;
  private nextDue = 0n;
  private streaming = false;

  constructor(
    readonly path: string,
    card: string,
    private readonly formats: readonly CaptureFormatInfo[],
    private readonly rules: VideoNodeRules,
    private readonly source: StreamSource | undefined,
  ) {
    this.capabilities = { driver: rules.driver, card, busInfo: rules.busInfo, deviceCaps: Capability.VideoCapture | Capability.Streaming | Capability.IoMc };
    this.current = this.adjust({ width: 640, height: 480, pixelFormat: formats[0]!.pixelFormat });
  }

  pixelFormats() {
    return this.formats.map(({ pixelFormat, description }) => ({ pixelFormat, description }));
  }

  frameSizes(pixelFormat: number): FrameSizeRange[] {
    if (!this.formats.some((f) => f.pixelFormat === pixelFormat)) return [];
    const { min, max } = this.rules.sizes;
    return [{ minWidth: min.width, maxWidth: max.width, stepWidth: 1, minHeight: min.height, maxHeight: max.height, stepHeight: 1 }];
  }

  format(): VideoFormat {
    return structuredClone(this.current);
  }

  setFormat(wanted: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat {
    if (this.buffers.length > 0) throw this.error('EBUSY', 'VIDIOC_S_FMT', 'Device or resource busy');
    this.current = this.adjust(wanted);
    return this.format();
  }

  tryFormat(wanted: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat {
    return this.adjust(wanted);
  }

  private adjust(wanted: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat {
    const info = this.formats.find((f) => f.pixelFormat === wanted.pixelFormat) ?? this.formats[0]!;
    const { min, max } = this.rules.sizes;
    const width = Math.min(max.width, Math.max(min.width, Math.trunc(wanted.width))) & ~1;
    const height = Math.min(max.height, Math.max(min.height, Math.trunc(wanted.height))) & ~1;
    const bytesPerLine = width * info.bytesPerPixel;
    return { width, height, pixelFormat: info.pixelFormat, colorspace: wanted.colorspace || Colorspace.Srgb, planes: [{ bytesPerLine, size: bytesPerLine * height }] };
  }

  metaFormat(): MetaFormat {
    throw this.error('ENOTTY', 'VIDIOC_G_FMT', 'not a metadata node');
  }

  setMetaFormat(): MetaFormat {
    throw this.error('ENOTTY', 'VIDIOC_S_FMT', 'not a metadata node');
  }

  allocateBuffers(count: number): VideoBuffer[] {
    if (this.buffers.length > 0) throw this.error('EBUSY', 'VIDIOC_REQBUFS', 'Device or resource busy');
    const size = this.current.planes[0]!.size;
    for (let index = 0; index < Math.min(count, 32); index++) {
      const memory_ = SharedMemory.create(`${this.rules.driver}-simulated-${index}`, size);
      this.buffers.push({ index, planes: [{ fd: memory_.fd, offset: 0, length: size }], memory: new Uint8Array(memory_.map()), memory_ });
    }
    return this.buffers;
  }

  releaseBuffers(): void {
    this.streamOff();
    for (const buffer of this.buffers) buffer.memory_.close();
    this.buffers = [];
  }

  queueBuffer(index: number): void {
    if (!this.buffers[index]) throw new RangeError(`${this.path}: no buffer ${index}`);
    if (this.queue.includes(index)) throw this.error('EINVAL', 'VIDIOC_QBUF', 'Invalid argument (buffer already queued)');
    this.queue.push(index);
    if (this.streaming && !this.timer && this.queue.length >= this.rules.minQueued) {
      try {
        this.startStreaming('VIDIOC_QBUF');
      } catch (error) {
        this.queue.pop();
        throw error;
      }
    }
  }

  onBuffer(handler: ((buffer: DequeuedBuffer) => void) | undefined): void {
    this.handler = handler;
  }

  /**
   * Streams. As the driver (which may need buffers queued to start), the pipeline is checked and
   * frames start once `minQueued` buffers are queued: here, or at the QBUF that makes them enough.
   */
  streamOn(): void {
    if (!this.source) throw this.error('ENOTSUP', 'VIDIOC_STREAMON', 'streaming from this node is not simulated');
    if (this.buffers.length === 0) throw this.error('EINVAL', 'VIDIOC_STREAMON', 'Invalid argument (no buffers)');
    if (this.streaming) return;
    this.streaming = true;
    if (this.queue.length >= this.rules.minQueued) this.startStreaming('VIDIOC_STREAMON');
  }

  private startStreaming(call: string): void {
    try {
      this.source!.start();
    } catch (error) {
      const e = error as DeviceError;
      throw new DeviceError(e.message.replace('VIDIOC_STREAMON', call), e.code, e.errno, call, e.path);
    }
    this.templateVersion = -1;
    this.sequence = 0;
    this.nextDue = process.hrtime.bigint();
    this.schedule();
  }

  private get period(): bigint {
    return BigInt(Math.round(1e9 / this.source!.frameRate));
  }

  private schedule(): void {
    const wait = Number(this.nextDue - process.hrtime.bigint()) / 1e6;
    this.timer = setTimeout(() => this.tick(), Math.max(0, wait));
  }

  /** Produces the frames that are due: one normally; a frame more than a period overdue is late and skipped. */
  private tick(): void {
    const now = process.hrtime.bigint();
    while (now - this.nextDue >= this.period) {
      this.lateFrames++;
      this.nextDue += this.period;
    }
    this.nextDue += this.period;
    this.produce(now);
    if (this.timer) this.schedule();
  }

  private produce(timestamp: bigint): void {
    const index = this.queue.shift();
    if (index === undefined) {
      this.missedFrames++;
      return;
    }
    // The sensor's controls apply from the next frame, as the real pattern generator's do.
    const version = this.source!.controlsVersion();
    if (version !== this.templateVersion) {
      this.template = this.source!.render(this.current);
      this.templateVersion = version;
    }
    this.buffers[index]!.memory.set(this.template!);
    this.handler?.({ index, sequence: this.sequence++, timestamp, bytesUsed: this.template!.length, error: false });
  }

  streamOff(): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.queue.length = 0;
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.source?.stop();
  }

  controls() {
    return [];
  }

  getControls(ids: readonly number[]): V4L2ControlValue[] {
    if (ids.length > 0) throw this.error('EINVAL', 'VIDIOC_G_EXT_CTRLS', 'Invalid argument');
    return [];
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    if (values.length > 0) throw this.error('EINVAL', 'VIDIOC_S_EXT_CTRLS', 'Invalid argument');
    return [];
  }

  close(): void {
    this.releaseBuffers();
  }

  private error(code: string, call: string, what: string): DeviceError {
    return new DeviceError(`${this.path}: ${call}: ${what}`, code, undefined, call, this.path);
  }
}
