/**
 * What a pipeline handler sees of a camera's devices. The real ones (MediaDevice, V4L2Subdevice,
 * V4L2VideoDevice) drive the kernel; a simulated camera implements the same interfaces in user
 * space, so that the same pipeline code runs on both.
 */

export interface MediaDeviceInfo {
  driver: string;
  model: string;
  serial: string;
  busInfo: string;
  driverVersion: number;
  /** MEDIA_IOC_DEVICE_INFO's hw_revision: what a driver says of its hardware (rkisp1: the ISP version). */
  hwRevision?: number;
}

export interface MediaPad {
  id: number;
  index: number;
  flags: number;
}

export interface MediaEntity {
  id: number;
  name: string;
  function: number;
  pads: MediaPad[];
  /** The device node of its interface (/dev/videoN, /dev/v4l-subdevN), if it has one. */
  devnode: string | undefined;
}

export interface MediaLink {
  source: { entity: string; pad: number };
  sink: { entity: string; pad: number };
  enabled: boolean;
  immutable: boolean;
}

export interface MbusFormat {
  code: number;
  width: number;
  height: number;
  field?: number;
  colorspace?: number;
}

export interface Rectangle {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ControlDescription {
  id: number;
  name: string;
  type: number;
  minimum: bigint;
  maximum: bigint;
  step: bigint;
  defaultValue: bigint;
  flags: number;
  menu?: { index: number; name?: string; value?: bigint }[];
}

export type V4L2ControlValue = number | bigint | string | Uint8Array | Uint16Array | Uint32Array;

export interface Controllable {
  readonly path: string;
  controls(): ControlDescription[];
  getControls(ids: readonly number[]): V4L2ControlValue[];
  /** All or none; returns the values as applied (a driver may clamp them). */
  setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[];
}

export interface Subdevice extends Controllable {
  format(pad: number): MbusFormat;
  setFormat(pad: number, format: MbusFormat): MbusFormat;
  mbusCodes(pad: number): number[];
  crop(pad: number): Rectangle;
  setCrop(pad: number, rectangle: Rectangle): Rectangle;
  /**
   * Calls `handler` from the event loop with each frame's sequence number as the frame starts
   * (V4L2_EVENT_FRAME_SYNC, which an ISP sends); `undefined` stops. A sub-device that sends no
   * such event refuses with DeviceError.
   */
  onFrameStart(handler: ((sequence: number) => void) | undefined): void;
  close(): void;
}

export interface VideoFormat {
  width: number;
  height: number;
  pixelFormat: number;
  colorspace?: number;
  planes: { bytesPerLine: number; size: number }[];
}

export interface VideoCapabilities {
  driver: string;
  card: string;
  busInfo: string;
  deviceCaps: number;
}

export interface FrameSizeRange {
  minWidth: number;
  maxWidth: number;
  stepWidth: number;
  minHeight: number;
  maxHeight: number;
  stepHeight: number;
}

/** A buffer of a video device: its planes as dmabuf fds (owned by the device) and mapped memory. */
export interface VideoBuffer {
  index: number;
  planes: { fd: number; offset: number; length: number }[];
  /** The first plane, mapped: read-only for a capture node, writable for an output node. */
  memory: Uint8Array;
}

export interface DequeuedBuffer {
  index: number;
  sequence: number;
  /** CLOCK_MONOTONIC, nanoseconds. */
  timestamp: bigint;
  bytesUsed: number;
  /** The driver says the data is unusable (V4L2_BUF_FLAG_ERROR). */
  error: boolean;
}

/**
 * What a video node's buffers carry: images from the device, or metadata from it (statistics) or
 * to it (parameters), as its capabilities say.
 */
export type VideoNodeKind = 'capture' | 'meta-capture' | 'meta-output';

/** A metadata node's format (struct v4l2_meta_format). */
export interface MetaFormat {
  dataFormat: number;
  /** Bytes a buffer holds, as the driver sizes it. */
  bufferSize: number;
}

export interface VideoDevice extends Controllable {
  readonly capabilities: VideoCapabilities;
  readonly kind: VideoNodeKind;
  pixelFormats(): { pixelFormat: number; description: string }[];
  frameSizes(pixelFormat: number): FrameSizeRange[];
  format(): VideoFormat;
  setFormat(format: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat;
  tryFormat(format: { width: number; height: number; pixelFormat: number; colorspace?: number }): VideoFormat;
  /** A metadata node's format; an image node refuses with DeviceError. */
  metaFormat(): MetaFormat;
  /** Sets a metadata node's data format and returns what the driver chose. */
  setMetaFormat(dataFormat: number): MetaFormat;
  /** Allocates `count` buffers (the device may give more or fewer), exported as dmabufs and mapped. */
  allocateBuffers(count: number): VideoBuffer[];
  releaseBuffers(): void;
  /** Gives buffer `index` to the device; an output node's carries `bytesUsed` bytes (the whole buffer by default). */
  queueBuffer(index: number, bytesUsed?: number): void;
  /**
   * Called from the event loop for each buffer the device is done with, in order, while
   * streaming: filled by a capture node, consumed by an output node.
   */
  onBuffer(handler: ((buffer: DequeuedBuffer) => void) | undefined): void;
  streamOn(): void;
  /** Stops streaming; buffers still queued come back as cancelled (not reported). */
  streamOff(): void;
  close(): void;
}

export interface MediaGraph {
  readonly path: string;
  readonly info: MediaDeviceInfo;
  /** True for a camera simulated in user space. */
  readonly simulated: boolean;
  entities(): MediaEntity[];
  entity(name: string): MediaEntity;
  links(): MediaLink[];
  setLink(source: string, sourcePad: number, sink: string, sinkPad: number, enabled: boolean): void;
  /** Disables every link that can be disabled. */
  disableLinks(): void;
  openSubdevice(entityName: string): Subdevice;
  openVideoDevice(entityName: string): VideoDevice;
  close(): void;
}
