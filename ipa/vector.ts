/**
 * Small fixed-size vectors, libcamera's Vector<T, N> (include/libcamera/internal/vector.h):
 * RGB triplets, 2-D gains, chromaticities. Immutable: every operation returns a new Vector.
 *
 * The element type is double unless given ('float', 'int16': see Element in cpp.ts). Each value
 * is stored as the C++ element type stores it, and each operation rounds where the C++ one does:
 * float arithmetic rounds every step to float (Math.fround), int16_t arithmetic is done in int and
 * narrowed when stored. A scalar operand is first converted to the element type, as
 * `Vector::operator*(T scalar)` takes a T. Folds (dot, sum, length2) run left to right from 0 as
 * the C++ loops do. Operands must have the same element type, as the C++ operators require.
 */
import { type Element, arith, cppMax, cppMin, divide, mulAdd, storeAs } from './cpp';
import { readNumbers, TuningError } from './tuning';

export { cppMax, cppMin };

const plus = (a: number, b: number): number => a + b;
const minus = (a: number, b: number): number => a - b;
const times = (a: number, b: number): number => a * b;
const quotient = (a: number, b: number): number => a / b;
const intQuotient = (a: number, b: number): number => divide('int16', a, b);

/** `values` each stored as `element`, in a new array (the Vectors' own: never handed out). */
function stored(values: readonly number[], element: Element): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = storeAs(element, values[i]!);
  return out;
}

export class Vector {
  readonly element: Element;
  // Never handed out nor changed once made: every operation builds a new array.
  readonly #v: readonly number[];

  constructor(values: readonly number[], element: Element = 'double') {
    if (values.length === 0) throw new RangeError('a Vector needs at least one element');
    this.element = element;
    this.#v = stored(values, element);
  }

  /** A vector of `size` copies of `value` (libcamera's `Vector(T scalar)`). */
  static filled(size: number, value: number, element: Element = 'double'): Vector {
    return new Vector(new Array<number>(size).fill(value), element);
  }

  /**
   * A vector read from tuning data: a list of exactly `size` numbers, else a TuningError naming
   * `path`. For int16 every number must be an integer from -32768 to 32767, as libcamera's
   * ValueNode accessor requires.
   */
  static fromTuning(value: unknown, size: number, path: string, element: Element = 'double'): Vector {
    return new Vector(readElements(value, size, path, element), element);
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

  /** A copy with element i replaced (the C++ code's `v.r() = …`), stored as the element type. */
  with(i: number, value: number): Vector {
    this.at(i);
    const values = [...this.#v];
    values[i] = value;
    return new Vector(values, this.element);
  }

  /** The same values converted to another element type (a C++ converting copy). */
  as(element: Element): Vector {
    return new Vector(this.#v, element);
  }

  /** The values as floats (`as('float')`), where the C++ code stores into a Vector<float>. */
  fround(): Vector {
    return this.as('float');
  }

  /** f applied to every element, the result stored as the element type. */
  map(f: (value: number, index: number) => number): Vector {
    const v = this.#v;
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = f(v[i]!, i);
    return new Vector(out, this.element);
  }

  neg(): Vector { return this.map((v) => -v); }
  add(other: Vector | number): Vector { return this.#apply(other, plus); }
  sub(other: Vector | number): Vector { return this.#apply(other, minus); }
  mul(other: Vector | number): Vector { return this.#apply(other, times); }
  div(other: Vector | number): Vector { return this.#apply(other, this.element === 'int16' ? intQuotient : quotient); }
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

  /** `T ret = 0; ret += a[i] * b[i]`, in the element type (a fused multiply-add on AArch64: mulAdd). */
  dot(other: Vector): number {
    this.#same(other);
    const el = this.element;
    let sum = 0;
    for (let i = 0; i < this.#v.length; i++) sum = storeAs(el, mulAdd(el, this.at(i), other.at(i), sum));
    return sum;
  }

  /**
   * `double ret = 0; ret += v[i] * v[i]`: for double, a multiply-add (fused on AArch64); for
   * float, the square is a float product and only the sum is double, so nothing fuses.
   */
  length2(): number {
    let sum = 0;
    for (const v of this.#v) sum = this.element === 'double' ? mulAdd('double', v, v, sum) : sum + arith(this.element, v * v);
    return sum;
  }

  length(): number {
    return Math.sqrt(this.length2());
  }

  /** std::accumulate from 0 in the element type, left to right. */
  sum(): number {
    let sum = 0;
    for (const v of this.#v) sum = storeAs(this.element, sum + v);
    return sum;
  }

  /** Element-wise ==, as libcamera's operator== (so NaN != NaN and 0 == -0). */
  equals(other: Vector): boolean {
    return this.#v.length === other.size && this.#v.every((v, i) => v === other.at(i));
  }

  toString(): string {
    return `Vector { ${this.#v.join(', ')} }`;
  }

  #same(other: Vector): void {
    if (other.size !== this.#v.length) throw new RangeError(`Vector sizes differ: ${this.#v.length} and ${other.size}`);
    if (other.element !== this.element) throw new TypeError(`Vector element types differ: ${this.element} and ${other.element}`);
  }

  #apply(other: Vector | number, op: (a: number, b: number) => number): Vector {
    const v = this.#v;
    const out = new Array<number>(v.length);
    if (typeof other === 'number') {
      const scalar = storeAs(this.element, other);
      for (let i = 0; i < v.length; i++) out[i] = op(v[i]!, scalar);
    } else {
      this.#same(other);
      const w = other.#v;
      for (let i = 0; i < v.length; i++) out[i] = op(v[i]!, w[i]!);
    }
    return new Vector(out, this.element);
  }
}

/**
 * `size` numbers read from tuning data as elements of type `element`: for int16, integers in
 * range (libcamera's accessor for an integer type refuses anything else).
 */
export function readElements(value: unknown, size: number, path: string, element: Element): number[] {
  const values = readNumbers(value, size, path);
  if (element === 'int16') {
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < -32768 || v > 32767) throw new TuningError(`${path}[${i}]`, `expected an integer from -32768 to 32767, got ${v}`);
    });
  }
  return values;
}

/** libcamera's `RGB<double>`: a Vector of 3, read with .r .g .b. */
export type RGB = Vector;

export function rgb(r: number, g: number, b: number): RGB {
  return new Vector([r, g, b]);
}
