import { DeserializeError } from '../errors';
import type { ControlSerializer } from '../controls/serializer';
import type { ControlInfoMap, ControlList } from '../controls/control-list';
import { FrameBufferPlane, SharedFD } from './shared-fd';

// ignoreBOM: a string that starts with U+FEFF keeps it, as libcamera's std::string keeps its bytes.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads little-endian values from bytes and takes fds from a list, never past the current
 * frame: the whole input at first, then each size-prefixed field, element or parameter while it
 * is being decoded. Any read that does not fit throws a `DeserializeError` naming the field, and
 * counts are checked against the bytes left before anything is allocated for them.
 */
export class Reader {
  pos = 0;
  /** End of the current frame (exclusive). */
  end: number;
  fdPos = 0;
  fdEnd: number;
  // Made on first use: most messages are integers, read straight from the bytes, and a DataView
  // costs more to create than a small message takes to decode.
  private dataView: DataView | undefined = undefined;
  /** Saved (end, fdEnd) pairs of the frames entered so far. */
  private frames: number[] | undefined = undefined;
  private tablePos = 0;
  private tableEnd = 0;
  private paramEnd = 0;
  private paramFdEnd = 0;

  constructor(
    private bytes: Uint8Array,
    public fds: readonly number[] = [],
    public controls?: ControlSerializer,
    /** Where the value starts: past a message's header, read in place instead of through a view. */
    start = 0,
  ) {
    this.pos = start;
    this.end = bytes.byteLength;
    this.fdEnd = fds.length;
  }

  /**
   * Starts over on other bytes and fds, as a new Reader over them would: one reader serves every
   * message a pipe end decodes, instead of one made for each (the biggest object a call cost).
   * Nothing a decoder returns holds its reader, and no decoding runs inside another.
   */
  reset(bytes: Uint8Array, fds: readonly number[], start = 0): this {
    this.bytes = bytes;
    this.fds = fds;
    this.pos = start;
    this.end = bytes.byteLength;
    this.fdPos = 0;
    this.fdEnd = fds.length;
    this.dataView = undefined;
    if (this.frames) this.frames.length = 0;
    this.tablePos = 0;
    this.tableEnd = 0;
    this.paramEnd = 0;
    this.paramFdEnd = 0;
    this.openedFdEnd = 0;
    return this;
  }

