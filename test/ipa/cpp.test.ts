import { afterEach, describe, expect, it } from 'vitest';
import { estimateCCT } from '../../dist/ipa/colours.js';
import { cppMax, cppMin, fma, getTargetArch, mulAdd, mulSub, setTargetArch, storeAs, toUint32 } from '../../dist/ipa/cpp.js';
import { Interpolator } from '../../dist/ipa/interpolator.js';
import { rgb } from '../../dist/ipa/vector.js';

const processDefault = getTargetArch();
afterEach(() => setTargetArch(processDefault));

describe('toUint32', () => {
  it('truncates in range on every platform', () => {
    for (const arch of ['aarch64', 'x86-64'] as const) {
      setTargetArch(arch);
      expect(toUint32(5937.99)).toBe(5937);
      expect(toUint32(0.5)).toBe(0);
      expect(toUint32(4294967295)).toBe(4294967295);
    }
  });

  it("defaults to this process's platform", () => {
    expect(processDefault).toBe(process.arch === 'arm64' ? 'aarch64' : 'x86-64');
  });

  it('saturates out of range on AArch64, NaN giving 0', () => {
    setTargetArch('aarch64');
    expect(toUint32(-1.5)).toBe(0);
    expect(toUint32(5e9)).toBe(4294967295);
    expect(toUint32(NaN)).toBe(0);
  });

  it('wraps modulo 2^32 on x86-64 (values from a g++ build, fixtures/libcamera-reference.json)', () => {
    setTargetArch('x86-64');
    expect(toUint32(-1.5)).toBe(4294967295);
    expect(toUint32(5e9)).toBe(705032704);
    expect(toUint32(-1e15)).toBe(1530494976);
    expect(toUint32(1e19)).toBe(0);
    expect(toUint32(NaN)).toBe(0);
  });

  it('decides a strongly tinted CCT estimate and an Interpolator key below 0', () => {
    setTargetArch('aarch64');
    // Orange-red means R:G:B = 10:2:1 land where McCamy's cubic is negative (about -1.03e7;
    // x86-64 wraps that to 2^32 - 10322113).
    const red = rgb(100, 20, 10);
    expect(estimateCCT(red)).toBe(0);
    setTargetArch('x86-64');
    expect(estimateCCT(red)).toBeGreaterThan(2 ** 31);
    // A negative key wraps to a huge one: the last value, not the first.
    const i = Interpolator.numbers([[2000, 1], [6000, 2]]);
    expect(i.getInterpolated(-1)).toBe(2);
    setTargetArch('aarch64');
    expect(i.getInterpolated(-1)).toBe(1);
  });
});

describe('cppMin / cppMax', () => {
  it('keep the first argument unless the second compares strictly', () => {
    expect(cppMax(NaN, 1)).toBeNaN();
    expect(cppMax(1, NaN)).toBe(1);
    expect(cppMin(NaN, 1)).toBeNaN();
    expect(cppMin(1, NaN)).toBe(1);
    expect(Object.is(cppMax(0, -0), 0)).toBe(true);
    expect(Object.is(cppMax(-0, 0), -0)).toBe(true);
  });
});

describe('fma', () => {
  it('rounds a * b + c once', () => {
    // 0.1 * 10 is 1 + 2^-54 exactly before rounding; unfused it rounds to 1 and the sum is 0.
    expect(0.1 * 10 - 1).toBe(0);
    expect(fma(0.1, 10, -1)).toBe(2 ** -54);
    // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60, which the unfused product loses.
    const x = 1 + 2 ** -30;
    expect(fma(x, x, -1)).toBe(2 ** -29 + 2 ** -60);
    expect(x * x - 1).toBe(2 ** -29);
    expect(fma(2, 3, 4)).toBe(10);
  });

  it('rounds to float once for float elements', () => {
    const a = Math.fround(1 + 2 ** -12);
    // a^2 - 1 = 2^-11 + 2^-24: representable in float, lost by a float product first.
    expect(fma(a, a, -1, 'float')).toBe(2 ** -11 + 2 ** -24);
    expect(Math.fround(Math.fround(a * a) - 1)).toBe(2 ** -11);
  });

  it('breaks ties to even, and handles zeros, infinities and subnormals', () => {
    // 1 + 2^-53 is halfway between 1 and the next double: even is 1.
    expect(fma(2 ** -27, 2 ** -26, 1)).toBe(1);
    expect(fma(3 * 2 ** -27, 2 ** -26, 1)).toBe(1 + 2 ** -51);
    expect(Object.is(fma(-0, 1, -0), -0)).toBe(true);
    expect(Object.is(fma(1, 1, -1), 0)).toBe(true);
    expect(fma(1e308, 10, -Infinity)).toBe(-Infinity);
    expect(fma(Infinity, 0, 1)).toBeNaN();
    expect(fma(2 ** -1074, 0.5, 0)).toBe(0);
    expect(fma(2 ** -1074, 1.5, 0)).toBe(2 ** -1073);
    expect(fma(1e308, 10, 0)).toBe(Infinity);
  });

  it('is what mulAdd and mulSub do on AArch64 only', () => {
    setTargetArch('aarch64');
    expect(mulAdd('double', 0.1, 10, -1)).toBe(2 ** -54);
    expect(mulSub('double', 0.1, 10, 1)).toBe(-(2 ** -54));
    setTargetArch('x86-64');
    expect(mulAdd('double', 0.1, 10, -1)).toBe(0);
    expect(mulSub('double', 0.1, 10, 1)).toBe(0);
    expect(mulAdd('int16', 300, 300, 1)).toBe(90001);
  });
});

describe('storeAs', () => {
  it('stores float rounded, int16 truncated and wrapped', () => {
    setTargetArch('aarch64');
    expect(storeAs('double', 0.1)).toBe(0.1);
    expect(storeAs('float', 0.1)).toBe(Math.fround(0.1));
    expect(storeAs('int16', -1.9)).toBe(-1);
    expect(storeAs('int16', 65537)).toBe(1);
    expect(storeAs('int16', 1e10)).toBe(-1);
    setTargetArch('x86-64');
    expect(storeAs('int16', 1e10)).toBe(0);
  });
});
