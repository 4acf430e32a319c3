/**
 * Little-endian field access for the rkisp1 UAPI layouts. Every reader takes the DataView of the
 * whole buffer and the absolute byte offset of the field; writers assume the bytes they do not
 * write (C padding) are already zero, as libcamera's memset leaves them.
 */

export type Bytes = Uint8Array;

export function viewOf(bytes: Bytes): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export const u8 = (v: DataView, off: number): number => v.getUint8(off);
export const u16 = (v: DataView, off: number): number => v.getUint16(off, true);
export const s16 = (v: DataView, off: number): number => v.getInt16(off, true);
export const u32 = (v: DataView, off: number): number => v.getUint32(off, true);

export const setU8 = (v: DataView, off: number, x: number): void => v.setUint8(off, checkInt(x, 0, 0xff));
export const setU16 = (v: DataView, off: number, x: number): void => v.setUint16(off, checkInt(x, 0, 0xffff), true);
export const setS16 = (v: DataView, off: number, x: number): void => v.setInt16(off, checkInt(x, -0x8000, 0x7fff), true);
export const setU32 = (v: DataView, off: number, x: number): void => v.setUint32(off, checkInt(x, 0, 0xffffffff), true);

/** C field types and their element sizes. */
export type Scalar = 'u8' | 'u16' | 's16' | 'u32';
const SIZE: Record<Scalar, number> = { u8: 1, u16: 2, s16: 2, u32: 4 };
const READ: Record<Scalar, (v: DataView, off: number) => number> = { u8, u16, s16, u32 };
const WRITE: Record<Scalar, (v: DataView, off: number, x: number) => void> = {
  u8: setU8, u16: setU16, s16: setS16, u32: setU32,
};

/** A C array `type name[n]` at `off`. */
export function readArray(v: DataView, off: number, type: Scalar, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = READ[type](v, off + i * SIZE[type]);
  return out;
}

/**
 * Writes `values` into the C array `type name[n]` at `off`. Fewer than `n` values leave the rest
 * as they are (zero in a fresh block), so a V10 caller may give 17 gamma samples of the 34.
 */
export function writeArray(v: DataView, off: number, type: Scalar, n: number, values: readonly number[], what: string): void {
  if (values.length > n) throw new RangeError(`${what}: ${values.length} values for a C array of ${n}`);
  for (let i = 0; i < values.length; i++) WRITE[type](v, off + i * SIZE[type], values[i]!);
}

/** A C array `type name[rows][cols]`, as rows. */
export function readMatrix(v: DataView, off: number, type: Scalar, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(readArray(v, off + r * cols * SIZE[type], type, cols));
  return out;
}

export function writeMatrix(
  v: DataView, off: number, type: Scalar, rows: number, cols: number, values: readonly (readonly number[])[], what: string,
): void {
  if (values.length > rows) throw new RangeError(`${what}: ${values.length} rows for a C array of ${rows}`);
  for (let r = 0; r < values.length; r++) writeArray(v, off + r * cols * SIZE[type], type, cols, values[r]!, `${what}[${r}]`);
}

function checkInt(x: number, min: number, max: number): number {
  if (!Number.isInteger(x) || x < min || x > max) throw new RangeError(`${x} does not fit the C field (${min}..${max})`);
  return x;
}

/** `struct rkisp1_cif_isp_window`: 8 bytes, align 2. */
export interface Window {
  h_offs: number; // u16 @0
  v_offs: number; // u16 @2
  h_size: number; // u16 @4
  v_size: number; // u16 @6
}
export const WINDOW_SIZE = 8;

export function readWindow(v: DataView, off: number): Window {
  return { h_offs: u16(v, off), v_offs: u16(v, off + 2), h_size: u16(v, off + 4), v_size: u16(v, off + 6) };
}

export function writeWindow(v: DataView, off: number, w: Window): void {
  setU16(v, off, w.h_offs);
  setU16(v, off + 2, w.v_offs);
  setU16(v, off + 4, w.h_size);
  setU16(v, off + 6, w.v_size);
}
