/** libcamera's ControlType codes, as they appear in control packets. */
export enum ControlType {
  None = 0,
  Bool = 1,
  Byte = 2,
  Unsigned16 = 3,
  Unsigned32 = 4,
  Integer32 = 5,
  Integer64 = 6,
  Float = 7,
  String = 8,
  Rectangle = 9,
  Size = 10,
  Point = 11,
}

/** Bytes per element of each type in a control packet's data section. */
export const controlElementBytes: Record<ControlType, number> = {
  [ControlType.None]: 0,
  [ControlType.Bool]: 1,
  [ControlType.Byte]: 1,
  [ControlType.Unsigned16]: 2,
  [ControlType.Unsigned32]: 4,
  [ControlType.Integer32]: 4,
  [ControlType.Integer64]: 8,
  [ControlType.Float]: 4,
  [ControlType.String]: 1,
  [ControlType.Rectangle]: 16,
  [ControlType.Size]: 8,
  [ControlType.Point]: 8,
};

export interface ControlRectangle { x: number; y: number; width: number; height: number }
export interface ControlSize { width: number; height: number }
export interface ControlPoint { x: number; y: number }

/** One element of a control value, by type. 64-bit integers are bigints. */
export type ControlScalar = boolean | number | bigint | string | ControlRectangle | ControlSize | ControlPoint;

/** A control value in JavaScript: a scalar, an array of scalars, or `null` for ControlType.None. */
export type ControlData = ControlScalar | readonly ControlScalar[] | null;

/**
 * A typed control value (libcamera's ControlValue). The type is explicit because a JavaScript
 * number alone cannot say whether it is a byte, a u16, an i32 or a float. Strings are stored as
 * arrays of bytes on the wire (`isArray` set, count = byte length), as libcamera does.
 */
export class ControlValue {
  constructor(
    readonly type: ControlType,
    readonly value: ControlData,
    readonly isArray = type === ControlType.String,
  ) {
    if (type === ControlType.None && value !== null) throw new TypeError('a None control value holds null');
    if (isArray && type !== ControlType.String && !Array.isArray(value)) {
      throw new TypeError(`an array control value of type ${ControlType[type]} needs an array`);
    }
  }

  static readonly none = new ControlValue(ControlType.None, null, false);

  static bool(v: boolean): ControlValue { return new ControlValue(ControlType.Bool, v); }
  static byte(v: number): ControlValue { return new ControlValue(ControlType.Byte, v); }
  static u16(v: number): ControlValue { return new ControlValue(ControlType.Unsigned16, v); }
  static u32(v: number): ControlValue { return new ControlValue(ControlType.Unsigned32, v); }
  static i32(v: number): ControlValue { return new ControlValue(ControlType.Integer32, v); }
  static i64(v: bigint): ControlValue { return new ControlValue(ControlType.Integer64, v); }
  static float(v: number): ControlValue { return new ControlValue(ControlType.Float, v); }
  static string(v: string): ControlValue { return new ControlValue(ControlType.String, v, true); }
  static rectangle(v: ControlRectangle): ControlValue { return new ControlValue(ControlType.Rectangle, v); }
  static size(v: ControlSize): ControlValue { return new ControlValue(ControlType.Size, v); }
  static point(v: ControlPoint): ControlValue { return new ControlValue(ControlType.Point, v); }
  static array(type: ControlType, v: readonly ControlScalar[]): ControlValue {
    return new ControlValue(type, v, true);
  }

  get isNone(): boolean {
    return this.type === ControlType.None;
  }

  /** Same type, array-ness and elements (floats compared as the f32 the wire carries). */
  equals(other: ControlValue): boolean {
    if (this.type !== other.type || this.isArray !== other.isArray) return false;
    if (this.type === ControlType.String || !this.isArray) return scalarEquals(this.type, this.value, other.value);
    const a = this.value as readonly ControlScalar[];
    const b = other.value as readonly ControlScalar[];
    return a.length === b.length && a.every((v, i) => scalarEquals(this.type, v, b[i]!));
  }

  toString(): string {
    const show = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
    if (this.isNone) return 'None';
    return this.isArray && this.type !== ControlType.String
      ? `[${(this.value as ControlScalar[]).map(show).join(', ')}]`
      : show(this.value);
  }
}

function scalarEquals(type: ControlType, a: unknown, b: unknown): boolean {
  if (type === ControlType.Float) return Math.fround(a as number) === Math.fround(b as number) || (Number.isNaN(a) && Number.isNaN(b));
  if (typeof a !== 'object' || a === null) return a === b;
  if (typeof b !== 'object' || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}
