/**
 * Small matrices, libcamera's Matrix<T, R, C> (include/libcamera/internal/matrix.h): 3x3 colour
 * matrices and the like. Row-major, immutable: every operation returns a new Matrix.
 *
 * The element type is double unless given ('float' for rkisp1's CCMs, 'int16' for its offsets;
 * see Element in cpp.ts), and values and results are stored and rounded as the C++ types do:
 * - `scalar * m` (libcamera's operator*(T d, Matrix<U>)) computes `d * m[i][j]` in double, then
 *   stores into U: the scalar is not converted first (unlike Vector's scalar operators);
 * - products sum `std::common_type_t<T, U> sum = 0; sum += a * b` over k in order, so a float ×
 *   float product rounds every step to float while a float matrix × double vector is all double;
 *   each `sum += a * b` is a multiply-add, fused on AArch64 (mulAdd in cpp.ts);
 * - inverse() is libcamera's matrixInvert (Gaussian elimination with partial pivoting, src/
 *   libcamera/matrix.cpp) step for step in the element type (float or double), its row updates
 *   `m -= p * factor` fused on AArch64 (mulSub), including its identity result for a singular
 *   matrix.
 * transpose() is ours: libcamera's Matrix has none.
 */
import { type Element, arith, commonElement, mulAdd, mulSub, storeAs } from './cpp';
import { Vector, readElements } from './vector';

