import { SharedMemory } from '../../../runtime';
import {
  Capability, Colorspace, DeviceError, fourcc, type DequeuedBuffer, type FrameSizeRange, type V4L2ControlValue, type VideoBuffer,
  type VideoCapabilities, type VideoDevice, type VideoFormat,
} from '../../../runtime/v4l2';
import { renderFrame, type RenderSettings } from './pattern';

export interface CaptureFormatInfo {
  pixelFormat: number;
  description: string;
  bytesPerPixel: number;
}

export const RGB_CAPTURE_FORMATS: readonly CaptureFormatInfo[] = [
  { pixelFormat: fourcc('RGB3'), description: '24-bit RGB 8-8-8', bytesPerPixel: 3 },
  { pixelFormat: fourcc('BGR3'), description: '24-bit BGR 8-8-8', bytesPerPixel: 3 },
];

export const RAW_CAPTURE_FORMATS: readonly CaptureFormatInfo[] = [
  { pixelFormat: fourcc('BA81'), description: '8-bit Bayer BGBG/GRGR', bytesPerPixel: 1 },
  { pixelFormat: fourcc('GBRG'), description: '8-bit Bayer GBGB/RGRG', bytesPerPixel: 1 },
  { pixelFormat: fourcc('GRBG'), description: '8-bit Bayer GRGR/BGBG', bytesPerPixel: 1 },
  { pixelFormat: fourcc('RGGB'), description: '8-bit Bayer RGRG/GBGB', bytesPerPixel: 1 },
];

/** vimc's capture nodes start streaming once this many buffers are queued. */
const MIN_QUEUED = 2;

/** What the rest of the simulated graph tells a capture node when it starts streaming. */
export interface StreamSource {
  /** Checks the pipeline as the kernel does at STREAMON (EPIPE on a mismatch). */
  start(): void;
  /** Changes each time a control that shows in the picture changes. */
  controlsVersion(): number;
  /** How to draw the picture now; asked only when the controls changed. */
  render(format: VideoFormat): RenderSettings;
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
  /** Frames the sensor produced while no buffer was queued (the real vimc skips them silently). */
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

  constructor(readonly path: string, card: string, private readonly formats: readonly CaptureFormatInfo[], private readonly source: StreamSource | undefined) {
    this.capabilities = { driver: 'vimc', card, busInfo: 'platform:vimc-simulated', deviceCaps: Capability.VideoCapture | Capability.Streaming | Capability.IoMc };
    this.current = this.adjust({ width: 640, height: 480, pixelFormat: formats[0]!.pixelFormat });
  }

  pixelFormats() {
    return this.formats.map(({ pixelFormat, description }) => ({ pixelFormat, description }));
  }

  frameSizes(pixelFormat: number): FrameSizeRange[] {
    if (!this.formats.some((f) => f.pixelFormat === pixelFormat)) return [];
    return [{ minWidth: 16, maxWidth: 4096, stepWidth: 1, minHeight: 16, maxHeight: 2160, stepHeight: 1 }];
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
    const width = Math.min(4096, Math.max(16, Math.trunc(wanted.width))) & ~1;
    const height = Math.min(2160, Math.max(16, Math.trunc(wanted.height))) & ~1;
    const bytesPerLine = width * info.bytesPerPixel;
    return { width, height, pixelFormat: info.pixelFormat, colorspace: wanted.colorspace || Colorspace.Srgb, planes: [{ bytesPerLine, size: bytesPerLine * height }] };
  }

  allocateBuffers(count: number): VideoBuffer[] {
    if (this.buffers.length > 0) throw this.error('EBUSY', 'VIDIOC_REQBUFS', 'Device or resource busy');
    const size = this.current.planes[0]!.size;
    for (let index = 0; index < Math.min(count, 32); index++) {
      const memory_ = SharedMemory.create(`vimc-simulated-${index}`, size);
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
    if (this.streaming && !this.timer && this.queue.length >= MIN_QUEUED) {
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
   * Streams. As the driver (which needs two buffers queued to start), the pipeline is checked and
   * frames start once two buffers are queued: here, or at the QBUF that makes two.
   */
  streamOn(): void {
    if (!this.source) throw this.error('ENOTSUP', 'VIDIOC_STREAMON', 'streaming from this node is not simulated');
    if (this.buffers.length === 0) throw this.error('EINVAL', 'VIDIOC_STREAMON', 'Invalid argument (no buffers)');
    if (this.streaming) return;
    this.streaming = true;
    if (this.queue.length >= MIN_QUEUED) this.startStreaming('VIDIOC_STREAMON');
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
      this.template = renderFrame(this.source!.render(this.current));
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
