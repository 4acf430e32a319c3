/**
 * ts-ipa's ipa/ against values computed by libcamera v0.7.1's own code: vector.h, matrix.h,
 * matrixInvert, colours.cpp and interpolator.h compiled with g++ -O2 on x86_64 (see
 * fixtures/libcamera-reference/build.sh), once for x86-64 and once for AArch64 (cross-compiled,
 * run under qemu). Every number must be the same double, bit for bit, with setTargetArch set to
 * the build's platform: the two differ in fused multiply-adds and out-of-range conversions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwbGrey } from '../../dist/ipa/awb-grey.js';
import { estimateCCT, rec601LuminanceFromRGB } from '../../dist/ipa/colours.js';
import { getTargetArch, setTargetArch, toUint32, type TargetArch } from '../../dist/ipa/cpp.js';
import { Interpolator } from '../../dist/ipa/interpolator.js';
import { Matrix } from '../../dist/ipa/matrix.js';
import { Vector } from '../../dist/ipa/vector.js';

interface Reference {
  colours: { rgb: number[]; y: number; cct: number; gains: number[] }[];
  vectors: { a: number[]; b: number[]; k: number; add: number[]; sub: number[]; mul: number[]; div: number[]; mulk: number[]; divk: number[]; clamp: number[]; dot: number; length: number; sum: number }[];
  matrices: { a: number[]; b: number[]; v: number[]; ab: number[]; av: number[]; sum: number[]; inverse: number[]; ok: boolean }[];
  interpolators: { data: [number, number[]][]; queries: [number, number[]][] }[];
  uint32: [number, number][];
  doubleLerps: { a: number[]; b: number[]; x: number; y: number; lo: number; hi: number; key: number; m: number[]; d: number; fa: number[]; fb: number[]; fl: number[] }[];
  floatMatrices: {
    a: number[]; b: number[]; v: number[]; ab: number[]; av: number[]; inverse: number[];
    lo: number; hi: number; key: number; lerp: number[]; o1: number[]; o2: number[]; olerp: number[];
    fv: number[]; fk: number; fvk: number[]; fvs: number[]; fdot: number; flength: number;
  }[];
}

const fixtures: [TargetArch, string][] = [
  ['x86-64', 'fixtures/libcamera-reference.json'],
  ['aarch64', 'fixtures/libcamera-reference-aarch64.json'],
];

/** Same doubles, bit for bit (toEqual would take 0 for -0; toStrictEqual on arrays uses Object.is). */
function same(actual: readonly number[], expected: readonly number[]) {
  expect(actual).toStrictEqual(expected);
}

describe.each(fixtures)('libipa reference values (%s build)', (arch, file) => {
  const ref: Reference = JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
  let processDefault: TargetArch;
  beforeAll(() => {
    processDefault = getTargetArch();
    setTargetArch(arch);
  });
  afterAll(() => setTargetArch(processDefault));

  it('double → uint32 conversions out of range', () => {
    for (const [value, expected] of ref.uint32) expect(toUint32(value)).toBe(expected);
  });


  it('has cases to check', () => {
    expect(ref.colours.length).toBeGreaterThan(100);
    expect(ref.interpolators.length).toBeGreaterThan(20);
  });

  it('rec601LuminanceFromRGB, estimateCCT and AwbGrey gains', () => {
    const awb = new AwbGrey();
    awb.init({});
    for (const c of ref.colours) {
      const rgb = new Vector(c.rgb);
      expect(rec601LuminanceFromRGB(rgb)).toBe(c.y);
      expect(estimateCCT(rgb)).toBe(c.cct);
      const result = awb.calculateAwb({ rgbMeans: () => rgb, computeColourError: () => 0 }, 0);
      same(result.gains.toArray(), c.gains);
      expect(result.colourTemperature).toBe(c.cct);
    }
  });

  it('Vector arithmetic', () => {
    for (const c of ref.vectors) {
      const a = new Vector(c.a);
      const b = new Vector(c.b);
      same(a.add(b).toArray(), c.add);
      same(a.sub(b).toArray(), c.sub);
      same(a.mul(b).toArray(), c.mul);
      same(a.div(b).toArray(), c.div);
      same(a.mul(c.k).toArray(), c.mulk);
      same(a.div(c.k).toArray(), c.divk);
      same(a.clamp(-c.k, c.k).toArray(), c.clamp);
      expect(a.dot(b)).toBe(c.dot);
      expect(a.length()).toBe(c.length);
      expect(a.sum()).toBe(c.sum);
    }
  });

  it('Matrix products, sum and inverse', () => {
    for (const c of ref.matrices) {
      const a = new Matrix(3, 3, c.a);
      const b = new Matrix(3, 3, c.b);
      same(a.mul(b).toArray(), c.ab);
      same(a.mul(new Vector(c.v)).toArray(), c.av);
      same(a.add(b).toArray(), c.sum);
      const { inverse, ok } = a.inverseOk();
      expect(ok).toBe(c.ok);
      same(inverse.toArray(), c.inverse);
    }
  });

  it('Interpolator<Vector<double, 2>>', () => {
    for (const c of ref.interpolators) {
      const interp = Interpolator.vectors(c.data.map(([k, v]) => [k, new Vector(v)] as const));
      for (const [key, expected] of c.queries) same(interp.getInterpolated(key).toArray(), expected);
    }
  });

  it('float and int16 elements (rkisp1 Ccm: Matrix<float, 3, 3>, Matrix<int16_t, 3, 1>, Vector<float, 3>)', () => {
    expect(ref.floatMatrices.length).toBeGreaterThan(20);
    for (const c of ref.floatMatrices) {
      const a = new Matrix(3, 3, c.a, 'float');
      const b = new Matrix(3, 3, c.b, 'float');
      same(a.toArray(), c.a);
      same(a.mul(b).toArray(), c.ab);
      expect(a.mul(b).element).toBe('float');
      const av = a.mul(new Vector(c.v));
      expect(av.element).toBe('double');
      same(av.toArray(), c.av);
      same(a.inverse().toArray(), c.inverse);
      const ccm = Interpolator.matrices([[c.lo, a], [c.hi, b]]);
      same(ccm.getInterpolated(c.key).toArray(), c.lerp);
      const offsets = Interpolator.matrices([[c.lo, new Matrix(3, 1, c.o1, 'int16')], [c.hi, new Matrix(3, 1, c.o2, 'int16')]]);
      same(offsets.getInterpolated(c.key).toArray(), c.olerp);
      const fv = new Vector(c.fv, 'float');
      same(fv.mul(c.fk).toArray(), c.fvk);
      same(fv.add(fv.mul(fv)).toArray(), c.fvs);
      expect(fv.dot(new Vector(c.fvk, 'float'))).toBe(c.fdot);
      expect(fv.length()).toBe(c.flength);
    }
  });

  it('Interpolator<double>, Interpolator<Matrix<double, 3, 3>> and Interpolator<Vector<float, 2>>', () => {
    expect(ref.doubleLerps.length).toBeGreaterThan(20);
    for (const c of ref.doubleLerps) {
      const m = Interpolator.matrices([[c.lo, new Matrix(3, 3, c.a)], [c.hi, new Matrix(3, 3, c.b)]]);
      same(m.getInterpolated(c.key).toArray(), c.m);
      expect(Interpolator.numbers([[c.lo, c.x], [c.hi, c.y]]).getInterpolated(c.key)).toBe(c.d);
      const fv = Interpolator.vectors([[c.lo, new Vector(c.fa, 'float')], [c.hi, new Vector(c.fb, 'float')]]);
      same(fv.getInterpolated(c.key).toArray(), c.fl);
    }
  });
});