export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly element: Element;
  readonly #m: readonly number[];

  /** `data` is row-major, rows × cols long, stored as `element`. */
  constructor(rows: number, cols: number, data: readonly number[], element: Element = 'double') {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new RangeError(`bad Matrix size ${rows}x${cols}`);
    if (data.length !== rows * cols) throw new RangeError(`a ${rows}x${cols} Matrix needs ${rows * cols} values, got ${data.length}`);
    this.rows = rows;
    this.cols = cols;
    this.element = element;
    const m = new Array<number>(data.length);
    for (let k = 0; k < data.length; k++) m[k] = storeAs(element, data[k]!);
    // Never handed out nor changed once made: every operation builds a new array.
    this.#m = m;
  }

  /** Zeros everywhere (a default-constructed libcamera Matrix). */
  static zeros(rows: number, cols: number = rows, element: Element = 'double'): Matrix {
    return new Matrix(rows, cols, new Array<number>(rows * cols).fill(0), element);
  }

  /** Ones on the diagonal, zeros elsewhere (also for a non-square matrix, as libcamera's). */
  static identity(rows: number, cols: number = rows, element: Element = 'double'): Matrix {
    const data = new Array<number>(rows * cols).fill(0);
    for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
    return new Matrix(rows, cols, data, element);
  }

  /**
   * A matrix read from a flat row-major tuning list of exactly rows × cols numbers, else a
   * TuningError naming `path` (e.g. `Ccm.ccms[0].ccm: expected 9 numbers, got a list of 8`).
   *
   * A float element is the parsed double rounded to float; libcamera parses the text straight to
   * float (strtof), which differs in the rare decimal that lies almost exactly between two floats.
   */
  static fromTuning(value: unknown, rows: number, cols: number, path: string, element: Element = 'double'): Matrix {
    return new Matrix(rows, cols, readElements(value, rows * cols, path, element), element);
  }

  at(i: number, j: number): number {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= this.rows || j >= this.cols) {
      throw new RangeError(`Matrix index (${i}, ${j}) out of range (${this.rows}x${this.cols})`);
    }
    return this.#m[i * this.cols + j] as number;
  }

  row(i: number): number[] {
    this.at(i, 0);
    return this.#m.slice(i * this.cols, (i + 1) * this.cols);
  }

  /** Row-major values (libcamera's data()). */
  toArray(): number[] {
    return [...this.#m];
  }

  /** The same values converted to another element type. */
  as(element: Element): Matrix {
    return new Matrix(this.rows, this.cols, this.#m, element);
  }

  /** f applied to every element, the result stored as the element type. */
  map(f: (value: number, i: number, j: number) => number): Matrix {
    return new Matrix(this.rows, this.cols, this.#m.map((v, k) => f(v, Math.floor(k / this.cols), k % this.cols)), this.element);
  }

  /** The values as floats (`as('float')`). */
  fround(): Matrix {
    return this.as('float');
  }

  /** scalar × matrix (`d * m[i][j]`), matrix × vector, or matrix × matrix (see above for rounding). */
  mul(other: number): Matrix;
  mul(other: Vector): Vector;
  mul(other: Matrix): Matrix;
  mul(other: number | Vector | Matrix): Matrix | Vector {
    if (typeof other === 'number') return this.map((v) => other * v);
    if (other instanceof Vector) {
      if (other.size !== this.cols) throw new RangeError(`cannot multiply a ${this.rows}x${this.cols} Matrix by a Vector of ${other.size}`);
      const el = commonElement(this.element, other.element);
      const m = this.#m;
      const out = new Array<number>(this.rows);
      for (let i = 0; i < this.rows; i++) {
        let sum = 0;
        for (let j = 0; j < this.cols; j++) sum = storeAs(el, mulAdd(el, m[i * this.cols + j]!, other.at(j), sum));
        out[i] = sum;
      }
      return new Vector(out, el);
    }
    if (other.rows !== this.cols) throw new RangeError(`cannot multiply a ${this.rows}x${this.cols} Matrix by a ${other.rows}x${other.cols} one`);
    const el = commonElement(this.element, other.element);
    const out: number[] = [];
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < other.cols; j++) {
        let sum = 0;
        for (let k = 0; k < this.cols; k++) sum = storeAs(el, mulAdd(el, this.at(i, k), other.at(k, j), sum));
        out.push(sum);
      }
    }
    return new Matrix(this.rows, other.cols, out, el);
  }

  /** Element-wise sum of two matrices of the same size and element type. */
  add(other: Matrix): Matrix {
    if (other.rows !== this.rows || other.cols !== this.cols) throw new RangeError(`cannot add a ${other.rows}x${other.cols} Matrix to a ${this.rows}x${this.cols} one`);
    if (other.element !== this.element) throw new TypeError(`Matrix element types differ: ${this.element} and ${other.element}`);
    return this.map((v, i, j) => v + other.at(i, j));
  }

  transpose(): Matrix {
    const out: number[] = [];
    for (let j = 0; j < this.cols; j++) for (let i = 0; i < this.rows; i++) out.push(this.at(i, j));
    return new Matrix(this.cols, this.rows, out, this.element);
  }

  /**
   * The inverse, and whether there is one. A singular matrix gives the identity and `ok: false`,
   * as libcamera's inverse(&ok). Float and double only, as libcamera instantiates it.
   */
  inverseOk(): { inverse: Matrix; ok: boolean } {
    if (this.rows !== this.cols) throw new RangeError(`cannot invert a ${this.rows}x${this.cols} Matrix`);
    if (this.element === 'int16') throw new TypeError('cannot invert an int16 Matrix');
    const el = this.element;
    const f = (x: number) => arith(el, x);
    const dim = this.rows;
    const width = dim * 2;
    // The augmented matrix [this | I], its rows reached through `swap` as libcamera's accessor.
    const scratch = new Array<number>(dim * width).fill(0);
    const swap = Array.from({ length: dim }, (_, i) => i);
    const idx = (r: number, c: number) => (swap[r] as number) * width + c;
    const get = (r: number, c: number) => scratch[idx(r, c)] as number;
    const set = (r: number, c: number, v: number) => { scratch[idx(r, c)] = v; };
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        set(i, j, this.at(i, j));
        set(i, j + dim, 0);
      }
      set(i, i + dim, 1);
    }
    for (let pivot = 0; pivot < dim; pivot++) {
      let row = pivot;
      let maxValue = 0;
      for (let i = pivot; i < dim; i++) {
        const value = Math.abs(get(i, pivot));
        if (maxValue < value) {
          maxValue = value;
          row = i;
        }
      }
      // NaN never beats maxValue, so a NaN column counts as no pivot, as in C++.
      if (maxValue === 0) return { inverse: Matrix.identity(dim, dim, el), ok: false };
      const a = swap[pivot] as number;
      swap[pivot] = swap[row] as number;
      swap[row] = a;
      const pivotValue = get(pivot, pivot);
      for (let i = pivot + 1; i < dim; i++) {
        const factor = f(get(i, pivot) / pivotValue);
        set(i, pivot, 0);
        for (let j = pivot + 1; j < width; j++) set(i, j, mulSub(el, get(pivot, j), factor, get(i, j)));
      }
    }
    for (let pivot = dim - 1; pivot > 0; pivot--) {
      const pivotValue = get(pivot, pivot);
      for (let i = 0; i < pivot; i++) {
        const factor = f(get(i, pivot) / pivotValue);
        for (let j = dim; j < width; j++) set(i, j, mulSub(el, get(pivot, j), factor, get(i, j)));
      }
    }
    const out: number[] = [];
    for (let i = 0; i < dim; i++) {
      const factor = get(i, i);
      for (let j = 0; j < dim; j++) out.push(f(get(i, j + dim) / factor));
    }
    return { inverse: new Matrix(dim, dim, out, el), ok: true };
  }

  /** The inverse; the identity for a singular matrix (libcamera's inverse() without `ok`). */
  inverse(): Matrix {
    return this.inverseOk().inverse;
  }

  equals(other: Matrix): boolean {
    return other.rows === this.rows && other.cols === this.cols && this.#m.every((v, k) => v === other.#m[k]);
  }

  toString(): string {
    const rows: string[] = [];
    for (let i = 0; i < this.rows; i++) rows.push(`[ ${this.row(i).join(', ')} ]`);
    return `Matrix { ${rows.join(', ')} }`;
  }
}
