import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Matrix } from '../../dist/ipa/matrix.js';
import { TuningError } from '../../dist/ipa/tuning.js';
import { Vector, cppMax, cppMin, rgb } from '../../dist/ipa/vector.js';

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const matrix3 = fc.array(finite, { minLength: 9, maxLength: 9 }).map((d) => new Matrix(3, 3, d));

describe('Vector', () => {
  it('does element-wise and scalar arithmetic', () => {
    const a = rgb(1, 2, 3);
    const b = rgb(4, 5, 6);
    expect(a.add(b).toArray()).toEqual([5, 7, 9]);
    expect(b.sub(a).toArray()).toEqual([3, 3, 3]);
    expect(a.mul(b).toArray()).toEqual([4, 10, 18]);
    expect(b.div(a).toArray()).toEqual([4, 2.5, 2]);
    expect(a.add(1).toArray()).toEqual([2, 3, 4]);
    expect(a.mul(2).toArray()).toEqual([2, 4, 6]);
    expect(a.div(2).toArray()).toEqual([0.5, 1, 1.5]);
    expect(a.neg().toArray()).toEqual([-1, -2, -3]);
    expect([a.r, a.g, a.b, a.x, a.y, a.z]).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('is immutable: operations and with() leave the original alone', () => {
    const a = rgb(1, 2, 3);
    const c = a.with(0, 9);
    a.add(1);
    expect(a.toArray()).toEqual([1, 2, 3]);
    expect(c.toArray()).toEqual([9, 2, 3]);
    expect(() => ((a.toArray() as number[])[0] = 5)).not.toThrow();
    expect(a.r).toBe(1);
  });

  it('dot, length2, length and sum fold left to right from 0', () => {
    const a = rgb(1, 2, 3);
    expect(a.dot(rgb(4, 5, 6))).toBe(32);
    expect(a.length2()).toBe(14);
    expect(new Vector([3, 4]).length()).toBe(5);
    // ((0 + 0.1) + 0.2) + 0.3 = 0.6000000000000001, not 0.1 + (0.2 + 0.3) = 0.6.
    expect(rgb(0.1, 0.2, 0.3).sum()).toBe(0.1 + 0.2 + 0.3);
    expect(rgb(0.1, 0.2, 0.3).sum()).not.toBe(0.1 + (0.2 + 0.3));
  });

  it('min, max and clamp follow std::min/std::max, NaN included', () => {
    expect(rgb(-1, 0.5, 9).clamp(0, 1).toArray()).toEqual([0, 0.5, 1]);
    expect(rgb(1, 5, 3).min(rgb(2, 4, 3)).toArray()).toEqual([1, 4, 3]);
    expect(rgb(1, 5, 3).max(2).toArray()).toEqual([2, 5, 3]);
    // std::max(NaN, x) keeps NaN, std::max(x, NaN) keeps x; Math.max would give NaN for both.
    expect(cppMax(NaN, 1)).toBeNaN();
    expect(cppMax(1, NaN)).toBe(1);
    expect(cppMin(1, NaN)).toBe(1);
    expect(rgb(NaN, 1, 2).max(1 / 256).r).toBeNaN();
  });

  it('rejects mismatched sizes and indexes out of range', () => {
    expect(() => rgb(1, 2, 3).add(new Vector([1, 2]))).toThrow(/sizes differ: 3 and 2/);
    expect(() => new Vector([1, 2]).z).toThrow(RangeError);
    expect(() => new Vector([])).toThrow(RangeError);
  });

  it('rounds to float on request', () => {
    expect(new Vector([0.1]).fround().x).toBe(Math.fround(0.1));
    expect(new Vector([0.1]).fround().x).not.toBe(0.1);
  });

  it('reads from tuning data, naming the key on a bad length or element', () => {
    expect(Vector.fromTuning([1, 2], 2, 'Awb.gains').toArray()).toEqual([1, 2]);
    expect(() => Vector.fromTuning([1, 2, 3], 2, 'Awb.colourGains[2].gains')).toThrow('Awb.colourGains[2].gains: expected 2 numbers, got a list of 3');
    expect(() => Vector.fromTuning([1, 'x'], 2, 'Awb.gains')).toThrow(TuningError);
    expect(() => Vector.fromTuning([1, 'x'], 2, 'Awb.gains')).toThrow('Awb.gains[1]: expected a number');
    expect(() => Vector.fromTuning({ a: 1 }, 2, 'k')).toThrow('k: expected 2 numbers, got a dictionary');
  });
});

describe('Matrix', () => {
  const m = new Matrix(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 10]);

  it('multiplies by a vector and a matrix row by column', () => {
    expect(m.mul(rgb(1, 0, -1)).toArray()).toEqual([-2, -2, -3]);
    const n = new Matrix(3, 2, [1, 0, 0, 1, 1, 1]);
    // Row 0: [1 2 3]·[1 0 1] = 4, [1 2 3]·[0 1 1] = 5.
    expect(m.mul(n).toArray()).toEqual([4, 5, 10, 11, 17, 18]);
    expect(m.mul(n).rows).toBe(3);
    expect(m.mul(n).cols).toBe(2);
    expect(m.mul(2).at(2, 2)).toBe(20);
    expect(() => n.mul(m)).toThrow(/cannot multiply a 3x2 Matrix by a 3x3/);
  });

  it('transposes and adds', () => {
    expect(new Matrix(2, 3, [1, 2, 3, 4, 5, 6]).transpose().toArray()).toEqual([1, 4, 2, 5, 3, 6]);
    expect(m.add(Matrix.identity(3)).toArray()).toEqual([2, 2, 3, 4, 6, 6, 7, 8, 11]);
    expect(Matrix.identity(2, 3).toArray()).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('inverts by Gaussian elimination, and gives the identity for a singular matrix', () => {
    // det(m) = -3; the inverse is adj(m)/det.
    const inv = m.inverse();
    const expected = [-2 / 3, -4 / 3, 1, -2 / 3, 11 / 3, -2, 1, -2, 1];
    inv.toArray().forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 12));
    const singular = new Matrix(3, 3, [1, 2, 3, 2, 4, 6, 0, 0, 1]);
    expect(singular.inverseOk().ok).toBe(false);
    expect(singular.inverse().equals(Matrix.identity(3))).toBe(true);
    expect(m.inverseOk().ok).toBe(true);
  });

  it('obeys the identity laws and transpose of a product', () => {
    fc.assert(fc.property(matrix3, matrix3, (a, b) => {
      const id = Matrix.identity(3);
      expect(a.mul(id).equals(a)).toBe(true);
      expect(id.mul(a).equals(a)).toBe(true);
      expect(a.transpose().transpose().equals(a)).toBe(true);
      expect(a.mul(b).transpose().equals(b.transpose().mul(a.transpose()))).toBe(true);
    }));
  });

  it('M × v equals M × (v as a column)', () => {
    fc.assert(fc.property(matrix3, fc.array(finite, { minLength: 3, maxLength: 3 }), (a, v) => {
      expect(a.mul(new Vector(v)).toArray()).toEqual(a.mul(new Matrix(3, 1, v)).toArray());
    }));
  });

  it('reads a flat tuning list, naming the key when its length is wrong', () => {
    expect(Matrix.fromTuning([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, 3, 'Ccm.ccms[0].ccm').equals(Matrix.identity(3))).toBe(true);
    expect(() => Matrix.fromTuning([1, 0, 0, 0, 1, 0, 0, 0], 3, 3, 'Ccm.ccms[0].ccm')).toThrow('Ccm.ccms[0].ccm: expected 9 numbers, got a list of 8');
    expect(() => Matrix.fromTuning(undefined, 3, 3, 'Ccm.ccms[1].ccm')).toThrow(TuningError);
    expect(() => Matrix.fromTuning([1, 0, 0, 0, null, 0, 0, 0, 1], 3, 3, 'Ccm.ccms[0].ccm')).toThrow('Ccm.ccms[0].ccm[4]: expected a number, got null');
  });

  it('rejects a wrong data length and indexes out of range', () => {
    expect(() => new Matrix(2, 2, [1, 2, 3])).toThrow(/needs 4 values, got 3/);
    expect(() => m.at(3, 0)).toThrow(RangeError);
  });
});

describe('element types', () => {
  it('store floats rounded and int16 truncated and wrapped', () => {
    expect(new Vector([0.1], 'float').x).toBe(Math.fround(0.1));
    expect(new Vector([2.9, -2.9, 32768, -32769], 'int16').toArray()).toEqual([2, -2, -32768, 32767]);
  });

  it('convert a Vector scalar operand to the element type first, as operator*(T) does', () => {
    // 0.5 becomes int16 0 before multiplying; 7 / 2 is integer division.
    expect(new Vector([10, 20], 'int16').mul(0.5).toArray()).toEqual([0, 0]);
    expect(new Vector([7, -7], 'int16').div(2).toArray()).toEqual([3, -3]);
    expect(() => new Vector([1], 'int16').div(0)).toThrow(/division by zero/);
    // Float: 0.1 is rounded to float before the product, and the product rounded again.
    expect(new Vector([3], 'float').mul(0.1).x).toBe(Math.fround(3 * Math.fround(0.1)));
  });

  it('keep a Matrix scalar in double (operator*(T d, Matrix<U>)) and store the product', () => {
    // 0.5 * 11 = 5.5 in double, truncated to 5 when stored into int16.
    expect(new Matrix(1, 1, [11], 'int16').mul(0.5).at(0, 0)).toBe(5);
    expect(new Matrix(1, 1, [3], 'float').mul(0.1).at(0, 0)).toBe(Math.fround(0.1 * 3));
  });

  it('refuse to mix element types where C++ would not compile', () => {
    expect(() => new Vector([1], 'float').add(new Vector([1]))).toThrow(/element types differ/);
    expect(() => Matrix.identity(2, 2, 'float').add(Matrix.identity(2))).toThrow(/element types differ/);
    expect(() => Matrix.identity(2, 2, 'int16').inverse()).toThrow(/int16/);
    // Products take the common type: float × double is double.
    expect(Matrix.identity(3, 3, 'float').mul(rgb(1, 2, 3)).element).toBe('double');
  });

  it('read int16 tuning values only as integers in range', () => {
    expect(Matrix.fromTuning([1, -2, 3], 3, 1, 'Ccm.ccms[0].offsets', 'int16').toArray()).toEqual([1, -2, 3]);
    expect(() => Matrix.fromTuning([1, 2.5, 3], 3, 1, 'Ccm.ccms[0].offsets', 'int16')).toThrow('Ccm.ccms[0].offsets[1]: expected an integer from -32768 to 32767, got 2.5');
    expect(() => Vector.fromTuning([40000], 1, 'o', 'int16')).toThrow(TuningError);
  });
});
