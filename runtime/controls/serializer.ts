import { DeserializeError, SerializeError } from '../errors';
import type { Reader } from '../codec/reader';
import type { Writer } from '../codec/writer';
import { ControlId, ControlIdMap, ControlInfo, ControlInfoMap, ControlList } from './control-list';
import { ControlType, ControlValue, controlElementBytes, type ControlScalar } from './control-value';
import { controlIds, propertyIds } from './ids';

/** Control packet format version (libcamera's IPA_CONTROLS_FORMAT_VERSION since v0.6). */
export const CONTROL_PACKET_VERSION = 2;
const HEADER_BYTES = 32;
const LIST_ENTRY_BYTES = 20;
const INFO_ENTRY_BYTES = 64;
const IdMapType = { Controls: 0, Properties: 1, V4L2: 2 } as const;

/** Which end of a pipe a serializer sits at: it decides the parity of info map handles. */
export enum ControlSerializerRole {
  Proxy = 'proxy',
  Worker = 'worker',
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * libcamera's ControlSerializer: control packets (format v2) and the handle table that lets a
 * ControlList refer to a ControlInfoMap sent earlier. One serializer per end of a pipe serves
 * both directions. The proxy numbers the maps it sends 1, 3, 5…, the worker 2, 4, 6…; `reset()`
 * (done by both ends before `configure`) forgets every map.
 *
 * Departures from libcamera, all compatible with its receivers: a map sent twice is sent in
 * full both times (libcamera sends zeros the second time), reserved and padding bytes are zero,
 * malformed input throws `DeserializeError` instead of yielding an empty list, and an unknown id
 * in the controls or properties namespace decodes to a placeholder ControlId instead of aborting.
 */
export class ControlSerializer {
  private readonly seed: number;
  private nextHandle: number;
  private readonly handles = new Map<ControlInfoMap, number>();
  private readonly maps = new Map<number, ControlInfoMap>();

  constructor(readonly role: ControlSerializerRole) {
    this.seed = role === ControlSerializerRole.Proxy ? 1 : 2;
    this.nextHandle = this.seed;
  }

  reset(): void {
    this.nextHandle = this.seed;
    this.handles.clear();
    this.maps.clear();
  }

  /** The handle of a map this serializer has sent or received, if any. */
  handleOf(map: ControlInfoMap): number | undefined {
    return this.handles.get(map);
  }

  emptyList(): ControlList {
    return new ControlList(controlIds);
  }

  emptyInfoMap(): ControlInfoMap {
    return new ControlInfoMap([], controlIds);
  }

  // ---- IPADataSerializer wrappers ---------------------------------------------------------

  /** `u32 size`, then the info map packet. */
  writeInfoMap(w: Writer, map: ControlInfoMap, field: string): void {
    w.begin();
    this.writeInfoMapPacket(w, map, field);
    w.end();
  }

  /**
   * `u32 infoSize, u32 listSize`, the list's info map packet when the peer has not had it yet
   * (infoSize 0 otherwise), then the list packet.
   */
  writeList(w: Writer, list: ControlList, field: string): void {
    if (!(list instanceof ControlList)) throw new SerializeError(field, 'expected a ControlList');
    const sizes = w.skip(8);
    if (list.infoMap && !this.handles.has(list.infoMap)) {
      const start = w.pos;
      this.writeInfoMapPacket(w, list.infoMap, `${field} info map`);
      w.setU32At(sizes, w.pos - start);
    }
    const start = w.pos;
    this.writeListPacket(w, list, field);
    w.setU32At(sizes + 4, w.pos - start);
  }

  readInfoMap(r: Reader, field: string): ControlInfoMap {
    const size = r.u32(field);
    r.enterBytes(size, field);
    const map = this.readInfoMapPacket(r, field);
    r.leave(field);
    return map;
  }

  readList(r: Reader, field: string): ControlList {
    const infoSize = r.u32(`${field} info size`);
    const listSize = r.u32(`${field} list size`);
    if (infoSize > 0) {
      r.enterBytes(infoSize, `${field} info map`);
      this.readInfoMapPacket(r, `${field} info map`);
      r.leave(`${field} info map`);
    }
    r.enterBytes(listSize, field);
    const list = this.readListPacket(r, field);
    r.leave(field);
    return list;
  }

  // ---- packets ----------------------------------------------------------------------------

