import fs from 'node:fs';
import { native } from '../native';
import { BufferType, Capability, Colorspace, Memory } from './constants';
import { V4L2Device } from './controls';
import { DeviceError, onDevice, openDeviceNode } from './device-node';
import type {
  DequeuedBuffer, FrameSizeRange, MetaFormat, VideoBuffer, VideoCapabilities, VideoDevice, VideoFormat, VideoNodeKind,
} from './types';

const BUF_FLAG_ERROR = 0x40;

/**
 * A V4L2 video node (/dev/videoN) that captures images, or metadata from or to the device:
 * formats, MMAP buffers exported as dmabufs, and streaming driven by the event loop (a poll
 * watcher dequeues each buffer the device is done with as it comes).
 */
export class V4L2VideoDevice extends V4L2Device implements VideoDevice {
  readonly capabilities: VideoCapabilities;
  readonly kind: VideoNodeKind;
  private readonly type: number;
  private buffers: VideoBuffer[] = [];
  private mappings: ArrayBuffer[] = [];
  private watcher: InstanceType<ReturnType<typeof native>['DeviceWatcher']> | undefined;
  private handler: ((buffer: DequeuedBuffer) => void) | undefined;
  private streaming = false;
  /** Buffers with the driver: the watcher runs only while there are some, as libcamera's does. */
  private queued = 0;

  private constructor(path: string, fd: number) {
    super(path, fd);
    this.capabilities = onDevice(path, () => native().queryCapabilities(fd));
    const caps = this.capabilities.deviceCaps;
    const node = caps & Capability.Streaming ? nodeOf(caps) : undefined;
    if (!node) {
      throw new DeviceError(
        `${path}: not a streaming capture or metadata node (${this.capabilities.card}, device caps 0x${caps.toString(16).padStart(8, '0')})`,
        'ENOTSUP', undefined, 'VIDIOC_QUERYCAP', path,
      );
    }
    this.kind = node.kind;
    this.type = node.type;
  }

