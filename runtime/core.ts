/**
 * The core structs every IPA contract may use: the twins of libcamera's core.mojom. Compiled with
 * the transformer like any contract module, so each has a generated codec.
 */
import { struct } from './contract';
import type { FrameBufferPlane } from './codec/shared-fd';
import type { i32, u32, u64 } from './types';

@struct()
export class Point {
  x!: i32;
  y!: i32;
}

@struct()
export class Size {
  width!: u32;
  height!: u32;
}

@struct()
export class SizeRange {
  min!: Size;
  max!: Size;
  hStep!: u32;
  vStep!: u32;
}

@struct()
export class Rectangle {
  x!: i32;
  y!: i32;
  width!: u32;
  height!: u32;
}

/** What a pipeline handler tells an IPA about the sensor mode it configured. */
@struct()
export class IPACameraSensorInfo {
  model!: string;
  bitsPerPixel!: u32;
  cfaPattern!: u32;
  activeAreaSize!: Size;
  analogCrop!: Rectangle;
  outputSize!: Size;
  pixelRate!: u64;
  minLineLength!: u32;
  maxLineLength!: u32;
  minFrameLength!: u32;
  maxFrameLength!: u32;
}

/** A buffer the IPA maps once (mapBuffers) and then refers to by id. */
@struct()
export class IPABuffer {
  id!: u32;
  planes!: FrameBufferPlane[];
}

@struct()
export class IPASettings {
  configurationFile!: string;
  sensorModel!: string;
}

@struct()
export class IPAStream {
  pixelFormat!: u32;
  size!: Size;
}
