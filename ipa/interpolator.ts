/**
 * libcamera's Interpolator<T> (src/ipa/libipa/interpolator.h): values keyed by an unsigned
 * integer (in practice a colour temperature in kelvin), linearly interpolated between the two
 * nearest keys and clamped to the first/last value outside the keys' range.
 *
 * This follows libcamera v0.7.1, where the key quantization of older releases is gone
 * (libcamera commit ee1d93d8 "ipa: libipa: interpolator: Drop key quantization"): the only
 * rounding of a key is its conversion to `unsigned int`, which truncates (see toKey).
 */
import { arith, mulAdd, storeAs, toUint32 } from './cpp';
import { Matrix } from './matrix';
import { TuningError, kindOf, isList, keyPath, readNumber } from './tuning';
import { Vector } from './vector';

/**
 * How to blend two values: libcamera computes `a * (1.0 - lambda) + b * lambda`. The blends below
 * do it as the C++ build does for each type (checked against the AArch64 and x86-64 reference
 * builds for numbers, Vectors of double and float, Matrices of double, float and int16): for a number and a Vector an AArch64 GCC build fuses `a * (1.0 - lambda)`
 * with the `+`, a Vector's scalar being first converted to its element type; for a Matrix the
 * scalar products and the sum are separate operators and nothing fuses.
 */
export type Lerp<T> = (a: T, b: T, lambda: number) => T;

export const lerpNumber: Lerp<number> = (a, b, lambda) => mulAdd('double', a, 1.0 - lambda, b * lambda);

export const lerpVector: Lerp<Vector> = (a, b, lambda) => {
  const el = a.element;
  if (b.element !== el || b.size !== a.size) throw new TypeError('cannot interpolate between Vectors of different sizes or element types');
  const s1 = storeAs(el, 1.0 - lambda);
  const s2 = storeAs(el, lambda);
  const bs = b.toArray();
  return new Vector(a.toArray().map((x, i) => storeAs(el, mulAdd(el, x, s1, arith(el, (bs[i] as number) * s2)))), el);
};

export const lerpMatrix: Lerp<Matrix> = (a, b, lambda) => a.mul(1.0 - lambda).add(b.mul(lambda));

/** Reads one value from tuning data, throwing a TuningError naming `path` if it is malformed. */
export type ValueReader<T> = (value: unknown, path: string) => T;

/**
 * A key as the C++ `unsigned int` parameter receives it: a double is truncated toward zero;
 * out of range, as the target platform converts it (toUint32 in cpp.ts).
 */
export function toKey(key: number): number {
  return toUint32(key);
}

export class Interpolator<T> {
  readonly #lerp: Lerp<T>;
  #keys: number[] = [];
  #values: T[] = [];

  /** `data` maps keys to values; a later duplicate key replaces an earlier one, as std::map's []. */
  constructor(lerp: Lerp<T>, data: Iterable<readonly [number, T]> = []) {
    this.#lerp = lerp;
    this.setData(data);
  }

  static numbers(data?: Iterable<readonly [number, number]>): Interpolator<number> {
    return new Interpolator(lerpNumber, data);
  }

  static vectors(data?: Iterable<readonly [number, Vector]>): Interpolator<Vector> {
    return new Interpolator(lerpVector, data);
  }

  static matrices(data?: Iterable<readonly [number, Matrix]>): Interpolator<Matrix> {
    return new Interpolator(lerpMatrix, data);
  }

  /**
   * Reads libcamera's tuning layout: a list of dictionaries, each with the key under `keyName`
   * and the value under `valueName`, e.g. `colourGains: [{ ct: 2500, gains: [2.1, 1.5] }, …]`.
   * Replaces the current data. Throws a TuningError naming `path` (and the entry) if it is not a
   * non-empty list, an entry's key is not a non-negative number, or a value does not read.
   *
   * libcamera parses the key with std::stoul on its text, which stops at a decimal point; a
   * fractional key is therefore truncated here. A missing key makes std::stoul throw there.
   */
  readTuning(value: unknown, keyName: string, valueName: string, readValue: ValueReader<T>, path: string): this {
    if (!isList(value)) throw new TuningError(path, `expected a list, got ${kindOf(value)}`);
    if (value.length < 1) throw new TuningError(path, 'need at least one element');
    const data: [number, T][] = value.map((entry, i) => {
      const at = keyPath(path, i);
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new TuningError(at, `expected a dictionary, got ${kindOf(entry)}`);
      const dict = entry as Record<string, unknown>;
      const key = readNumber(dict[keyName], keyPath(at, keyName));
      if (key < 0 || key > 4294967295) throw new TuningError(keyPath(at, keyName), `expected a key from 0 to 4294967295, got ${key}`);
      return [Math.trunc(key), readValue(dict[valueName], keyPath(at, valueName))];
    });
    this.setData(data);
    return this;
  }

  setData(data: Iterable<readonly [number, T]>): void {
    const map = new Map<number, T>();
    for (const [key, value] of data) map.set(toKey(key), value);
    this.#keys = [...map.keys()].sort((a, b) => a - b);
    this.#values = this.#keys.map((k) => map.get(k) as T);
  }

  /** The entries by ascending key. */
  data(): [number, T][] {
    return this.#keys.map((k, i) => [k, this.#values[i] as T]);
  }

  get size(): number {
    return this.#keys.length;
  }

  /**
   * The value at `key` (truncated to an unsigned integer first): the stored value on an exact
   * key or outside the range, else the lerp of its two neighbours with
   * lambda = (key - lower) / (upper - lower).
   */
  getInterpolated(key: number): T {
    if (this.#keys.length === 0) throw new RangeError('Interpolator has no data');
    const k = toKey(key);
    // std::map::lower_bound: the first key not less than k.
    let hi = 0;
    while (hi < this.#keys.length && (this.#keys[hi] as number) < k) hi++;
    if (hi === 0) return this.#values[0] as T;
    if (hi === this.#keys.length) return this.#values[hi - 1] as T;
    const upper = this.#keys[hi] as number;
    if (upper === k) return this.#values[hi] as T;
    const lower = this.#keys[hi - 1] as number;
    const lambda = (k - lower) / (upper - lower);
    return this.#lerp(this.#values[hi - 1] as T, this.#values[hi] as T, lambda);
  }
}

/** Reads a number value. */
export const readNumberValue: ValueReader<number> = (value, path) => readNumber(value, path);

/** A reader of Vectors of `size` numbers. */
export function vectorReader(size: number): ValueReader<Vector> {
  return (value, path) => Vector.fromTuning(value, size, path);
}

/** A reader of rows × cols matrices from flat lists. */
export function matrixReader(rows: number, cols: number): ValueReader<Matrix> {
  return (value, path) => Matrix.fromTuning(value, rows, cols, path);
}
