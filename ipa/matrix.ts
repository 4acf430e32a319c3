/**
 * Small matrices, libcamera's Matrix<double, R, C> (include/libcamera/internal/matrix.h): 3x3
 * colour matrices and the like. Row-major, immutable: every operation returns a new Matrix.
 *
 * Products sum from 0 over k in order, as the C++ loops do, so results are bit-identical to the
 * C++ double arithmetic. inverse() is libcamera's Gaussian elimination with partial pivoting
 * (matrixInvert in src/libcamera/matrix.cpp), step for step, including its identity result for a
 * singular matrix. transpose() is ours: libcamera's Matrix has none.
 */
import { readNumbers } from './tuning';
import { Vector } from './vector';

export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly #m: readonly number[];

  /** `data` is row-major, rows × cols long. */
  constructor(rows: number, cols: number, data: readonly number[]) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new RangeError(`bad Matrix size ${rows}x${cols}`);
    if (data.length !== rows * cols) throw new RangeError(`a ${rows}x${cols} Matrix needs ${rows * cols} values, got ${data.length}`);
    this.rows = rows;
    this.cols = cols;
    this.#m = Object.freeze([...data]);
  }

  /** Zeros everywhere (a default-constructed libcamera Matrix). */
  static zeros(rows: number, cols: number = rows): Matrix {
    return new Matrix(rows, cols, new Array<number>(rows * cols).fill(0));
  }

  /** Ones on the diagonal, zeros elsewhere (also for a non-square matrix, as libcamera's). */
  static identity(rows: number, cols: number = rows): Matrix {
    const data = new Array<number>(rows * cols).fill(0);
    for (let i = 0; i < Math.min(rows, cols); i++) data[i * cols + i] = 1;
    return new Matrix(rows, cols, data);
  }

  /**
   * A matrix read from a flat row-major tuning list of exactly rows × cols numbers, else a
   * TuningError naming `path` (e.g. `Ccm.ccms[0].ccm: expected 9 numbers, got a list of 8`).
   */
  static fromTuning(value: unknown, rows: number, cols: number, path: string): Matrix {
    return new Matrix(rows, cols, readNumbers(value, rows * cols, path));
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

  map(f: (value: number, i: number, j: number) => number): Matrix {
    return new Matrix(this.rows, this.cols, this.#m.map((v, k) => f(v, Math.floor(k / this.cols), k % this.cols)));
  }

  /** Every element rounded to float, where the C++ code stores into a Matrix<float>. */
  fround(): Matrix {
    return this.map(Math.fround);
  }

  /** Matrix × scalar (`d * m[i][j]`), matrix × vector, or matrix × matrix. */
  mul(other: number): Matrix;
  mul(other: Vector): Vector;
  mul(other: Matrix): Matrix;
  mul(other: number | Vector | Matrix): Matrix | Vector {
    if (typeof other === 'number') return this.map((v) => other * v);
    if (other instanceof Vector) {
      if (other.size !== this.cols) throw new RangeError(`cannot multiply a ${this.rows}x${this.cols} Matrix by a Vector of ${other.size}`);
      const out: number[] = [];
      for (let i = 0; i < this.rows; i++) {
        let sum = 0;
        for (let j = 0; j < this.cols; j++) sum += this.at(i, j) * other.at(j);
        out.push(sum);
      }
      return new Vector(out);
    }
    if (other.rows !== this.cols) throw new RangeError(`cannot multiply a ${this.rows}x${this.cols} Matrix by a ${other.rows}x${other.cols} one`);
    const out: number[] = [];
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < other.cols; j++) {
        let sum = 0;
        for (let k = 0; k < this.cols; k++) sum += this.at(i, k) * other.at(k, j);
        out.push(sum);
      }
    }
    return new Matrix(this.rows, other.cols, out);
  }

  add(other: Matrix): Matrix {
    if (other.rows !== this.rows || other.cols !== this.cols) throw new RangeError(`cannot add a ${other.rows}x${other.cols} Matrix to a ${this.rows}x${this.cols} one`);
    return this.map((v, i, j) => v + other.at(i, j));
  }

  transpose(): Matrix {
    const out: number[] = [];
    for (let j = 0; j < this.cols; j++) for (let i = 0; i < this.rows; i++) out.push(this.at(i, j));
    return new Matrix(this.cols, this.rows, out);
  }

  /**
   * The inverse, and whether there is one. A singular matrix gives the identity and `ok: false`,
   * as libcamera's inverse(&ok).
   */
  inverseOk(): { inverse: Matrix; ok: boolean } {
    if (this.rows !== this.cols) throw new RangeError(`cannot invert a ${this.rows}x${this.cols} Matrix`);
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
      if (maxValue === 0) return { inverse: Matrix.identity(dim), ok: false };
      const a = swap[pivot] as number;
      swap[pivot] = swap[row] as number;
      swap[row] = a;
      const pivotValue = get(pivot, pivot);
      for (let i = pivot + 1; i < dim; i++) {
        const factor = get(i, pivot) / pivotValue;
        set(i, pivot, 0);
        for (let j = pivot + 1; j < width; j++) set(i, j, get(i, j) - get(pivot, j) * factor);
      }
    }
    for (let pivot = dim - 1; pivot > 0; pivot--) {
      const pivotValue = get(pivot, pivot);
      for (let i = 0; i < pivot; i++) {
        const factor = get(i, pivot) / pivotValue;
        for (let j = dim; j < width; j++) set(i, j, get(i, j) - get(pivot, j) * factor);
      }
    }
    const out: number[] = [];
    for (let i = 0; i < dim; i++) {
      const factor = get(i, i);
      for (let j = 0; j < dim; j++) out.push(get(i, j + dim) / factor);
    }
    return { inverse: new Matrix(dim, dim, out), ok: true };
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
