/**
 * The same wire format written by hand with a DataView, as a careful person would without a
 * generator: the ceiling the generated codec is measured against. It carries the same values as
 * the generated codec (the runtime's ControlList, FrameBufferPlane, SharedFD), but checks no
 * types, ranges, sizes or counts.
 */
import {
  ControlList, ControlType, ControlValue, FrameBufferPlane, SharedFD, controlIds,
  type ControlScalar, type IPABuffer,
} from '../runtime';

const buffer = new ArrayBuffer(1 << 16);
const view = new DataView(buffer);
const bytes = new Uint8Array(buffer);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface SensorInfoData {
  model: string; bitsPerPixel: number; cfaPattern: number;
  activeAreaSize: { width: number; height: number };
  analogCrop: { x: number; y: number; width: number; height: number };
  outputSize: { width: number; height: number };
  pixelRate: bigint; minLineLength: number; maxLineLength: number; minFrameLength: number; maxFrameLength: number;
}

export function encodeSensorInfo(v: SensorInfoData): Uint8Array {
  const n = encoder.encodeInto(v.model, bytes.subarray(4)).written;
  view.setUint32(0, n, true);
  let p = 4 + n;
  view.setUint32(p, v.bitsPerPixel, true);
  view.setUint32(p + 4, v.cfaPattern, true);
  view.setUint32(p + 8, 8, true);
  view.setUint32(p + 12, v.activeAreaSize.width, true);
  view.setUint32(p + 16, v.activeAreaSize.height, true);
  view.setUint32(p + 20, 16, true);
  view.setInt32(p + 24, v.analogCrop.x, true);
  view.setInt32(p + 28, v.analogCrop.y, true);
  view.setUint32(p + 32, v.analogCrop.width, true);
  view.setUint32(p + 36, v.analogCrop.height, true);
  view.setUint32(p + 40, 8, true);
  view.setUint32(p + 44, v.outputSize.width, true);
  view.setUint32(p + 48, v.outputSize.height, true);
  view.setBigUint64(p + 52, v.pixelRate, true);
  view.setUint32(p + 60, v.minLineLength, true);
  view.setUint32(p + 64, v.maxLineLength, true);
  view.setUint32(p + 68, v.minFrameLength, true);
  view.setUint32(p + 72, v.maxFrameLength, true);
  p += 76;
  return bytes.subarray(0, p);
}

export function decodeSensorInfo(data: Uint8Array): SensorInfoData {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = v.getUint32(0, true);
  const model = decoder.decode(data.subarray(4, 4 + n));
  const p = 4 + n;
  return {
    model,
    bitsPerPixel: v.getUint32(p, true),
    cfaPattern: v.getUint32(p + 4, true),
    activeAreaSize: { width: v.getUint32(p + 12, true), height: v.getUint32(p + 16, true) },
    analogCrop: { x: v.getInt32(p + 24, true), y: v.getInt32(p + 28, true), width: v.getUint32(p + 32, true), height: v.getUint32(p + 36, true) },
    outputSize: { width: v.getUint32(p + 44, true), height: v.getUint32(p + 48, true) },
    pixelRate: v.getBigUint64(p + 52, true),
    minLineLength: v.getUint32(p + 60, true),
    maxLineLength: v.getUint32(p + 64, true),
    minFrameLength: v.getUint32(p + 68, true),
    maxFrameLength: v.getUint32(p + 72, true),
  };
}

const elementBytes = [0, 1, 1, 2, 4, 4, 8, 4, 1, 16, 8, 8];

/** A ControlList packet (format v2, handle 0) behind the 8-byte IPADataSerializer wrapper. */
export function encodeControls(list: ControlList): Uint8Array {
  const entries = list.size;
  const dataOffset = 32 + 20 * entries;
  let data = 8 + dataOffset;
  let offset = 0;
  let i = 0;
  for (const [id, c] of list) {
    const count = c.isArray ? (c.value as unknown[]).length : 1;
    const e = 8 + 32 + 20 * i++;
    view.setUint32(e, id, true);
    view.setUint32(e + 4, c.type | ((c.isArray ? 1 : 0) << 8) | (count << 16), true);
    view.setUint32(e + 8, offset, true);
    view.setUint32(e + 12, 0, true);
    view.setUint32(e + 16, 0, true);
    const values = c.isArray ? (c.value as unknown[]) : [c.value];
    for (const value of values) {
      switch (c.type) {
        case ControlType.Bool: bytes[data] = value ? 1 : 0; break;
        case ControlType.Integer32: view.setInt32(data, value as number, true); break;
        case ControlType.Integer64: view.setBigInt64(data, value as bigint, true); break;
        case ControlType.Float: view.setFloat32(data, value as number, true); break;
        case ControlType.Rectangle: {
          const r = value as { x: number; y: number; width: number; height: number };
          view.setInt32(data, r.x, true);
          view.setInt32(data + 4, r.y, true);
          view.setUint32(data + 8, r.width, true);
          view.setUint32(data + 12, r.height, true);
          break;
        }
        default: throw new Error(`type ${c.type} left out of the hand-written codec`);
      }
      data += elementBytes[c.type]!;
      offset += elementBytes[c.type]!;
    }
  }
  const size = data - 8;
  view.setUint32(0, 0, true);
  view.setUint32(4, size, true);
  view.setUint32(8, 2, true);
  view.setUint32(12, 0, true);
  view.setUint32(16, entries, true);
  view.setUint32(20, size, true);
  view.setUint32(24, dataOffset, true);
  view.setUint32(28, 0, true);
  view.setBigUint64(32, 0n, true);
  return bytes.subarray(0, data);
}

