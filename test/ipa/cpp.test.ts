import { afterEach, describe, expect, it } from 'vitest';
import { estimateCCT } from '../../dist/ipa/colours.js';
import { cppMax, cppMin, getTargetArch, setTargetArch, toUint32 } from '../../dist/ipa/cpp.js';
import { Interpolator } from '../../dist/ipa/interpolator.js';
import { rgb } from '../../dist/ipa/vector.js';

afterEach(() => setTargetArch('aarch64'));

describe('toUint32', () => {
  it('truncates in range on every platform', () => {
    for (const arch of ['aarch64', 'x86-64'] as const) {
      setTargetArch(arch);
      expect(toUint32(5937.99)).toBe(5937);
      expect(toUint32(0.5)).toBe(0);
      expect(toUint32(4294967295)).toBe(4294967295);
    }
  });

  it('saturates out of range on AArch64 (the default), NaN giving 0', () => {
    expect(getTargetArch()).toBe('aarch64');
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