  writeInfoMapPacket(w: Writer, map: ControlInfoMap, field: string): void {
    if (!(map instanceof ControlInfoMap)) throw new SerializeError(field, 'expected a ControlInfoMap');
    let handle = this.handles.get(map);
    if (handle === undefined) {
      handle = this.nextHandle;
      this.nextHandle += 2;
      this.handles.set(map, handle);
      this.maps.set(handle, map);
    }
    const entries = [...map];
    const values = entries.flatMap(([id, info]) => [
      packValue(info.min, `${field}.${id}.min`),
      packValue(info.max, `${field}.${id}.max`),
      packValue(info.def, `${field}.${id}.def`),
    ]);
    const header = this.writeHeader(w, handle, entries.length, INFO_ENTRY_BYTES, values, idMapTypeOf(map.idMap));
    let dataOffset = 0;
    entries.forEach(([id], i) => {
      const at = w.skip(INFO_ENTRY_BYTES);
      w.setU32At(at, id.id);
      w.setU32At(at + 4, id.type);
      w.setU32At(at + 8, id.direction & 0xff);
      for (let k = 0; k < 3; k++) {
        dataOffset = writeValueEntry(w, at + 16 + 16 * k, values[i * 3 + k]!, dataOffset);
      }
    });
    writeValueData(w, values);
    w.setU32At(header + 12, w.pos - header);
  }

  writeListPacket(w: Writer, list: ControlList, field: string): void {
    let handle = 0;
    if (list.infoMap) {
      const known = this.handles.get(list.infoMap);
      if (known === undefined) throw new SerializeError(field, 'the list\'s ControlInfoMap has not been sent to the peer');
      handle = known;
    }
    const entries = [...list];
    const values = entries.map(([id, value]) => packValue(value, `${field}.${list.idMap?.get(id) ?? id}`));
    const header = this.writeHeader(w, handle, entries.length, LIST_ENTRY_BYTES, values, idMapTypeOf(list.idMap));
    let dataOffset = 0;
    entries.forEach(([id], i) => {
      const at = w.skip(LIST_ENTRY_BYTES);
      w.setU32At(at, id);
      dataOffset = writeValueEntry(w, at + 4, values[i]!, dataOffset);
    });
    writeValueData(w, values);
    w.setU32At(header + 12, w.pos - header);
  }

  private writeHeader(w: Writer, handle: number, count: number, entryBytes: number, values: PackedValue[], idMapType: number): number {
    const at = w.skip(HEADER_BYTES);
    w.setU32At(at, CONTROL_PACKET_VERSION);
    w.setU32At(at + 4, handle);
    w.setU32At(at + 8, count);
    w.setU32At(at + 16, HEADER_BYTES + count * entryBytes);
    w.setU32At(at + 20, idMapType);
    w.ensure(values.reduce((n, v) => n + v.bytes.length, 0));
    return at;
  }

  readInfoMapPacket(r: Reader, field: string): ControlInfoMap {
    const header = readHeader(r, INFO_ENTRY_BYTES, field);
    const cached = this.maps.get(header.handle);
    if (cached) {
      r.bytesView(r.remaining, field);
      return cached;
    }
    let idMap: ControlIdMap;
    if (header.idMapType === IdMapType.Controls) idMap = controlIds;
    else if (header.idMapType === IdMapType.Properties) idMap = propertyIds;
    else idMap = new ControlIdMap('v4l2');

    const data = new ValueCursor(r, header, field);
    const infos: [ControlId, ControlInfo][] = [];
    for (let i = 0; i < header.entries; i++) {
      const at = header.entriesAt + i * INFO_ENTRY_BYTES;
      const idNumber = r.u32At(at, field);
      const type = r.u32At(at + 4, field);
      const direction = r.u32At(at + 8, field) & 0xff;
      const entryField = `${field} entry ${i} (id ${idNumber})`;
      if (!(type in controlElementBytes)) throw new DeserializeError(entryField, `unknown control type ${type}`);
      let id = idMap.get(idNumber);
      if (!id) {
        id = new ControlId(idNumber, '', type, { vendor: 'local', direction });
        idMap.set(idNumber, id);
      }
      const min = data.value(at + 16, entryField);
      const max = data.value(at + 32, entryField);
      const def = data.value(at + 48, entryField);
      infos.push([id, new ControlInfo(min, max, def)]);
    }
    data.finish();
    const map = new ControlInfoMap(infos, idMap);
    this.maps.set(header.handle, map);
    this.handles.set(map, header.handle);
    return map;
  }

