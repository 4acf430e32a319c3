import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTargetArch, setTargetArch } from '../../dist/ipa/cpp.js';
import { estimateCCT, rec601LuminanceFromRGB, toUint32 } from '../../dist/ipa/colours.js';
import { rgb } from '../../dist/ipa/vector.js';

// The out-of-range cases below are AArch64's (where the rkisp1 IPA runs); cpp.test.ts has x86-64's.
const processDefault = getTargetArch();
beforeAll(() => setTargetArch('aarch64'));
afterAll(() => setTargetArch(processDefault));

// Expected values: libcamera's colours.cpp formulas (its rgb2xyz matrix, Matrix × Vector and the
// sum as left-to-right loops from 0, the uint32_t return) compiled with g++ -O2 on x86_64 and
// printed with %u / %.17g. These inputs give the same values on AArch64 (whose fused
// multiply-adds libcamera-reference.test.ts checks), which these tests run as by default.
describe('rec601LuminanceFromRGB', () => {
  it('is 0.299 R + 0.587 G + 0.114 B summed in that order', () => {
    expect(rec601LuminanceFromRGB(rgb(100, 100, 100))).toBe(100);
    expect(rec601LuminanceFromRGB(rgb(200, 100, 50))).toBe(124.2);
    expect(rec601LuminanceFromRGB(rgb(50, 100, 200))).toBe(96.449999999999989);
    // (0 + 0.299 + 0.587) + 0.114 rounds below 1 in double; C++ gives the same.
    expect(rec601LuminanceFromRGB(rgb(1, 1, 1))).toBe(0.99999999999999989);
    expect(rec601LuminanceFromRGB(rgb(30.5, 60.25, 45.125))).toBe(49.630499999999998);
    expect(rec601LuminanceFromRGB(rgb(0, 0, 0))).toBe(0);
  });
});

describe('estimateCCT', () => {
  it('matches libcamera on neutral and tinted means', () => {
    // Grey: XYZ = row sums of rgb2xyz = (0.45001, 0.5218, 0.65203), x = 0.27713, y = 0.32134,
    // n = (x - 0.3320) / (0.1858 - y) = 0.40486, 449n³ + 3525n² + 6823.3n + 5520.33 = 8890.x.
    expect(estimateCCT(rgb(100, 100, 100))).toBe(8890);
    expect(estimateCCT(rgb(1, 1, 1))).toBe(8890);
    expect(estimateCCT(rgb(200, 100, 50))).toBe(1635);
    expect(estimateCCT(rgb(50, 100, 200))).toBe(5070);
    expect(estimateCCT(rgb(80, 120, 90))).toBe(5937);
    expect(estimateCCT(rgb(30.5, 60.25, 45.125))).toBe(6620);
  });

  it('returns an unsigned integer, 0 for black (NaN chromaticity)', () => {
    expect(Number.isInteger(estimateCCT(rgb(80, 120, 90)))).toBe(true);
    // 0/0 chromaticity is NaN; its conversion to uint32_t gives 0 on AArch64 and x86-64 alike.
    expect(estimateCCT(rgb(0, 0, 0))).toBe(0);
  });

  it('converts to uint32 by truncation, saturating out of range', () => {
    expect(toUint32(5937.99)).toBe(5937);
    expect(toUint32(-3.5)).toBe(0);
    expect(toUint32(1e12)).toBe(4294967295);
    expect(toUint32(NaN)).toBe(0);
  });
});
