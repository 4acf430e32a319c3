/**
 * Small fixed-size vectors, libcamera's Vector<double, N> (include/libcamera/internal/vector.h):
 * RGB triplets, 2-D gains, chromaticities. Immutable: every operation returns a new Vector.
 *
 * Elements are doubles, as Vector<double, N> in the IPAs. Where a C++ IPA keeps a Vector<float>,
 * call fround() at each point the C++ code stores a float. Folds (dot, sum, length2) run left to
 * right from 0 as the C++ loops do, so results are bit-identical to the C++ double arithmetic.
 */
import { cppMax, cppMin } from './cpp';
import { readNumbers } from './tuning';

export { cppMax, cppMin };

export class Vector {
  readonly #v: readonly number[];

  constructor(values: readonly number[]) {
    if (values.length === 0) throw new RangeError('a Vector needs at least one element');
    this.#v = Object.freeze([...values]);
  }

  /** A vector of `size` copies of `value` (libcamera's `Vector(T scalar)`). */
  static filled(size: number, value: number): Vector {
    return new Vector(new Array<number>(size).fill(value));
  }

  /** A vector read from tuning data: a list of exactly `size` numbers, else a TuningError naming `path`. */
  static fromTuning(value: unknown, size: number, path: string): Vector {
    return new Vector(readNumbers(value, size, path));
  }

  get size(): number {
    return this.#v.length;
  }

  /** Element i; out of range is an error, as libcamera's ASSERT. */
  at(i: number): number {
    const value = this.#v[i];
    if (value === undefined) throw new RangeError(`Vector index ${i} out of range (size ${this.#v.length})`);
    return value;
  }

  get x(): number { return this.at(0); }
  get y(): number { return this.at(1); }
  get z(): number { return this.at(2); }
  get r(): number { return this.at(0); }
  get g(): number { return this.at(1); }
  get b(): number { return this.at(2); }

  toArray(): number[] {
    return [...this.#v];
  }

  /** A copy with element i replaced (the C++ code's `v.r() = …`). */
  with(i: number, value: number): Vector {
    this.at(i);
    const values = [...this.#v];
    values[i] = value;
    return new Vector(values);
  }

  /** Every element rounded to float, where the C++ code stores into a Vector<float>. */
  fround(): Vector {
    return this.map(Math.fround);
  }

  map(f: (value: number, index: number) => number): Vector {
    return new Vector(this.#v.map((v, i) => f(v, i)));
  }

  neg(): Vector { return this.map((v) => -v); }
  add(other: Vector | number): Vector { return this.#apply(other, (a, b) => a + b); }
  sub(other: Vector | number): Vector { return this.#apply(other, (a, b) => a - b); }
  mul(other: Vector | number): Vector { return this.#apply(other, (a, b) => a * b); }
  div(other: Vector | number): Vector { return this.#apply(other, (a, b) => a / b); }
  /** Element-wise std::min. */
  min(other: Vector | number): Vector { return this.#apply(other, cppMin); }
  /** Element-wise std::max. */
  max(other: Vector | number): Vector { return this.#apply(other, cppMax); }

  /**
   * max(lo) then min(hi), the order libcamera's IPAs write (`gains.max(lo).min(hi)`); libcamera's
   * Vector has no clamp of its own.
   */
  clamp(lo: Vector | number, hi: Vector | number): Vector {
    return this.max(lo).min(hi);
  }

  dot(other: Vector): number {
    this.#sameSize(other);
    let sum = 0;
    for (let i = 0; i < this.#v.length; i++) sum += this.at(i) * other.at(i);
    return sum;
  }

  length2(): number {
    let sum = 0;
    for (const v of this.#v) sum += v * v;
    return sum;
  }

  length(): number {
    return Math.sqrt(this.length2());
  }

  /** std::accumulate from 0, left to right. */
  sum(): number {
    let sum = 0;
    for (const v of this.#v) sum += v;
    return sum;
  }

  /** Element-wise ==, as libcamera's operator== (so NaN != NaN and 0 == -0). */
  equals(other: Vector): boolean {
    return this.#v.length === other.size && this.#v.every((v, i) => v === other.at(i));
  }

  toString(): string {
    return `Vector { ${this.#v.join(', ')} }`;
  }

  #sameSize(other: Vector): void {
    if (other.size !== this.#v.length) throw new RangeError(`Vector sizes differ: ${this.#v.length} and ${other.size}`);
  }

  #apply(other: Vector | number, op: (a: number, b: number) => number): Vector {
    if (typeof other === 'number') return this.map((v) => op(v, other));
    this.#sameSize(other);
    return this.map((v, i) => op(v, other.at(i)));
  }
}

/** libcamera's `RGB<double>`: a Vector of 3, read with .r .g .b. */
export type RGB = Vector;

export function rgb(r: number, g: number, b: number): RGB {
  return new Vector([r, g, b]);
}
