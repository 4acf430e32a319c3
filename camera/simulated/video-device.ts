import { SharedMemory } from '../../runtime';
import {
  Capability, Colorspace, DeviceError, type DequeuedBuffer, type FrameSizeRange, type MetaFormat, type V4L2ControlValue, type VideoBuffer,
  type VideoCapabilities, type VideoDevice, type VideoFormat, type VideoNodeKind,
} from '../../runtime/v4l2';
import type { Size } from '../configuration';
import { FrameClock } from './frame-clock';

export interface CaptureFormatInfo {
  pixelFormat: number;
  description: string;
  /** Bytes a pixel of the first (luma) line, which sets bytesPerLine. */
  bytesPerPixel: number;
  /** The image's bytes over bytesPerLine × height (1.5 for NV12's half-height chroma plane). */
  sizeRatio?: number;
}

/** A simulated node's buffer: a memfd in place of a dmabuf, mapped writable for the simulation. */
export type SharedBuffer = VideoBuffer & { memory_: SharedMemory };

export function allocateSharedBuffers(name: string, count: number, size: number): SharedBuffer[] {
  const buffers: SharedBuffer[] = [];
  for (let index = 0; index < count; index++) {
    const memory_ = SharedMemory.create(`${name}-${index}`, size);
    buffers.push({ index, planes: [{ fd: memory_.fd, offset: 0, length: size }], memory: new Uint8Array(memory_.map()), memory_ });
  }
  return buffers;
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
  /** What VIDIOC_QUERYCAP's device_caps says: a single-planar capture node by default. */
  deviceCaps?: number;
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
  /**
   * The graph paces the frames (an ISP feeding several nodes) and hands each to `deliver`; the
   * node then runs no timer of its own.
   */
  externalClock?: boolean;
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
  private current: VideoFormat;
  private buffers: SharedBuffer[] = [];
  private readonly queue: number[] = [];
  private handler: ((buffer: DequeuedBuffer) => void) | undefined;
  private clock: FrameClock | undefined;
  private template: Uint8Array | undefined;
  private templateVersion = -1;
  private sequence = 0;
  private streaming = false;
  private running = false;

  constructor(
    readonly path: string,
    card: string,
    private readonly formats: readonly CaptureFormatInfo[],
    private readonly rules: VideoNodeRules,
    private readonly source: StreamSource | undefined,
  ) {
    this.capabilities = { driver: rules.driver, card, busInfo: rules.busInfo, deviceCaps: rules.deviceCaps ?? Capability.VideoCapture | Capability.Streaming | Capability.IoMc };
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
    const size = bytesPerLine * height * (info.sizeRatio ?? 1);
    return { width, height, pixelFormat: info.pixelFormat, colorspace: wanted.colorspace || Colorspace.Srgb, planes: [{ bytesPerLine, size }] };
  }

  metaFormat(): MetaFormat {
    throw this.error('ENOTTY', 'VIDIOC_G_FMT', 'not a metadata node');
  }

  setMetaFormat(): MetaFormat {
    throw this.error('ENOTTY', 'VIDIOC_S_FMT', 'not a metadata node');
  }

  allocateBuffers(count: number): VideoBuffer[] {
    if (this.buffers.length > 0) throw this.error('EBUSY', 'VIDIOC_REQBUFS', 'Device or resource busy');
    this.buffers = allocateSharedBuffers(`${this.rules.driver}-simulated`, Math.min(count, 32), this.current.planes[0]!.size);
    return this.buffers;
  }

  releaseBuffers(): void {
    this.streamOff();
    for (const buffer of this.buffers) buffer.memory_.close();
    this.buffers = [];
  }

  queueBuffer(index: number, bytesUsed?: number): void {
    if (!this.buffers[index]) throw new RangeError(`${this.path}: no buffer ${index}`);
    if (bytesUsed !== undefined) throw new RangeError(`${this.path}: bytesUsed ${bytesUsed} for buffer ${index} of a capture node (the device says how much it filled)`);
    if (this.queue.includes(index)) throw this.error('EINVAL', 'VIDIOC_QBUF', 'Invalid argument (buffer already queued)');
    this.queue.push(index);
    if (this.streaming && !this.running && this.queue.length >= this.rules.minQueued) {
      try {
        this.startStreaming('VIDIOC_QBUF');
      } catch (error) {
        this.queue.pop();
        throw error;
      }
    }
  }

  /** Frames the timer could not produce on time because the event loop was busy. */
  get lateFrames(): number {
    return this.clock?.lateFrames ?? 0;
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
    this.running = true;
    if (this.source!.externalClock) return;
    this.clock ??= new FrameClock(() => this.source!.frameRate, (timestamp) => this.produce(timestamp));
    this.clock.start();
  }

  /** A frame of the graph's clock: into the oldest queued buffer, or missed if none is queued. */
  deliver(sequence: number, timestamp: bigint): void {
    if (this.running) this.produce(timestamp, sequence);
  }

  private produce(timestamp: bigint, sequence?: number): void {
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
    this.handler?.({ index, sequence: sequence ?? this.sequence++, timestamp, bytesUsed: this.template!.length, error: false });
  }

  streamOff(): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.queue.length = 0;
    if (!this.running) return;
    this.running = false;
    this.clock?.stop();
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