  static open(path: string): V4L2VideoDevice {
    const fd = openDeviceNode(path);
    try {
      return new V4L2VideoDevice(path, fd);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  pixelFormats(): { pixelFormat: number; description: string }[] {
    return onDevice(this.path, () => native().enumFormats(this.fd, this.type));
  }

  frameSizes(pixelFormat: number): FrameSizeRange[] {
    return onDevice(this.path, () => native().enumFrameSizes(this.fd, pixelFormat));
  }

  format(): VideoFormat {
    this.requireImageNode('VIDIOC_G_FMT');
    return onDevice(this.path, () => native().format(this.fd, this.type));
  }

  setFormat(format: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat {
    this.requireImageNode('VIDIOC_S_FMT');
    return onDevice(this.path, () => native().setFormat(this.fd, this.type, { colorspace: Colorspace.Srgb, ...format }, false));
  }

  tryFormat(format: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat {
    this.requireImageNode('VIDIOC_TRY_FMT');
    return onDevice(this.path, () => native().setFormat(this.fd, this.type, { colorspace: Colorspace.Srgb, ...format }, true));
  }

  metaFormat(): MetaFormat {
    this.requireMetaNode('VIDIOC_G_FMT');
    return onDevice(this.path, () => native().metaFormat(this.fd, this.type));
  }

  setMetaFormat(dataFormat: number): MetaFormat {
    this.requireMetaNode('VIDIOC_S_FMT');
    return onDevice(this.path, () => native().setMetaFormat(this.fd, this.type, dataFormat));
  }

  private requireImageNode(ioctl: string): void {
    if (this.kind !== 'capture') throw new DeviceError(`${this.path}: a metadata node has no image format (its format is metaFormat())`, 'ENOTTY', undefined, ioctl, this.path);
  }

  private requireMetaNode(ioctl: string): void {
    if (this.kind === 'capture') throw new DeviceError(`${this.path}: not a metadata node (its format is format())`, 'ENOTTY', undefined, ioctl, this.path);
  }

  allocateBuffers(count: number): VideoBuffer[] {
    if (this.buffers.length > 0) throw new DeviceError(`${this.path}: buffers are already allocated`, 'EBUSY', undefined, 'VIDIOC_REQBUFS', this.path);
    const granted = onDevice(this.path, () => native().requestBuffers(this.fd, this.type, Memory.Mmap, count));
    try {
      for (let index = 0; index < granted; index++) {
        const planes = onDevice(this.path, () => native().queryBuffer(this.fd, this.type, index));
        // The kernel maps an output queue's buffers only writable (vb2_mmap).
        const writable = this.kind === 'meta-output';
        const mapping = onDevice(this.path, () => native().mmap(this.fd, planes[0]!.offset, planes[0]!.length, writable));
        this.mappings.push(mapping);
        const exported = planes.map((plane, i) => ({ fd: onDevice(this.path, () => native().exportBuffer(this.fd, this.type, index, i)), offset: 0, length: plane.length }));
        this.buffers.push({ index, planes: exported, memory: new Uint8Array(mapping) });
      }
    } catch (error) {
      this.releaseBuffers();
      throw error;
    }
    return this.buffers;
  }

  /** Stops streaming, unmaps and closes the buffers' fds and frees them in the driver. */
  releaseBuffers(): void {
    const mappings = this.mappings;
    const buffers = this.buffers;
    this.mappings = [];
    this.buffers = [];
    try {
      if (this.streaming) this.streamOff();
    } finally {
      for (const mapping of mappings) native().munmap(mapping);
      for (const buffer of buffers) for (const plane of buffer.planes) native().close(plane.fd);
      if (buffers.length > 0) onDevice(this.path, () => native().requestBuffers(this.fd, this.type, Memory.Mmap, 0));
    }
  }

  queueBuffer(index: number, bytesUsed?: number): void {
    const buffer = this.buffers[index];
    if (!buffer) throw new RangeError(`${this.path}: no buffer ${index}`);
    if (bytesUsed !== undefined && this.kind !== 'meta-output') {
      throw new RangeError(`${this.path}: bytesUsed ${bytesUsed} for buffer ${index} of a capture node (the device says how much it filled)`);
    }
    let planes: { bytesUsed?: number }[] = [];
    if (this.type === BufferType.VideoCaptureMplane) planes = buffer.planes.map(() => ({}));
    else if (this.kind === 'meta-output') planes = [{ bytesUsed: this.checkedBytesUsed(buffer, bytesUsed) }];
    onDevice(this.path, () => native().queueBuffer(this.fd, this.type, Memory.Mmap, index, planes));
    // A capture queue polls as an error while streaming with nothing queued: watch only when
    // there is something to wait for.
    if (++this.queued === 1 && this.streaming) this.watcher!.start();
  }

  private checkedBytesUsed(buffer: VideoBuffer, bytesUsed: number | undefined): number {
    const length = buffer.planes[0]!.length;
    if (bytesUsed === undefined) return length;
    if (!Number.isInteger(bytesUsed) || bytesUsed < 0 || bytesUsed > length) {
      throw new RangeError(`${this.path}: bytesUsed ${bytesUsed} for buffer ${buffer.index}, which holds ${length} bytes`);
    }
    return bytesUsed;
  }

  onBuffer(handler: ((buffer: DequeuedBuffer) => void) | undefined): void {
    this.handler = handler;
  }

  streamOn(): void {
    onDevice(this.path, () => native().streamOn(this.fd, this.type));
    this.streaming = true;
    this.watcher ??= new (native().DeviceWatcher)(this.fd, this.kind === 'meta-output' ? 'writable' : 'readable', (error) => this.dequeueReady(error));
    if (this.queued > 0) this.watcher.start();
  }

  private dequeueReady(error: Error | undefined): void {
    if (!this.streaming) return;
    for (;;) {
      const done = onDevice(this.path, () => native().dequeueBuffer(this.fd, this.type, Memory.Mmap));
      if (!done) {
        // The watcher stopped itself on a poll error: carry on while buffers are queued.
        if (error && this.queued > 0) setImmediate(() => this.streaming && this.queued > 0 && this.watcher!.start());
        return;
      }
      if (--this.queued === 0) this.watcher!.stop();
      this.handler?.({
        index: done.index,
        sequence: done.sequence,
        timestamp: done.timestamp,
        bytesUsed: done.bytesUsed[0] ?? 0,
        error: (done.flags & BUF_FLAG_ERROR) !== 0,
      });
      if (!this.streaming) return;
    }
  }

  streamOff(): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.watcher?.stop();
    this.queued = 0; // STREAMOFF takes every buffer back
    onDevice(this.path, () => native().streamOff(this.fd, this.type));
  }

  /** Releases everything and closes the device, whatever fails on the way: the node is free again. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.releaseBuffers();
    } finally {
      this.watcher?.close();
      this.watcher = undefined;
      fs.closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** What a node's capabilities make it, as libcamera picks: images first, then metadata in, then out. */
function nodeOf(caps: number): { kind: VideoNodeKind; type: number } | undefined {
  if (caps & Capability.VideoCaptureMplane) return { kind: 'capture', type: BufferType.VideoCaptureMplane };
  if (caps & Capability.VideoCapture) return { kind: 'capture', type: BufferType.VideoCapture };
  if (caps & Capability.MetaCapture) return { kind: 'meta-capture', type: BufferType.MetaCapture };
  if (caps & Capability.MetaOutput) return { kind: 'meta-output', type: BufferType.MetaOutput };
  return undefined;
}
