import { DeserializeError } from '../errors';
import type { ControlSerializer } from '../controls/serializer';
import type { ControlInfoMap, ControlList } from '../controls/control-list';
import { native, sys } from '../native';
import { Reader } from './reader';
import { FrameBufferPlane, SharedFD } from './shared-fd';
import { outOfRange, sortedEntries, Writer, wrongType } from './writer';

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const NO_FDS: readonly number[] = Object.freeze([]);

/** ES2024's String methods, which Node 20 has and the ES2022 lib does not declare. */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * What the wire does to a value, in direct mode, where there is no wire: the generated `copy*`
 * functions call it where the codecs call a Writer and then a Reader. Each check is the
 * Writer's, with the Writer's error, so a value direct mode takes is a value the other modes
 * take; each value comes back as the Reader would make it (-0 as 0, f32 rounded, strings
 * well-formed, structs as new plain objects of their declared fields, maps in wire order, fds as
 * the receiver's own duplicates), so the IPA computes from what it would compute from in a
 * thread or a process. Controls are the exception that really is encoded and decoded: what a
 * ControlList means (its info map's handle, its controls' declared types) lives in the two
 * ends' ControlSerializers, and a second account of it would drift from the first.
 *
 * What only the receiving end would refuse (a map key that appears twice once converted, a
 * control value not of its control's type) is kept in `refused` rather than thrown: on a pipe
 * the whole payload is written, with the sender's checks, before any of it is read.
 */
export class Copier {
  /** The first value the receiving end would have refused since `begin()`. */
  refused: DeserializeError | undefined = undefined;
  private fds: number[] = [];
  private readonly writer: Writer;

  constructor(sender: ControlSerializer, private readonly receiver: ControlSerializer) {
    this.writer = new Writer(sender);
  }

  /** Starts a payload. */
  begin(): this {
    this.refused = undefined;
    return this;
  }

  /** The fds duplicated since `begin()`, the receiver's to close; the Copier keeps none. */
  takeFds(): readonly number[] {
    if (this.fds.length === 0) return NO_FDS;
    const fds = this.fds;
    this.fds = [];
    return fds;
  }

  // ---- scalars: the Writer's checks; integers come back as the Reader reads them -----------

  bool(v: boolean, field: string): boolean {
    if (typeof v !== 'boolean') throw wrongType(field, 'a boolean', v);
    return v;
  }

  u8(v: number, field: string): number {
    if (typeof v !== 'number' || (v & 0xff) !== v) throw outOfRange(field, 'u8', v);
    return v & 0xff;
  }

  i8(v: number, field: string): number {
    if (typeof v !== 'number' || (v << 24) >> 24 !== v) throw outOfRange(field, 'i8', v);
    return (v << 24) >> 24;
  }

  u16(v: number, field: string): number {
    if (typeof v !== 'number' || (v & 0xffff) !== v) throw outOfRange(field, 'u16', v);
    return v & 0xffff;
  }

  i16(v: number, field: string): number {
    if (typeof v !== 'number' || (v << 16) >> 16 !== v) throw outOfRange(field, 'i16', v);
    return (v << 16) >> 16;
  }

  u32(v: number, field: string): number {
    if (typeof v !== 'number' || v >>> 0 !== v) throw outOfRange(field, 'u32', v);
    return v >>> 0;
  }

  i32(v: number, field: string): number {
    if (typeof v !== 'number' || (v | 0) !== v) throw outOfRange(field, 'i32', v);
    return v | 0;
  }

  u64(v: bigint, field: string): bigint {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw outOfRange(field, 'u64', v);
    return v;
  }

  i64(v: bigint, field: string): bigint {
    if (typeof v !== 'bigint' || v < I64_MIN || v > I64_MAX) throw outOfRange(field, 'i64', v);
    return v;
  }

  f32(v: number, field: string): number {
    if (typeof v !== 'number') throw wrongType(field, 'a number', v);
    return Math.fround(v);
  }

  f64(v: number, field: string): number {
    if (typeof v !== 'number') throw wrongType(field, 'a number', v);
    return v;
  }

  string(v: string, field: string): string {
    if (typeof v !== 'string') throw wrongType(field, 'a string', v);
    // UTF-8 has no lone surrogates: the Writer's TextEncoder writes U+FFFD for each.
    const s = v as string & WellFormed;
    return s.isWellFormed() ? v : s.toWellFormed();
  }

  // ---- fds ----------------------------------------------------------------------------------

  fd(v: SharedFD, field: string): SharedFD {
    if (v === null || typeof v !== 'object' || typeof v.fd !== 'number') throw wrongType(field, 'a SharedFD', v);
    return v.fd >= 0 ? this.duplicate(v.fd) : SharedFD.invalid;
  }

  plane(v: FrameBufferPlane, field: string): FrameBufferPlane {
    if (v === null || typeof v !== 'object') throw wrongType(field, 'a FrameBufferPlane', v);
    const fd = this.fd(v.fd, field);
    return new FrameBufferPlane(fd, this.u32(v.offset, field), this.u32(v.length, field));
  }

  /** A plane as an array element: the Writer checks it as a whole first, as here. */
  planeElement(v: FrameBufferPlane, field: string): FrameBufferPlane {
    if (v === null || typeof v !== 'object' || v.fd === null || typeof v.fd !== 'object' || typeof v.fd.fd !== 'number') {
      throw wrongType(field, 'a FrameBufferPlane', v);
    }
    const { offset, length } = v;
    if (offset >>> 0 !== offset) throw outOfRange(field, 'u32', offset);
    if (length >>> 0 !== length) throw outOfRange(field, 'u32', length);
    return new FrameBufferPlane(v.fd.fd >= 0 ? this.duplicate(v.fd.fd) : SharedFD.invalid, offset >>> 0, length >>> 0);
  }

  private duplicate(fd: number): SharedFD {
    const own = sys(() => native().dup(fd));
    this.fds.push(own);
    return new SharedFD(own);
  }

  // ---- structs and containers ---------------------------------------------------------------

  object(v: unknown, struct: string): void {
    if (v === null || typeof v !== 'object') throw wrongType(struct, `a ${struct} object`, v);
  }

  /** Checks that `list` is an array; returns its length. */
  array(list: readonly unknown[], field: string): number {
    if (!Array.isArray(list)) throw wrongType(field, 'an array', list);
    return list.length;
  }

  sortedEntries<K, V>(map: ReadonlyMap<K, V>, field: string): [K, V][] {
    return sortedEntries(map, field);
  }

  /** Adds an entry to a copied map, as the Reader does: a key that is there already is refused. */
  mapEntry<K, V>(map: Map<K, V>, key: K, value: V, field: string): void {
    if (map.has(key)) this.refused ??= new DeserializeError(field, `the key ${String(key)} appears twice`);
    else map.set(key, value);
  }

  // ---- controls, through their packets ------------------------------------------------------

  controlList(v: ControlList, field: string): ControlList {
    this.writer.reset().controlList(v, field);
    return this.received((r) => r.controlList(field));
  }

  controlListField(v: ControlList, field: string): ControlList {
    this.writer.reset().controlListField(v, field);
    return this.received((r) => r.controlListField(field));
  }

  controlInfoMap(v: ControlInfoMap, field: string): ControlInfoMap {
    this.writer.reset().controlInfoMap(v, field);
    return this.received((r) => r.controlInfoMap(field));
  }

  controlInfoMapField(v: ControlInfoMap, field: string): ControlInfoMap {
    this.writer.reset().controlInfoMapField(v, field);
    return this.received((r) => r.controlInfoMapField(field));
  }

  private received<T>(read: (r: Reader) => T): T {
    try {
      return read(new Reader(this.writer.result().data, [], this.receiver));
    } catch (error) {
      if (!(error instanceof DeserializeError)) throw error;
      this.refused ??= error;
      // Never seen: a refused payload is not handed on.
      return undefined as T;
    }
  }
}

/** Closes fds a Copier duplicated that nobody will own. */
export function closeCopied(fds: readonly number[]): void {
  for (let i = 0; i < fds.length; i++) native().close(fds[i]!);
}
