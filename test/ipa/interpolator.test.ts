import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTargetArch, setTargetArch } from '../../dist/ipa/cpp.js';
import { Interpolator, matrixReader, readNumberValue, toKey, vectorReader } from '../../dist/ipa/interpolator.js';
import { Matrix } from '../../dist/ipa/matrix.js';
import { TuningError } from '../../dist/ipa/tuning.js';
import { Vector } from '../../dist/ipa/vector.js';

// The out-of-range cases below are AArch64's (where the rkisp1 IPA runs); cpp.test.ts has x86-64's.
const processDefault = getTargetArch();
beforeAll(() => setTargetArch('aarch64'));
afterAll(() => setTargetArch(processDefault));

const gainsTuning = [
  { ct: 5000, gains: [1.5, 2.0] },
  { ct: 2500, gains: [2.0, 1.5] },
];

function gainCurve() {
  return Interpolator.vectors().readTuning(gainsTuning, 'ct', 'gains', vectorReader(2), 'Awb.colourGains');
}

describe('Interpolator', () => {
  it('sorts the keys and returns the stored value on an exact key', () => {
    const curve = gainCurve();
    expect(curve.data().map(([k]) => k)).toEqual([2500, 5000]);
    expect(curve.getInterpolated(2500).toArray()).toEqual([2.0, 1.5]);
    expect(curve.getInterpolated(5000).toArray()).toEqual([1.5, 2.0]);
  });

  it('interpolates a * (1 - lambda) + b * lambda between the two nearest keys', () => {
    // lambda = (3000 - 2500) / 2500 = 0.2; expected values from that C++ expression in double.
    const curve = gainCurve();
    expect(curve.getInterpolated(3000).toArray()).toEqual([1.9000000000000001, 1.6000000000000001]);
    expect(curve.getInterpolated(2501).toArray()).toEqual([1.9998, 1.5002]);
  });

  it('truncates the key to an unsigned integer (no quantization in libcamera v0.7.1)', () => {
    const curve = gainCurve();
    // 4999.9 becomes 4999: lambda = 2499 / 2500 = 0.9996.
    expect(curve.getInterpolated(4999.9).toArray()).toEqual([1.5002, 1.9998]);
    expect(curve.getInterpolated(4999.9).toArray()).toEqual(curve.getInterpolated(4999).toArray());
    expect(toKey(-20)).toBe(0);
    expect(toKey(2 ** 40)).toBe(4294967295);
  });

  it('clamps to the first and last values outside the range', () => {
    const curve = gainCurve();
    expect(curve.getInterpolated(1000).toArray()).toEqual([2.0, 1.5]);
    expect(curve.getInterpolated(-5).toArray()).toEqual([2.0, 1.5]);
    expect(curve.getInterpolated(10000).toArray()).toEqual([1.5, 2.0]);
  });

  it('with one entry returns it for every key', () => {
    const one = Interpolator.numbers([[4000, 7]]);
    for (const k of [0, 3999, 4000, 4001, 1e9]) expect(one.getInterpolated(k)).toBe(7);
  });

  it('with no data refuses to interpolate', () => {
    expect(() => Interpolator.numbers().getInterpolated(1)).toThrow(/no data/);
  });

  it('keeps the last of duplicate keys, as std::map', () => {
    expect(Interpolator.numbers([[10, 1], [10, 2]]).getInterpolated(10)).toBe(2);
  });

  it('interpolates matrices element-wise', () => {
    const m = Interpolator.matrices().readTuning(
      [{ ct: 2000, ccm: [1, 0, 0, 0, 1, 0, 0, 0, 1] }, { ct: 6000, ccm: [3, 0, 0, 0, 3, 0, 0, 0, 3] }],
      'ct', 'ccm', matrixReader(3, 3), 'Ccm.ccms');
    expect(m.getInterpolated(4000).equals(Matrix.identity(3).mul(2))).toBe(true);
  });

  it('stays between its neighbours', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 20000 }), { minLength: 2, maxLength: 8 }),
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 25000 }),
      (keys, values, key) => {
        const interp = Interpolator.numbers(keys.map((k, i) => [k, values[i]!]));
        const data = interp.data();
        const v = interp.getInterpolated(key);
        const upperIdx = data.findIndex(([k]) => k >= key);
        if (upperIdx === -1) {
          expect(v).toBe(data[data.length - 1]![1]);
          return;
        }
        if (upperIdx === 0 || data[upperIdx]![0] === key) {
          expect(v).toBe(data[upperIdx]![1]);
          return;
        }
        const a = data[upperIdx - 1]![1];
        const b = data[upperIdx]![1];
        expect(v).toBeGreaterThanOrEqual(Math.min(a, b) - 1e-9);
        expect(v).toBeLessThanOrEqual(Math.max(a, b) + 1e-9);
      }));
  });

  it('rejects malformed tuning data naming the key path', () => {
    const read = (v: unknown) => Interpolator.vectors().readTuning(v, 'ct', 'gains', vectorReader(2), 'Awb.colourGains');
    expect(() => read({ ct: 1 })).toThrow('Awb.colourGains: expected a list, got a dictionary');
    expect(() => read([])).toThrow('Awb.colourGains: need at least one element');
    expect(() => read([{ ct: 2500, gains: [1, 2] }, { ct: 3000, gains: [1, 2, 3] }])).toThrow('Awb.colourGains[1].gains: expected 2 numbers, got a list of 3');
    expect(() => read([{ gains: [1, 2] }])).toThrow('Awb.colourGains[0].ct: expected a number, got nothing');
    expect(() => read([{ ct: -1, gains: [1, 2] }])).toThrow(TuningError);
    expect(() => read([5])).toThrow('Awb.colourGains[0]: expected a dictionary, got number 5');
    expect(() => Interpolator.numbers().readTuning([{ k: 1, v: 'x' }], 'k', 'v', readNumberValue, 'X.y')).toThrow('X.y[0].v: expected a number');
  });

  it('truncates a fractional tuning key as std::stoul does', () => {
    const i = Interpolator.numbers().readTuning([{ ct: 2500.9, v: 1 }], 'ct', 'v', readNumberValue, 'X');
    expect(i.data()).toEqual([[2500, 1]]);
  });

  it('replaces its data on readTuning', () => {
    const curve = gainCurve();
    curve.readTuning([{ ct: 100, gains: [9, 9] }], 'ct', 'gains', vectorReader(2), 'g');
    expect(curve.size).toBe(1);
    expect(curve.getInterpolated(3000).equals(new Vector([9, 9]))).toBe(true);
  });
});
