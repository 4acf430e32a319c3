import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LongDouble, lineDurationFromPixelRate, microseconds, milliseconds, seconds, toMicroseconds } from '../../dist/ipa/duration.js';

describe('Duration (double nanoseconds, as utils::Duration)', () => {
  it('converts from and to chrono units', () => {
    expect(microseconds(100)).toBe(100_000);
    expect(milliseconds(10)).toBe(10_000_000);
    expect(seconds(1)).toBe(1e9);
    expect(toMicroseconds(18903.508771929824)).toBe(18903.508771929824 / 1000);
  });

  it('computes line durations in long double as libcamera does (minLineLength * 1.0s / pixelRate)', () => {
    // Expected values: the exact quotient rounded to 64 bits, × 1e9 rounded to 64 bits, then to
    // 53 bits (x87 long double then double), computed with exact rationals; the second column is
    // what the same formula gives in double, one ulp away.
    const cases: [number, number, number, number][] = [
      [1002, 182400000, 5493.421052631579, 5493.421052631578],
      [11108, 182400000, 60899.12280701754, 60899.12280701755],
      [7915, 148500000, 53299.6632996633, 53299.663299663305],
      [6463, 74250000, 87043.77104377105, 87043.77104377103],
      [5196, 840000000, 6185.714285714285, 6185.714285714286],
      [4196, 288000000, 14569.444444444445, 14569.444444444443],
    ];
    for (const [ll, rate, longDouble, double] of cases) {
      expect(lineDurationFromPixelRate(ll, rate)).toBe(longDouble);
      expect(((ll * 1.0) / rate) * 1e9).toBe(double);
    }
    // imx219 in the oracle traces: 3448 at 182.4 MHz, where both agree.
    expect(lineDurationFromPixelRate(3448, 182400000)).toBe(((3448 * 1.0) / 182400000) * 1e9);
  });

  it('widens doubles exactly, rounds to 64 bits per operation and truncates toward zero', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(LongDouble.from(x).toNumber()).toBe(x === 0 ? 0 : x);
      }),
    );
    // 1/3 in 64 bits, then to double: the same as the double 1/3 (no double-rounding case).
    expect(LongDouble.from(1).div(3).toNumber()).toBe(1 / 3);
    // (2^53 + 1) fits 64 bits: exact in long double, not in double.
    expect(LongDouble.from(2 ** 53).mul(1).trunc()).toBe(2 ** 53);
    expect(LongDouble.from(2n ** 53n + 1n).div(2).mul(2).toNumber()).toBe(2 ** 53); // ties to even at 53 bits
    expect(LongDouble.from(-7).div(2).trunc()).toBe(-3);
    expect(LongDouble.from(7).div(2).trunc()).toBe(3);
    expect(() => LongDouble.from(1).div(0)).toThrow(RangeError);
  });
});