  readListPacket(r: Reader, field: string): ControlList {
    const header = readHeader(r, LIST_ENTRY_BYTES, field);
    let list: ControlList;
    if (header.handle !== 0) {
      const map = this.maps.get(header.handle);
      if (!map) throw new DeserializeError(field, `unknown ControlInfoMap handle ${header.handle}`);
      list = new ControlList(map);
    } else if (header.idMapType === IdMapType.Controls) {
      list = new ControlList(controlIds);
    } else if (header.idMapType === IdMapType.Properties) {
      list = new ControlList(propertyIds);
    } else {
      list = new ControlList(new ControlIdMap('v4l2'));
    }
    const data = new ValueCursor(r, header, field);
    for (let i = 0; i < header.entries; i++) {
      const at = header.entriesAt + i * LIST_ENTRY_BYTES;
      const id = r.u32At(at, field);
      list.setValue(id, data.value(at + 4, `${field} entry ${i} (id ${id})`));
    }
    data.finish();
    return list;
  }
}

function idMapTypeOf(idMap: ControlIdMap | undefined): number {
  if (idMap === controlIds) return IdMapType.Controls;
  if (idMap === propertyIds) return IdMapType.Properties;
  return IdMapType.V4L2;
}

// ---- value data -----------------------------------------------------------------------------

interface PackedValue {
  type: ControlType;
  isArray: boolean;
  count: number;
  bytes: Uint8Array;
}

/** Encodes one value's elements to their packed bytes (the data section holds them back to back). */
function packValue(value: ControlValue, field: string): PackedValue {
  const { type, isArray } = value;
  if (type === ControlType.None) return { type, isArray: false, count: value.isArray ? 0 : 1, bytes: new Uint8Array(0) };
  if (type === ControlType.String) {
    if (typeof value.value !== 'string') throw new SerializeError(field, 'a String control needs a string');
    const bytes = textEncoder.encode(value.value);
    return { type, isArray: true, count: checkCount(bytes.length, field), bytes };
  }
  const elements = (isArray ? value.value : [value.value]) as readonly ControlScalar[];
  if (!Array.isArray(elements)) throw new SerializeError(field, `an array control of ${ControlType[type]} needs an array`);
  const size = controlElementBytes[type];
  if (size === undefined) throw new SerializeError(field, `unknown control type ${type}`);
  const bytes = new Uint8Array(elements.length * size);
  const view = new DataView(bytes.buffer);
  elements.forEach((element, i) => writeElement(view, i * size, type, element, field));
  return { type, isArray, count: checkCount(elements.length, field), bytes };
}

function checkCount(count: number, field: string): number {
  if (count > 0xffff) throw new SerializeError(field, `${count} elements do not fit the u16 count of a control value`);
  return count;
}

function writeElement(view: DataView, at: number, type: ControlType, v: ControlScalar, field: string): void {
  const fail = (expected: string): never => {
    throw new SerializeError(field, `a ${ControlType[type]} control needs ${expected}, got ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  };
  const int = (min: number, max: number): number => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) : fail(`an integer in [${min}, ${max}]`));
  const object = <T extends object>(keys: (keyof T)[], signed: boolean[]): T => {
    if (typeof v !== 'object' || v === null) return fail(`{ ${keys.join(', ')} }`);
    keys.forEach((k, i) => {
      const n = (v as unknown as Record<string, unknown>)[k as string];
      const ok = Number.isInteger(n) && (signed[i] ? (n as number) >= -0x80000000 && (n as number) <= 0x7fffffff : (n as number) >= 0 && (n as number) <= 0xffffffff);
      if (!ok) fail(`{ ${keys.join(', ')} } with 32-bit integers`);
    });
    return v as T;
  };
  switch (type) {
    case ControlType.Bool:
      if (typeof v !== 'boolean') fail('a boolean');
      view.setUint8(at, v ? 1 : 0);
      break;
    case ControlType.Byte: view.setUint8(at, int(0, 0xff)); break;
    case ControlType.Unsigned16: view.setUint16(at, int(0, 0xffff), true); break;
    case ControlType.Unsigned32: view.setUint32(at, int(0, 0xffffffff), true); break;
    case ControlType.Integer32: view.setInt32(at, int(-0x80000000, 0x7fffffff), true); break;
    case ControlType.Integer64:
      if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) fail('a bigint in the range of i64');
      view.setBigInt64(at, v as bigint, true);
      break;
    case ControlType.Float:
      if (typeof v !== 'number') fail('a number');
      view.setFloat32(at, v as number, true);
      break;
    case ControlType.Rectangle: {
      const r = object<{ x: number; y: number; width: number; height: number }>(['x', 'y', 'width', 'height'], [true, true, false, false]);
      view.setInt32(at, r.x, true);
      view.setInt32(at + 4, r.y, true);
      view.setUint32(at + 8, r.width, true);
      view.setUint32(at + 12, r.height, true);
      break;
    }
    case ControlType.Size: {
      const s = object<{ width: number; height: number }>(['width', 'height'], [false, false]);
      view.setUint32(at, s.width, true);
      view.setUint32(at + 4, s.height, true);
      break;
    }
    case ControlType.Point: {
      const p = object<{ x: number; y: number }>(['x', 'y'], [true, true]);
      view.setInt32(at, p.x, true);
      view.setInt32(at + 4, p.y, true);
      break;
    }
    default:
      fail('a known type');
  }
}

/** Writes a 16-byte value entry at `at`; returns the data offset after this value. */
function writeValueEntry(w: Writer, at: number, value: PackedValue, dataOffset: number): number {
  w.setU32At(at, value.type | (value.isArray ? 1 << 8 : 0) | (value.count << 16));
  w.setU32At(at + 4, dataOffset);
  return dataOffset + value.bytes.length;
}

function writeValueData(w: Writer, values: PackedValue[]): void {
  for (const value of values) w.bytes(value.bytes);
}

interface PacketHeader {
  handle: number;
  entries: number;
  idMapType: number;
  entriesAt: number;
  dataAt: number;
  end: number;
}

/** Reads and checks a packet header; the packet is the reader's whole current frame. */
function readHeader(r: Reader, entryBytes: number, field: string): PacketHeader {
  const start = r.pos;
  const version = r.u32(`${field} header`);
  if (version !== CONTROL_PACKET_VERSION) {
    throw new DeserializeError(field, `control packet version ${version}, expected ${CONTROL_PACKET_VERSION}`);
  }
  const handle = r.u32(`${field} header`);
  const entries = r.u32(`${field} header`);
  const size = r.u32(`${field} header`);
  const dataOffset = r.u32(`${field} header`);
  const idMapType = r.u32(`${field} header`);
  r.u32(`${field} header`);
  r.u32(`${field} header`);
  if (size !== r.end - start) throw new DeserializeError(field, `packet size ${size} does not match the ${r.end - start} bytes framed`);
  if (entries > (size - HEADER_BYTES) / entryBytes || dataOffset !== HEADER_BYTES + entries * entryBytes) {
    throw new DeserializeError(field, `${entries} entries with data at ${dataOffset} do not fit a ${size}-byte packet`);
  }
  return { handle, entries, idMapType, entriesAt: start + HEADER_BYTES, dataAt: start + dataOffset, end: start + size };
}

/** Reads value entries' data in order, checking each offset as libcamera does. */
class ValueCursor {
  private offset = 0;

  constructor(
    private readonly r: Reader,
    private readonly header: PacketHeader,
    private readonly field: string,
  ) {
    r.pos = header.dataAt;
  }

  value(entryAt: number, field: string): ControlValue {
    const word = this.r.u32At(entryAt, field);
    const type = word & 0xff;
    const isArray = ((word >>> 8) & 0xff) !== 0;
    const count = word >>> 16;
    const offset = this.r.u32At(entryAt + 4, field);
    if (!(type in controlElementBytes)) throw new DeserializeError(field, `unknown control type ${type}`);
    if (offset !== this.offset) throw new DeserializeError(field, `value at offset ${offset}, expected ${this.offset}`);
    if (!isArray && count !== 1 && !(type === ControlType.None && count === 0)) {
      throw new DeserializeError(field, `a scalar value with count ${count}`);
    }
    const bytes = this.r.bytesView(count * controlElementBytes[type as ControlType], field);
    this.offset += bytes.length;
    return unpackValue(type as ControlType, isArray, count, bytes, field);
  }

  finish(): void {
    this.r.expectEnd(this.field);
  }
}

function unpackValue(type: ControlType, isArray: boolean, count: number, bytes: Uint8Array, field: string): ControlValue {
  if (type === ControlType.None) return ControlValue.none;
  if (type === ControlType.String) {
    try {
      return new ControlValue(type, textDecoder.decode(bytes), true);
    } catch {
      throw new DeserializeError(field, 'a String control is not valid UTF-8');
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = controlElementBytes[type];
  const elements: ControlScalar[] = [];
  for (let i = 0; i < count; i++) elements.push(readElement(view, i * size, type, field));
  return new ControlValue(type, isArray ? elements : elements[0]!, isArray);
}

function readElement(view: DataView, at: number, type: ControlType, field: string): ControlScalar {
  switch (type) {
    case ControlType.Bool: {
      const b = view.getUint8(at);
      if (b > 1) throw new DeserializeError(field, `a Bool control must be 0 or 1, got ${b}`);
      return b === 1;
    }
    case ControlType.Byte: return view.getUint8(at);
    case ControlType.Unsigned16: return view.getUint16(at, true);
    case ControlType.Unsigned32: return view.getUint32(at, true);
    case ControlType.Integer32: return view.getInt32(at, true);
    case ControlType.Integer64: return view.getBigInt64(at, true);
    case ControlType.Float: return view.getFloat32(at, true);
    case ControlType.Rectangle:
      return { x: view.getInt32(at, true), y: view.getInt32(at + 4, true), width: view.getUint32(at + 8, true), height: view.getUint32(at + 12, true) };
    case ControlType.Size: return { width: view.getUint32(at, true), height: view.getUint32(at + 4, true) };
    case ControlType.Point: return { x: view.getInt32(at, true), y: view.getInt32(at + 4, true) };
    default: throw new DeserializeError(field, `unknown control type ${type}`);
  }
}
