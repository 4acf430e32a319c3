/**
 * The data of one control value in a packet: its elements back to back, written straight into
 * the message and read straight out of it (no intermediate buffers: a request's controls are
 * serialized once per frame).
 */
import { DeserializeError, SerializeError } from '../errors';
import type { Reader } from '../codec/reader';
import type { Writer } from '../codec/writer';
import { ControlType, ControlValue, controlElementBytes, type ControlScalar } from './control-value';

/** The element count a value entry declares (bytes for a string; 1 for None, as libcamera writes). */
export function elementCount(value: ControlValue, field: string): number {
  let count: number;
  if (value.type === ControlType.String) {
    if (typeof value.value !== 'string') throw new SerializeError(field, `a String control needs a string, got ${typeof value.value}`);
    count = utf8Length(value.value);
  } else if (value.isArray) {
    if (!Array.isArray(value.value)) throw new SerializeError(field, `an array control of ${ControlType[value.type]} needs an array`);
    count = value.value.length;
  } else {
    count = 1;
  }
  if (count > 0xffff) throw new SerializeError(field, `${count} elements do not fit the u16 count of a control value`);
  return count;
}

export function dataBytes(value: ControlValue, count: number): number {
  const size = controlElementBytes[value.type];
  if (size === undefined) return 0;
  return value.type === ControlType.String ? count : count * size;
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes a value's elements; range and kind errors name the control. */
export function writeValueData(w: Writer, value: ControlValue, field: string): void {
  const { type } = value;
  if (type === ControlType.None) return;
  if (type === ControlType.String) return w.string(value.value as string, field);
  if (!value.isArray) return writeElement(w, type, value.value as ControlScalar, field);
  const elements = value.value as readonly ControlScalar[];
  for (let i = 0; i < elements.length; i++) writeElement(w, type, elements[i]!, field);
}

function writeElement(w: Writer, type: ControlType, v: ControlScalar, field: string): void {
  switch (type) {
    case ControlType.Bool: return w.bool(v as boolean, field);
    case ControlType.Byte: return w.u8(v as number, field);
    case ControlType.Unsigned16: return w.u16(v as number, field);
    case ControlType.Unsigned32: return w.u32(v as number, field);
    case ControlType.Integer32: return w.i32(v as number, field);
    case ControlType.Integer64: return w.i64(v as bigint, field);
    case ControlType.Float: return w.f32(v as number, field);
    case ControlType.Rectangle: {
      const r = object(v, field, 'a Rectangle { x, y, width, height }') as { x: number; y: number; width: number; height: number };
      w.i32(r.x, field);
      w.i32(r.y, field);
      w.u32(r.width, field);
      return w.u32(r.height, field);
    }
    case ControlType.Size: {
      const s = object(v, field, 'a Size { width, height }') as { width: number; height: number };
      w.u32(s.width, field);
      return w.u32(s.height, field);
    }
    case ControlType.Point: {
      const p = object(v, field, 'a Point { x, y }') as { x: number; y: number };
      w.i32(p.x, field);
      return w.i32(p.y, field);
    }
    default:
      throw new SerializeError(field, `unknown control type ${type}`);
  }
}

function object(v: unknown, field: string, expected: string): object {
  if (typeof v !== 'object' || v === null) throw new SerializeError(field, `expected ${expected}, got ${String(v)}`);
  return v;
}

/** Reads `count` elements of `type` at the reader's position. */
export function readValueData(r: Reader, type: number, isArray: boolean, count: number, field: string): ControlValue {
  const size = controlElementBytes[type as ControlType];
  if (size === undefined) throw new DeserializeError(field, `unknown control type ${type}`);
  if (!isArray && count !== 1 && !(type === ControlType.None && count === 0)) {
    throw new DeserializeError(field, `a scalar value with count ${count}`);
  }
  if (count * size > r.remaining) throw new DeserializeError(field, `${count} elements of ${ControlType[type]} need ${count * size} bytes, ${r.remaining} left`);
  if (type === ControlType.None) return ControlValue.none;
  if (type === ControlType.String) {
    return new ControlValue(type, r.stringOfLength(count, field), true);
  }
  if (!isArray) return new ControlValue(type, readElement(r, type, field), false);
  const elements: ControlScalar[] = new Array(count);
  for (let i = 0; i < count; i++) elements[i] = readElement(r, type, field);
  return new ControlValue(type, elements, true);
}

function readElement(r: Reader, type: ControlType, field: string): ControlScalar {
  switch (type) {
    case ControlType.Bool: return r.bool(field);
    case ControlType.Byte: return r.u8(field);
    case ControlType.Unsigned16: return r.u16(field);
    case ControlType.Unsigned32: return r.u32(field);
    case ControlType.Integer32: return r.i32(field);
    case ControlType.Integer64: return r.i64(field);
    case ControlType.Float: return r.f32(field);
    case ControlType.Rectangle: return { x: r.i32(field), y: r.i32(field), width: r.u32(field), height: r.u32(field) };
    case ControlType.Size: return { width: r.u32(field), height: r.u32(field) };
    case ControlType.Point: return { x: r.i32(field), y: r.i32(field) };
    default: throw new DeserializeError(field, `unknown control type ${type}`);
  }
}
