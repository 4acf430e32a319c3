import {
  Capability, DeviceError, type DequeuedBuffer, type FrameSizeRange, type MetaFormat, type V4L2ControlValue, type VideoCapabilities,
  type VideoDevice, type VideoFormat, type VideoNodeKind,
} from '../../runtime/v4l2';
import type { SimulatedControls } from './controls';
import { allocateSharedBuffers, type SharedBuffer } from './video-device';

/** What a platform's driver does that a metadata node shows. */
export interface MetaNodeRules {
  driver: string;
  busInfo: string;
  kind: Extract<VideoNodeKind, 'meta-capture' | 'meta-output'>;
  /** The data formats it takes, the first its default, each with the buffer size the driver gives it. */
  formats: readonly MetaFormat[];
  /** VIDIOC_REQBUFS's bounds: the driver's queue_setup clamps the count into them. */
  bufferCount: { min: number; max: number };
  /**
   * The driver's buf_prepare: checks an output buffer's `bytesUsed` bytes at QBUF and returns
   * what the hardware is to take of it; throwing refuses the QBUF.
   */
  prepare?: (bytes: Uint8Array, bytesUsed: number, format: MetaFormat) => unknown;
}

/** A buffer the device holds: its index, and for an output node the bytes used and what `prepare` made of them. */
export interface QueuedMetaBuffer {
  index: number;
  memory: Uint8Array;
  bytesUsed: number;
  prepared: unknown;
}

/**
 * A simulated metadata node (statistics out of the device, parameters into it): memfd buffers,
 * queued oldest first and handed to the simulated hardware with `take` only while streaming; the
 * hardware gives each back with `complete`, reported from the event loop in order. STREAMOFF
 * returns what is still queued, unreported, as the interface says.
 */
export class SimulatedMetaDevice implements VideoDevice {
  readonly capabilities: VideoCapabilities;
  readonly kind: VideoNodeKind;
  private current: MetaFormat;
  private buffers: SharedBuffer[] = [];
  private readonly queue: QueuedMetaBuffer[] = [];
  private handler: ((buffer: DequeuedBuffer) => void) | undefined;
  streaming = false;

  constructor(readonly path: string, card: string, private readonly rules: MetaNodeRules, private readonly ctrls?: SimulatedControls) {
    this.kind = rules.kind;
    const caps = rules.kind === 'meta-capture' ? Capability.MetaCapture : Capability.MetaOutput;
    this.capabilities = { driver: rules.driver, card, busInfo: rules.busInfo, deviceCaps: caps | Capability.Streaming | Capability.IoMc };
    this.current = { ...rules.formats[0]! };
  }

  metaFormat(): MetaFormat {
    return { ...this.current };
  }

  /** As the driver: an unknown data format gets the default one; busy once buffers are allocated. */
  setMetaFormat(dataFormat: number): MetaFormat {
    if (this.buffers.length > 0) throw this.error('EBUSY', 'VIDIOC_S_FMT', 'Device or resource busy');
    this.current = { ...(this.rules.formats.find((f) => f.dataFormat === dataFormat) ?? this.rules.formats[0]!) };
    return this.metaFormat();
  }

  pixelFormats(): { pixelFormat: number; description: string }[] {
    return [];
  }

  frameSizes(): FrameSizeRange[] {
    return [];
  }

  format(): VideoFormat {
    throw this.error('ENOTTY', 'VIDIOC_G_FMT', 'a metadata node has no image format (its format is metaFormat())');
  }

  setFormat(): VideoFormat {
    throw this.error('ENOTTY', 'VIDIOC_S_FMT', 'a metadata node has no image format (its format is metaFormat())');
  }

  tryFormat(): VideoFormat {
    throw this.error('ENOTTY', 'VIDIOC_TRY_FMT', 'a metadata node has no image format (its format is metaFormat())');
  }

  allocateBuffers(count: number): SharedBuffer[] {
    if (this.buffers.length > 0) throw this.error('EBUSY', 'VIDIOC_REQBUFS', 'Device or resource busy');
    const { min, max } = this.rules.bufferCount;
    this.buffers = allocateSharedBuffers(`${this.rules.driver}-simulated-meta`, Math.min(max, Math.max(min, count)), this.current.bufferSize);
    return this.buffers;
  }

  releaseBuffers(): void {
    this.streamOff();
    for (const buffer of this.buffers) buffer.memory_.close();
    this.buffers = [];
  }

  queueBuffer(index: number, bytesUsed?: number): void {
    const buffer = this.buffers[index];
    if (!buffer) throw new RangeError(`${this.path}: no buffer ${index}`);
    if (this.queue.some((q) => q.index === index)) throw this.error('EINVAL', 'VIDIOC_QBUF', 'Invalid argument (buffer already queued)');
    if (bytesUsed !== undefined && this.kind !== 'meta-output') {
      throw new RangeError(`${this.path}: bytesUsed ${bytesUsed} for buffer ${index} of a capture node (the device says how much it filled)`);
    }
    const used = bytesUsed ?? this.current.bufferSize;
    if (!(Number.isInteger(used) && used >= 0 && used <= this.current.bufferSize)) {
      throw new RangeError(`${this.path}: bytesUsed ${used} for buffer ${index}, which holds ${this.current.bufferSize} bytes`);
    }
    let prepared: unknown;
    if (this.kind === 'meta-output' && this.rules.prepare) {
      try {
        prepared = this.rules.prepare(buffer.memory, used, this.current);
      } catch (error) {
        throw this.error('EINVAL', 'VIDIOC_QBUF', `Invalid argument (${(error as Error).message})`);
      }
    }
    this.queue.push({ index, memory: buffer.memory, bytesUsed: used, prepared });
  }

  onBuffer(handler: ((buffer: DequeuedBuffer) => void) | undefined): void {
    this.handler = handler;
  }

  streamOn(): void {
    if (this.buffers.length === 0) throw this.error('EINVAL', 'VIDIOC_STREAMON', 'Invalid argument (no buffers)');
    this.streaming = true;
  }

  streamOff(): void {
    this.streaming = false;
    this.queue.length = 0;
  }

  /** The simulated hardware takes the oldest queued buffer, if the node streams and has one. */
  take(): QueuedMetaBuffer | undefined {
    return this.streaming ? this.queue.shift() : undefined;
  }

  /** The hardware is done with a buffer it took: the node reports it. */
  complete(buffer: QueuedMetaBuffer, sequence: number, timestamp: bigint, error = false): void {
    const bytesUsed = this.kind === 'meta-capture' ? this.current.bufferSize : buffer.bytesUsed;
    this.handler?.({ index: buffer.index, sequence, timestamp, bytesUsed, error });
  }

  controls() {
    return this.ctrls?.controls() ?? [];
  }

  getControls(ids: readonly number[]): V4L2ControlValue[] {
    if (this.ctrls) return this.ctrls.getControls(ids);
    if (ids.length > 0) throw this.error('EINVAL', 'VIDIOC_G_EXT_CTRLS', 'Invalid argument');
    return [];
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    if (this.ctrls) return this.ctrls.setControls(values);
    if (values.length > 0) throw this.error('EINVAL', 'VIDIOC_S_EXT_CTRLS', 'Invalid argument');
    return [];
  }

  close(): void {
    this.releaseBuffers();
  }

  private error(code: string, call: string, what: string): DeviceError {
    return new DeviceError(`${this.path}: ${call}: ${what}`, code, code === 'EINVAL' ? 22 : undefined, call, this.path);
  }
}
