import { SerializeError } from '../errors';
import type { ControlSerializer } from '../controls/serializer';
import type { ControlInfoMap, ControlList } from '../controls/control-list';
import type { FrameBufferPlane, SharedFD } from './shared-fd';

const textEncoder = new TextEncoder();
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** The bytes and fds of one encoded value, in libcamera's IPADataSerializer layout. */
export interface Encoded {
  data: Uint8Array;
  fds: number[];
}

/**
 * Appends little-endian values to a growing buffer and fds to a list. Generated encoders call
 * it; every write checks that the value fits its declared type and names the field if not.
 *
 * Size prefixes are written by reserving the prefix, encoding, then patching:
 * `const start = w.begin()` ... `w.end(start)` nest freely (a struct in an array in a map).
 */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;
  fds: number[] = [];
  private tablePos = 0;
  private paramStart = 0;
  private paramFdStart = 0;

  constructor(
    public controls?: ControlSerializer,
    initialCapacity = 256,
  ) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forgets what was written; the buffer and the fd list are kept for the next value. */
  reset(): this {
    this.pos = 0;
    if (this.fds.length > 0) this.fds = [];
    return this;
  }

  /** A view of the bytes written so far (valid until the next write or reset) and the fds. */
  result(): Encoded {
    return { data: this.buf.subarray(0, this.pos), fds: this.fds };
  }

  /** The bytes written so far, as `result()` has them, without the object around them. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Like `result()`, but the bytes are a copy the writer will not touch again. */
  take(): Encoded {
    const { data, fds } = this.result();
    return { data: data.slice(), fds };
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let capacity = this.buf.length * 2;
    while (capacity < this.pos + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  // ---- scalars ----------------------------------------------------------------------------

  bool(v: boolean, field: string): void {
    if (typeof v !== 'boolean') throw wrongType(field, 'a boolean', v);
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  u8(v: number, field: string): void {
    if (typeof v !== 'number' || (v & 0xff) !== v) throw outOfRange(field, 'u8', v);
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  i8(v: number, field: string): void {
    if (typeof v !== 'number' || (v << 24) >> 24 !== v) throw outOfRange(field, 'i8', v);
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number, field: string): void {
    if (typeof v !== 'number' || (v & 0xffff) !== v) throw outOfRange(field, 'u16', v);
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  i16(v: number, field: string): void {
    if (typeof v !== 'number' || (v << 16) >> 16 !== v) throw outOfRange(field, 'i16', v);
    this.ensure(2);
    this.view.setInt16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number, field: string): void {
    if (typeof v !== 'number' || v >>> 0 !== v) throw outOfRange(field, 'u32', v);
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i32(v: number, field: string): void {
    if (typeof v !== 'number' || (v | 0) !== v) throw outOfRange(field, 'i32', v);
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  u64(v: bigint, field: string): void {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw outOfRange(field, 'u64', v);
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  i64(v: bigint, field: string): void {
    if (typeof v !== 'bigint' || v < I64_MIN || v > I64_MAX) throw outOfRange(field, 'i64', v);
    this.ensure(8);
    this.view.setBigInt64(this.pos, v, true);
    this.pos += 8;
  }

  f32(v: number, field: string): void {
    if (typeof v !== 'number') throw wrongType(field, 'a number', v);
    this.ensure(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number, field: string): void {
    if (typeof v !== 'number') throw wrongType(field, 'a number', v);
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Raw bytes, as libcamera writes a `std::string` or a byte array. */
  bytes(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** A top-level string: its UTF-8 bytes and nothing else (the length comes from the frame). */
  string(v: string, field: string): void {
    if (typeof v !== 'string') throw wrongType(field, 'a string', v);
    this.ensure(v.length * 3);
    const n = v.length;
    const buf = this.buf;
    let pos = this.pos;
    // ASCII is the common case for names and paths; encodeInto costs more than the loop there.
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c >= 0x80) {
        pos += textEncoder.encodeInto(v.substring(i), buf.subarray(pos)).written;
        break;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** A string struct field: u32 byte length, then the bytes. */
  sizedString(v: string, field: string): void {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    this.string(v, field);
    this.view.setUint32(at, this.pos - at - 4, true);
  }

  /** A SharedFD: u32 1 and the fd appended to the fd list, or u32 0 when invalid. */
  fd(v: SharedFD, field: string): void {
    if (v === null || typeof v !== 'object' || typeof v.fd !== 'number') {
      throw wrongType(field, 'a SharedFD', v);
    }
    if (v.fd >= 0) {
      this.u32(1, field);
      this.fds.push(v.fd);
    } else {
      this.u32(0, field);
    }
  }

  /** A FrameBuffer::Plane: fd validity, offset, length (12 bytes). */
  plane(v: FrameBufferPlane, field: string): void {
    if (v === null || typeof v !== 'object') throw wrongType(field, 'a FrameBufferPlane', v);
    this.fd(v.fd, field);
    this.u32(v.offset, field);
    this.u32(v.length, field);
  }

  /** The element count of an array or map. */
  count(n: number, field: string): void {
    this.u32(n, field);
  }

  /** Checks that a struct value is an object before its fields are read. */
  object(v: unknown, struct: string): void {
    if (v === null || typeof v !== 'object') throw wrongType(struct, `a ${struct} object`, v);
  }

  /** Writes the element count of an array (checking that it is one). */
  array(list: readonly unknown[], field: string): void {
    if (!Array.isArray(list)) throw wrongType(field, 'an array', list);
    this.u32(list.length, field);
  }

  /** A map's entries in std::map order: numbers and bigints ascending, strings by UTF-8 bytes. */
  sortedEntries<K, V>(map: ReadonlyMap<K, V>, field: string): [K, V][] {
    return sortedEntries(map, field);
  }

  // ---- size prefixes ----------------------------------------------------------------------

  /** The prefix of an element whose type always encodes to `size` bytes and no fds. */
  fixedElement(size: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, size, true);
    this.view.setUint32(this.pos + 4, 0, true);
    this.pos += 8;
  }

  /** The prefix of a struct field whose type always encodes to `size` bytes and no fds. */
  fixedField(size: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, size, true);
    this.pos += 4;
  }

  /** A FrameBufferPlane as an array element: size 12, its fd count, the plane (20 bytes). */
  planeElement(v: FrameBufferPlane, field: string): void {
    if (v === null || typeof v !== 'object' || v.fd === null || typeof v.fd !== 'object' || typeof v.fd.fd !== 'number') {
      throw wrongType(field, 'a FrameBufferPlane', v);
    }
    const { offset, length } = v;
    if (offset >>> 0 !== offset) throw outOfRange(field, 'u32', offset);
    if (length >>> 0 !== length) throw outOfRange(field, 'u32', length);
    const valid = v.fd.fd >= 0 ? 1 : 0;
    this.ensure(20);
    const view = this.view;
    const p = this.pos;
    view.setUint32(p, 12, true);
    view.setUint32(p + 4, valid, true);
    view.setUint32(p + 8, valid, true);
    view.setUint32(p + 12, offset, true);
    view.setUint32(p + 16, length, true);
    this.pos = p + 20;
    if (valid) this.fds.push(v.fd.fd);
  }

  /** Opens a `u32 size` prefix and returns where it is; `end(start)` fills it in. */
  begin(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos = at + 4;
    return at;
  }

  end(start: number): void {
    this.view.setUint32(start, this.pos - start - 4, true);
  }

  /**
   * Opens a `u32 size, u32 fdCount` prefix (every array element and map key or value, and struct
   * fields whose type can carry fds); `endWithFds(start)` fills it in. Until then the fd count
   * slot holds the fd list's length.
   */
  beginWithFds(): number {
    this.ensure(8);
    const at = this.pos;
    this.view.setUint32(at + 4, this.fds.length, true);
    this.pos = at + 8;
    return at;
  }

  endWithFds(start: number): void {
    const view = this.view;
    view.setUint32(start, this.pos - start - 8, true);
    view.setUint32(start + 4, this.fds.length - view.getUint32(start + 4, true), true);
  }

  // ---- call payloads with two or more parameters --------------------------------------------

  /**
   * Reserves the size table of a call payload (`words` u32s: a size per parameter, and an fd
   * count after each fd-carrying one). Each `tableEntry()` then records the parameter just
   * written.
   */
  beginTable(words: number): void {
    this.ensure(words * 4);
    this.tablePos = this.pos;
    this.pos += words * 4;
    this.paramStart = this.pos;
    this.paramFdStart = this.fds.length;
  }

  tableEntry(): void {
    this.view.setUint32(this.tablePos, this.pos - this.paramStart, true);
    this.tablePos += 4;
    this.paramStart = this.pos;
  }

  tableEntryWithFds(): void {
    this.view.setUint32(this.tablePos, this.pos - this.paramStart, true);
    this.view.setUint32(this.tablePos + 4, this.fds.length - this.paramFdStart, true);
    this.tablePos += 8;
    this.paramStart = this.pos;
    this.paramFdStart = this.fds.length;
  }

  // ---- controls -----------------------------------------------------------------------------

  private controlSerializer(field: string): ControlSerializer {
    if (!this.controls) {
      throw new SerializeError(field, 'ControlList and ControlInfoMap values need a ControlSerializer (new Writer(serializer))');
    }
    return this.controls;
  }

  /** A top-level ControlList: u32 infoSize, u32 listSize, the info map packet, the list packet. */
  controlList(v: ControlList, field: string): void {
    this.controlSerializer(field).writeList(this, v, field);
  }

  /** A top-level ControlInfoMap: u32 size, then the packet. */
  controlInfoMap(v: ControlInfoMap, field: string): void {
    this.controlSerializer(field).writeInfoMap(this, v, field);
  }

  /** A ControlList struct field: u32 0 when empty, else u32 size and the top-level form. */
  controlListField(v: ControlList, field: string): void {
    if (v.size === 0) return this.u32(0, field);
    const start = this.begin();
    this.controlList(v, field);
    this.end(start);
  }

  controlInfoMapField(v: ControlInfoMap, field: string): void {
    if (v.size === 0) return this.u32(0, field);
    const start = this.begin();
    this.controlInfoMap(v, field);
    this.end(start);
  }

  // ---- raw access for the control serializer ----------------------------------------------

  /** Reserves `n` bytes and returns their offset, for fields written later with `setU32At`. */
  skip(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.buf.fill(0, at, at + n);
    this.pos += n;
    return at;
  }

  setU32At(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
}

/** A map's entries in the order they go on the wire (the Writer's and the Copier's). */
export function sortedEntries<K, V>(map: ReadonlyMap<K, V>, field: string): [K, V][] {
  if (!(map instanceof Map)) throw wrongType(field, 'a Map', map);
  const entries = [...map];
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

/** Orders map keys as std::map orders the C++ keys: by value, strings by code point (= UTF-8 bytes). */
function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') {
    for (let i = 0, j = 0; i < a.length && j < b.length; ) {
      const ca = a.codePointAt(i)!;
      const cb = b.codePointAt(j)!;
      if (ca !== cb) return ca - cb;
      i += ca > 0xffff ? 2 : 1;
      j += cb > 0xffff ? 2 : 1;
    }
    return a.length - b.length;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return v.constructor?.name ?? 'an object';
}

export function outOfRange(field: string, type: string, v: unknown): SerializeError {
  const kind = type.endsWith('64') ? 'a bigint' : 'an integer';
  return new SerializeError(field, `${describe(v)} is not ${kind} in the range of ${type}`);
}

export function wrongType(field: string, expected: string, v: unknown): SerializeError {
  return new SerializeError(field, `expected ${expected}, got ${describe(v)}`);
}
