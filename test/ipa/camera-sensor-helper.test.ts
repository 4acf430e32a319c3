import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cameraSensorHelperNames, createCameraSensorHelper, toUint32 } from '../../dist/ipa/camera-sensor-helper.js';

const oracle = '/work/shared/reference/oracle/rkisp1-a-neutral.json';

function helper(name: string) {
  const h = createCameraSensorHelper(name);
  if (!h) throw new Error(`no helper for ${name}`);
  return h;
}

describe('CameraSensorHelper', () => {
  it('has every sensor of libcamera v0.7.1, in its registration order, and none other', () => {
    expect(cameraSensorHelperNames).toEqual([
      'ar0144', 'ar0521', 'gc05a2', 'gc08a3', 'hm1246', 'imx214', 'imx219', 'imx258', 'imx283', 'imx290', 'imx296',
      'imx327', 'imx335', 'imx415', 'imx462', 'imx477', 'imx708', 'ov2685', 'ov2740', 'ov4689', 'ov5640', 'ov5647',
      'ov5670', 'ov5675', 'ov5693', 'ov64a40', 'ov8858', 'ov8865', 'ov13858', 'vd55g1', 'vd56g3',
    ]);
    for (const name of cameraSensorHelperNames) expect(createCameraSensorHelper(name)).toBeDefined();
    expect(createCameraSensorHelper('vimc')).toBeUndefined();
    expect(createCameraSensorHelper('toString')).toBeUndefined();
    expect(createCameraSensorHelper('IMX219')).toBeUndefined();
  });

  it('gives each sensor its black level (16-bit), or none', () => {
    const levels = Object.fromEntries(cameraSensorHelperNames.map((n) => [n, helper(n).blackLevel]));
    expect(levels).toEqual({
      ar0144: 2688, ar0521: undefined, gc05a2: 4096, gc08a3: 4096, hm1246: undefined, imx214: 4096, imx219: 4096,
      imx258: 4096, imx283: 3200, imx290: 3840, imx296: undefined, imx327: 3840, imx335: 3200, imx415: undefined,
      imx462: 3840, imx477: undefined, imx708: 4096, ov2685: undefined, ov2740: undefined, ov4689: 1024, ov5640: 1024,
      ov5647: undefined, ov5670: undefined, ov5675: 4096, ov5693: undefined, ov64a40: undefined, ov8858: undefined,
      ov8865: undefined, ov13858: undefined, vd55g1: 4096, vd56g3: 4096,
    });
  });

  it('models imx219 analogue gain as 256 / (256 - code)', () => {
    const h = helper('imx219');
    expect(h.gain(0)).toBe(1);
    expect(h.gain(128)).toBe(2);
    expect(h.gain(232)).toBe(256 / 24);
    expect(h.gainCode(1)).toBe(0);
    expect(h.gainCode(2)).toBe(128);
    // (256 - 256 * g) / (-g) for g = 256/24 is 232 exactly in double arithmetic.
    expect(h.gainCode(256 / 24)).toBe(232);
    // Below the model's range: (256 - 128) / -0.5 = -256, which x86-64's double → uint32_t wraps.
    expect(h.gainCode(0.5)).toBe(4294967040);
  });

  it('loses a code on the way back for the imx219 codes C++ double arithmetic loses it on', () => {
    // gain(1) = 256/255; (256 - 256 * gain) / -gain = 0.9999999999999964 in double: code 0.
    // The list is that arithmetic run over codes 0..232 (IEEE double, as the C++).
    const lossy = [1, 2, 3, 4, 5, 7, 8, 16, 17, 18, 19, 24, 27, 28, 30, 32, 36, 37, 40, 42, 44, 47, 49, 50, 55, 59, 60, 62, 64, 67, 69, 75, 83, 85, 88, 94, 95, 104, 110, 112, 123];
    const h = helper('imx219');
    for (let code = 0; code <= 232; code++) expect(h.gainCode(h.gain(code))).toBe(lossy.includes(code) ? code - 1 : code);
  });

  it('quantizes a gain to one the sensor has, returning the rest as a quantization gain', () => {
    const h = helper('imx219');
    // 1.5: code trunc(256 - 256 / 1.5) = trunc(85.33) = 85, gain 256 / 171.
    const q = h.quantizeGain(1.5);
    expect(q.gain).toBe(256 / 171);
    expect(q.quantizationGain).toBe(1.5 / (256 / 171));
    expect(q.quantizationGain).toBeGreaterThan(1);
  });

  it.skipIf(!fs.existsSync(oracle))('agrees with the range the real rkisp1 IPA advertised for imx219 (codes 0 to 232)', () => {
    const trace = JSON.parse(fs.readFileSync(oracle, 'utf8'));
    const sensorGain = trace.setup.init.args.sensorControls['10356995'];
    const advertised = trace.setup.init.result.ipaControls['9'];
    expect(path.basename(oracle)).toContain('rkisp1');
    expect(trace.setup.init.args.sensorInfo.model).toBe('imx219');
    const h = helper('imx219');
    expect(Math.fround(h.gain(sensorGain.min))).toBe(advertised.min);
    expect(Math.fround(h.gain(sensorGain.max))).toBe(advertised.max);
  });

  it('models the linear ov sensors as code / 16 or code / 128', () => {
    expect(helper('ov5640').gain(32)).toBe(2);
    expect(helper('ov5640').gainCode(1.5)).toBe(24);
    expect(helper('ov5675').gain(128)).toBe(1);
    expect(helper('hm1246').gain(16)).toBe(2); // (code + 16) / 16
    expect(helper('gc05a2').gain(1024)).toBe(100); // 100 code / 1024
  });

  it('models the exponential sensors in 0.3 dB and 0.1 dB steps', () => {
    const imx290 = helper('imx290');
    // 20 steps of 0.3 dB = 6 dB: 10^(6/20) = 1.99526.
    expect(imx290.gain(20)).toBeCloseTo(10 ** (6 / 20), 12);
    // log2(2) / m with m = log2(10) * 0.3 / 20: 20.07 → 20.
    expect(imx290.gainCode(2)).toBe(20);
    expect(helper('imx296').gain(200)).toBeCloseTo(10 ** (20 / 20), 12);
    expect(helper('imx327').gain(20)).toBe(imx290.gain(20));
    expect(imx290.gain(0)).toBe(1);
  });

  it('models ar0144: clamped to 1.684..18.45, coarse 2^n, fine inverse linear, x1.153125 from 4x', () => {
    const h = helper('ar0144');
    // Below the minimum 1 / (1 - 13/32): coarse 0, fine (1 - 19/32) * 32 = 13.
    expect(h.gainCode(1)).toBe(13);
    expect(h.gain(13)).toBeCloseTo(32 / 19, 14);
    // 18.45 / 1.153125 = 16: coarse 4, fine 0.
    expect(h.gainCode(100)).toBe(0x40);
    expect(h.gain(0x40)).toBeCloseTo(18.45, 13);
    // 4.5 / 1.153125 = 3.902: coarse 1, fine trunc((1 - 2 / 3.902) * 32) = 15, even: 14.
    expect(h.gainCode(4.5)).toBe(0x1e);
    // The codes the sensor has (coarse 1 and 3: even fine; coarse 4: fine 0) all come back.
    const valid = [13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 30, ...Array.from({ length: 16 }, (_, i) => 32 + i), 48, 50, 52, 54, 56, 58, 60, 62, 64];
    for (const code of valid) expect(h.gainCode(h.gain(code))).toBe(code);
  });

  it('models ar0521: coarse 2^n, fine 1/16, clamped to 1..15.5', () => {
    const h = helper('ar0521');
    expect(h.gainCode(3)).toBe(0x18); // coarse 1, (1.5 - 1) * 16 = 8
    expect(h.gain(0x18)).toBe(3);
    expect(h.gainCode(100)).toBe(0x3f); // 15.5: coarse 3, (15.5 / 8 - 1) * 16 = 15
    expect(h.gain(0x3f)).toBe(15.5);
    expect(h.gainCode(0.1)).toBe(0);
    expect(h.blackLevel).toBeUndefined();
  });

  it('gives back the code for every gain it produces, for the models where double arithmetic allows', () => {
    // ov5640, ov2685 (and the other code / N sensors) lose nothing: code / N back times N is exact.
    const div = fc.constantFrom('ov5640', 'ov2685', 'ov5675', 'gc05a2', 'hm1246');
    fc.assert(
      fc.property(div, fc.integer({ min: 0, max: 4095 }), (name, code) => {
        const h = helper(name);
        expect(h.gainCode(h.gain(code))).toBe(code);
      }),
    );
    // The 1 / (N - code) sensors come back to the code or one below it.
    const inv: [string, number][] = [['imx219', 255], ['imx477', 1023], ['imx283', 2047], ['vd55g1', 31], ['imx214', 511]];
    fc.assert(
      fc.property(fc.constantFrom(...inv), fc.double({ min: 0, max: 1, noNaN: true }), ([name, top], t) => {
        const code = Math.floor(t * top);
        const h = helper(name);
        const back = h.gainCode(h.gain(code));
        expect([code, code - 1]).toContain(back);
        // Quantizing a quantized gain changes it by at most one code.
        expect(h.gain(back)).toBeLessThanOrEqual(h.gain(code));
      }),
    );
  });

  it('converts doubles to uint32_t as the C++ does on x86-64', () => {
    expect(toUint32(231.99999)).toBe(231);
    expect(toUint32(-0.5)).toBe(0);
    expect(toUint32(-1.5)).toBe(4294967295);
    expect(toUint32(2 ** 32 + 5.5)).toBe(5);
    expect(toUint32(Number.NaN)).toBe(0);
    expect(toUint32(Infinity)).toBe(0);
  });
});