export function decodeControls(input: Uint8Array): ControlList {
  const v = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const entries = v.getUint32(16, true);
  const dataAt = 8 + v.getUint32(24, true);
  const list = new ControlList(controlIds);
  for (let i = 0; i < entries; i++) {
    const e = 8 + 32 + 20 * i;
    const word = v.getUint32(e + 4, true);
    const type = word & 0xff;
    const isArray = ((word >>> 8) & 0xff) !== 0;
    const count = word >>> 16;
    let at = dataAt + v.getUint32(e + 8, true);
    const values: ControlScalar[] = [];
    for (let k = 0; k < count; k++) {
      switch (type) {
        case ControlType.Bool: values.push(input[at] === 1); break;
        case ControlType.Integer32: values.push(v.getInt32(at, true)); break;
        case ControlType.Integer64: values.push(v.getBigInt64(at, true)); break;
        case ControlType.Float: values.push(v.getFloat32(at, true)); break;
        case ControlType.Rectangle:
          values.push({ x: v.getInt32(at, true), y: v.getInt32(at + 4, true), width: v.getUint32(at + 8, true), height: v.getUint32(at + 12, true) });
          break;
        default: throw new Error(`type ${type} left out of the hand-written codec`);
      }
      at += elementBytes[type]!;
    }
    list.setValue(v.getUint32(e, true), new ControlValue(type, isArray ? values : values[0]!, isArray));
  }
  return list;
}

/** vector<IPABuffer>: fds go to a list beside the bytes. */
export function encodeBuffers(list: IPABuffer[], fds: number[]): Uint8Array {
  view.setUint32(0, list.length, true);
  let p = 4;
  for (const b of list) {
    const element = p;
    const fdStart = fds.length;
    view.setUint32(p + 8, b.id, true);
    view.setUint32(p + 12, 4 + 20 * b.planes.length, true);
    view.setUint32(p + 16, b.planes.length, true);
    view.setUint32(p + 20, b.planes.length, true);
    p += 24;
    for (const plane of b.planes) {
      view.setUint32(p, 12, true);
      view.setUint32(p + 4, 1, true);
      view.setUint32(p + 8, 1, true);
      view.setUint32(p + 12, plane.offset, true);
      view.setUint32(p + 16, plane.length, true);
      fds.push(plane.fd.fd);
      p += 20;
    }
    view.setUint32(element, p - element - 8, true);
    view.setUint32(element + 4, fds.length - fdStart, true);
  }
  return bytes.subarray(0, p);
}

export function decodeBuffers(input: Uint8Array, fds: number[]): IPABuffer[] {
  const v = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const count = v.getUint32(0, true);
  const list: IPABuffer[] = [];
  let p = 4;
  let fd = 0;
  for (let i = 0; i < count; i++) {
    const id = v.getUint32(p + 8, true);
    const planeCount = v.getUint32(p + 20, true);
    p += 24;
    const planes = [];
    for (let k = 0; k < planeCount; k++) {
      const planeFd = v.getUint32(p + 8, true) ? new SharedFD(fds[fd++]!) : SharedFD.invalid;
      planes.push(new FrameBufferPlane(planeFd, v.getUint32(p + 12, true), v.getUint32(p + 16, true)));
      p += 20;
    }
    list.push({ id, planes });
  }
  return list;
}

/** A two-parameter call: the size table, then the two u32s. */
export function encodeComputeParams(frame: number, bufferId: number): Uint8Array {
  view.setUint32(0, 4, true);
  view.setUint32(4, 4, true);
  view.setUint32(8, frame, true);
  view.setUint32(12, bufferId, true);
  return bytes.subarray(0, 16);
}

export function decodeComputeParams(input: Uint8Array): [number, number] {
  const v = new DataView(input.buffer, input.byteOffset, input.byteLength);
  return [v.getUint32(8, true), v.getUint32(12, true)];
}