  private get view(): DataView {
    return (this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  /** Bytes left in the current frame. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, field: string): void {
    if (this.end - this.pos < n) {
      throw new DeserializeError(field, `needs ${n} byte${n === 1 ? '' : 's'}, ${this.end - this.pos} left`);
    }
  }

  // ---- scalars ----------------------------------------------------------------------------

  bool(field: string): boolean {
    this.need(1, field);
    const b = this.bytes[this.pos++]!;
    if (b > 1) throw new DeserializeError(field, `a bool must be 0 or 1, got ${b}`);
    return b === 1;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.pos++]!;
  }

  i8(field: string): number {
    this.need(1, field);
    return (this.bytes[this.pos++]! << 24) >> 24;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 2;
    return b[p]! | (b[p + 1]! << 8);
  }

  i16(field: string): number {
    return (this.u16(field) << 16) >> 16;
  }

  u32(field: string): number {
    return this.i32(field) >>> 0;
  }

  i32(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32(field: string): number {
    this.need(4, field);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(field: string): number {
    this.need(8, field);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` raw bytes, as a view into the input. */
  bytesView(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A top-level string: every byte left in the current frame. */
  string(field: string): string {
    return this.utf8(this.end - this.pos, field);
  }

  /** A string struct field: u32 byte length, then the bytes. */
  sizedString(field: string): string {
    return this.utf8(this.u32(field), field);
  }

  /** The next `n` bytes as a UTF-8 string. */
  stringOfLength(n: number, field: string): string {
    return this.utf8(n, field);
  }

  private utf8(n: number, field: string): string {
    this.need(n, field);
    const bytes = this.bytes;
    const start = this.pos;
    this.pos += n;
    if (n < 32) {
      let ascii = '';
      for (let i = start; i < start + n; i++) {
        const c = bytes[i]!;
        if (c >= 0x80) return this.decodeUtf8(start, n, field);
        ascii += String.fromCharCode(c);
      }
      return ascii;
    }
    return this.decodeUtf8(start, n, field);
  }

  private decodeUtf8(start: number, n: number, field: string): string {
    try {
      return textDecoder.decode(this.bytes.subarray(start, start + n));
    } catch {
      throw new DeserializeError(field, 'the string is not valid UTF-8');
    }
  }

  /** A SharedFD: a validity word, and when valid the next fd of the current frame. */
  fd(field: string): SharedFD {
    const valid = this.u32(field);
    if (valid === 0) return SharedFD.invalid;
    if (this.fdPos >= this.fdEnd) {
      throw new DeserializeError(field, `a valid SharedFD needs an fd, ${this.fdEnd - this.fdPos} left`);
    }
    return new SharedFD(this.fds[this.fdPos++]!);
  }

  plane(field: string): FrameBufferPlane {
    const fd = this.fd(field);
    return new FrameBufferPlane(fd, this.u32(field), this.u32(field));
  }

  /**
   * The element count of an array or map, checked against the bytes left: every element costs at
   * least `minBytesPerElement` bytes, so a forged count fails here instead of allocating.
   */
  count(field: string, minBytesPerElement: number): number {
    const n = this.u32(field);
    if (n * minBytesPerElement > this.end - this.pos) {
      throw new DeserializeError(field, `count ${n} needs at least ${n * minBytesPerElement} bytes, ${this.end - this.pos} left`);
    }
    return n;
  }

  /** Adds a decoded map entry; a key that appears twice is malformed input. */
  mapEntry<K, V>(map: Map<K, V>, key: K, value: V, field: string): void {
    if (map.has(key)) throw new DeserializeError(field, `the key ${String(key)} appears twice`);
    map.set(key, value);
  }

  // ---- frames -----------------------------------------------------------------------------

  private checkFrame(size: number, fdCount: number, field: string): void {
    if (size > this.end - this.pos) {
      throw new DeserializeError(field, `size ${size} exceeds the ${this.end - this.pos} bytes left`);
    }
    if (fdCount > this.fdEnd - this.fdPos) {
      throw new DeserializeError(field, `fd count ${fdCount} exceeds the ${this.fdEnd - this.fdPos} fds left`);
    }
  }

  private pushFrame(size: number, fdCount: number, field: string): void {
    this.checkFrame(size, fdCount, field);
    (this.frames ??= []).push(this.end, this.fdEnd);
    this.end = this.pos + size;
    this.fdEnd = this.fdPos + fdCount;
  }

  /**
   * The prefix of an element whose type always encodes to `size` bytes and no fds. Its reads stay
   * checked against the enclosing frame, and its decoder reads exactly `size` bytes, so no frame
   * of its own is needed.
   */
  fixedElement(size: number, field: string): void {
    const actual = this.u32(field);
    const fdCount = this.u32(field);
    if (actual !== size || fdCount !== 0) {
      throw new DeserializeError(field, `an element of ${size} bytes and no fds is framed as ${actual} bytes and ${fdCount} fds`);
    }
    this.need(size, field);
  }

  /** The prefix of a struct field whose type always encodes to `size` bytes. */
  fixedField(size: number, field: string): void {
    const actual = this.u32(field);
    if (actual !== size) throw new DeserializeError(field, `a field of ${size} bytes is framed as ${actual} bytes`);
    this.need(size, field);
  }

  /** A FrameBufferPlane array element: size 12, an fd count that matches the plane's fd. */
  planeElement(field: string): FrameBufferPlane {
    this.need(20, field);
    const size = this.wordAt(this.pos);
    const fdCount = this.wordAt(this.pos + 4);
    const valid = this.wordAt(this.pos + 8);
    if (size !== 12 || fdCount !== (valid === 0 ? 0 : 1)) {
      throw new DeserializeError(field, `a FrameBufferPlane${valid ? ' with' : ' without'} an fd is framed as ${size} bytes and ${fdCount} fds`);
    }
    if (fdCount > this.fdEnd - this.fdPos) throw new DeserializeError(field, 'a valid SharedFD needs an fd, 0 left');
    const fd = fdCount === 0 ? SharedFD.invalid : new SharedFD(this.fds[this.fdPos++]!);
    const plane = new FrameBufferPlane(fd, this.wordAt(this.pos + 12), this.wordAt(this.pos + 16));
    this.pos += 20;
    return plane;
  }

  private wordAt(p: number): number {
    const b = this.bytes;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  // ---- self-delimiting values: checked after they are read ----------------------------------

  /** Where the fds of the element or field opened last must end; read it right after opening. */
  openedFdEnd = 0;

  /**
   * Reads an array element's or map entry's prefix (`u32 size, u32 fdCount`), checks it against
   * the current frame, and returns where the element must end; `closeWithFds()` checks that it
   * did. For structs, arrays and maps, whose decoders stop at their own end.
   */
  openElement(field: string): number {
    this.need(8, field);
    const size = this.wordAt(this.pos);
    const fdCount = this.wordAt(this.pos + 4);
    this.pos += 8;
    this.checkFrame(size, fdCount, field);
    this.openedFdEnd = this.fdPos + fdCount;
    return this.pos + size;
  }

  /** openElement() for a type that cannot carry fds: its fd count must be 0. */
  openElementWithoutFds(field: string): number {
    const end = this.openElement(field);
    if (this.openedFdEnd !== this.fdPos) throw new DeserializeError(field, `${this.openedFdEnd - this.fdPos} fds framed with a value that carries none`);
    return end;
  }

  /** Reads a struct field's `u32 size` prefix; returns where the field must end. */
  openField(field: string): number {
    const size = this.u32(field);
    this.checkFrame(size, 0, field);
    return this.pos + size;
  }

  /** Reads a struct field's `u32 size, u32 fdCount` prefix; returns where the field must end. */
  openFieldWithFds(field: string): number {
    return this.openElement(field);
  }

  /** Checks that a self-delimiting value ended where its prefix said. */
  close(end: number, field: string): void {
    if (this.pos !== end) {
      throw new DeserializeError(field, this.pos < end ? `${end - this.pos} unexpected trailing byte${end - this.pos === 1 ? '' : 's'}` : `the value ran ${this.pos - end} bytes past its size`);
    }
  }

  closeWithFds(end: number, fdEnd: number, field: string): void {
    this.close(end, field);
    if (this.fdPos !== fdEnd) {
      throw new DeserializeError(field, this.fdPos < fdEnd ? `${fdEnd - this.fdPos} unexpected trailing fd${fdEnd - this.fdPos === 1 ? '' : 's'}` : `the value took ${this.fdPos - fdEnd} fds more than its fd count`);
    }
  }

  /** Enters a field framed by `u32 size`; its fds, if any, are counted by its parent. */
  enter(field: string): void {
    const size = this.u32(field);
    this.pushFrame(size, 0, field);
  }

  /** Enters a field, array element, map key or map value framed by `u32 size, u32 fdCount`. */
  enterWithFds(field: string): void {
    this.need(8, field);
    const b = this.bytes;
    const p = this.pos;
    this.pos = p + 8;
    const size = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    const fdCount = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    this.pushFrame(size, fdCount, field);
  }

  /** Leaves the current frame, which must have been read exactly. */
  leave(field: string): void {
    this.expectEnd(field);
    this.fdEnd = this.frames!.pop()!;
    this.end = this.frames!.pop()!;
  }

  /** Whether the current frame was consumed to the last byte and fd (what expectEnd checks). */
  get atEnd(): boolean {
    return this.pos === this.end && this.fdPos === this.fdEnd;
  }

  /** Checks that the current frame was consumed to the last byte and fd. */
  expectEnd(field: string): void {
    if (this.pos !== this.end) {
      throw new DeserializeError(field, `${this.end - this.pos} unexpected trailing byte${this.end - this.pos === 1 ? '' : 's'}`);
    }
    if (this.fdPos !== this.fdEnd) {
      throw new DeserializeError(field, `${this.fdEnd - this.fdPos} unexpected trailing fd${this.fdEnd - this.fdPos === 1 ? '' : 's'}`);
    }
  }

  // ---- call payloads with two or more parameters --------------------------------------------

  /** Steps over a call's size table of `words` u32s; `enterParam*()` then read it in order. */
  beginTable(words: number, field: string): void {
    this.need(words * 4, `${field} size table`);
    this.tablePos = this.pos;
    this.tableEnd = this.pos + words * 4;
    this.pos = this.tableEnd;
  }

  private tableWord(): number {
    const b = this.bytes;
    const p = this.tablePos;
    this.tablePos = p + 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  // Parameters never nest, so the frame of the one being read lives in two fields of its own.

  enterParam(field: string): void {
    if (this.tableEnd - this.tablePos < 4) throw new DeserializeError(field, 'the size table is too short');
    this.enterParamFrame(this.tableWord(), 0, field);
  }

  enterParamWithFds(field: string): void {
    if (this.tableEnd - this.tablePos < 8) throw new DeserializeError(field, 'the size table is too short');
    const size = this.tableWord();
    this.enterParamFrame(size, this.tableWord(), field);
  }

  private enterParamFrame(size: number, fdCount: number, field: string): void {
    this.checkFrame(size, fdCount, field);
    this.paramEnd = this.end;
    this.paramFdEnd = this.fdEnd;
    this.end = this.pos + size;
    this.fdEnd = this.fdPos + fdCount;
  }

  /** Leaves a parameter, which must have been read exactly. */
  leaveParam(field: string): void {
    this.expectEnd(field);
    this.end = this.paramEnd;
    this.fdEnd = this.paramFdEnd;
  }

  // ---- controls -----------------------------------------------------------------------------

  private controlSerializer(field: string): ControlSerializer {
    if (!this.controls) {
      throw new DeserializeError(field, 'ControlList and ControlInfoMap values need a ControlSerializer (new Reader(bytes, fds, serializer))');
    }
    return this.controls;
  }

  controlList(field: string): ControlList {
    return this.controlSerializer(field).readList(this, field);
  }

  controlInfoMap(field: string): ControlInfoMap {
    return this.controlSerializer(field).readInfoMap(this, field);
  }

  /** A ControlList struct field: u32 0 for an empty list, else u32 size and the top-level form. */
  controlListField(field: string): ControlList {
    const serializer = this.controlSerializer(field);
    const size = this.u32(field);
    if (size === 0) return serializer.emptyList();
    this.pushFrame(size, 0, field);
    const list = serializer.readList(this, field);
    this.leave(field);
    return list;
  }

  controlInfoMapField(field: string): ControlInfoMap {
    const serializer = this.controlSerializer(field);
    const size = this.u32(field);
    if (size === 0) return serializer.emptyInfoMap();
    this.pushFrame(size, 0, field);
    const map = serializer.readInfoMap(this, field);
    this.leave(field);
    return map;
  }

  // ---- raw access for the control serializer ----------------------------------------------

  /** Reads a u32 at an absolute offset before the end of the current frame, without moving. */
  u32At(at: number, field: string): number {
    if (at < 0 || at + 4 > this.end) throw new DeserializeError(field, `offset ${at} is outside the data`);
    const b = this.bytes;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  /** Limits the current frame to the next `size` bytes (no prefix read); undo with `leave()`. */
  enterBytes(size: number, field: string): void {
    this.pushFrame(size, 0, field);
  }
}
