import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCameraSensorHelper } from '../../dist/ipa/camera-sensor-helper.js';
import { microseconds, milliseconds } from '../../dist/ipa/duration.js';
import { ExposureModeHelper } from '../../dist/ipa/exposure-mode-helper.js';

const ms = milliseconds;
const us = microseconds;

/** Stages (10 ms, 2x) then (20 ms, 4x); lines of 10 us; 100 us to 30 ms, gain 1 to 8. */
function twoStages(sensor?: string): ExposureModeHelper {
  const h = new ExposureModeHelper([
    { exposureTime: ms(10), gain: 2 },
    { exposureTime: ms(20), gain: 4 },
  ]);
  h.configure(us(10), sensor ? createCameraSensorHelper(sensor) : undefined);
  h.setLimits(us(100), ms(30), 1, 8);
  return h;
}

const split = (h: ExposureModeHelper, e: number) => {
  const s = h.splitExposure(e);
  return [s.exposureTime, s.gain, s.quantizationGain, s.digitalGain];
};

describe('ExposureModeHelper', () => {
  it('raises exposure time first, at the previous stage gain (1 before the first stage)', () => {
    // 5 ms: stage 0's 10 ms at gain 1 covers it: 5 ms, gain 5 / 5 = 1.
    expect(split(twoStages(), ms(5))).toEqual([ms(5), 1, 1, 1]);
  });

  it('then raises gain up to the stage gain at the stage exposure time', () => {
    // 15 ms: 10 ms × 1 < 15 ≤ 10 ms × 2: 10 ms, gain 1.5.
    expect(split(twoStages(), ms(15))).toEqual([ms(10), 1.5, 1, 1]);
  });

  it('moves to the next stage: exposure time up at the previous stage gain', () => {
    // 30 ms: beyond stage 0 (20); stage 1's 20 ms × 2 = 40 covers it: 30 / 2 = 15 ms, gain 30 / 15 = 2.
    expect(split(twoStages(), ms(30))).toEqual([ms(15), 2, 1, 1]);
    // 70 ms: 20 ms × 2 = 40 < 70 ≤ 20 ms × 4 = 80: 20 ms, gain 3.5.
    expect(split(twoStages(), ms(70))).toEqual([ms(20), 3.5, 1, 1]);
  });

  it('beyond the last stage: exposure time to its limit, then gain, the rest digital gain', () => {
    // 100 ms: at the last stage gain 4, 25 ms (under the 30 ms limit), gain 100 / 25 = 4.
    expect(split(twoStages(), ms(100))).toEqual([ms(25), 4, 1, 1]);
    // 400 ms: 100 ms clamps to 30 ms, gain 13.3 clamps to 8, digital 400 / (30 × 8).
    expect(split(twoStages(), ms(400))).toEqual([ms(30), 8, 1, ms(400) / (ms(30) * 8 * 1)]);
  });

  it('without stages maxes exposure time before touching gain', () => {
    const h = new ExposureModeHelper([]);
    h.configure(us(10));
    h.setLimits(us(100), ms(30), 1, 8);
    expect(split(h, ms(20))).toEqual([ms(20), 1, 1, 1]);
    expect(split(h, ms(60))).toEqual([ms(30), 2, 1, 1]);
    // Below the minimum exposure time: clamped up (clamping is no quantization: that is only
    // clamped / whole lines = 1), gain 0.5 clamped at 1, digital gain 50 / 100 below 1.
    expect(split(h, us(50))).toEqual([us(100), 1, 1, 0.5]);
  });

  it('truncates exposure time to whole lines and counts the loss as quantization gain', () => {
    // 5.005 ms at gain 1: 500.5 lines → 500 (5 ms), quantization 5.005 / 5; gain then takes
    // 5.005 / 5 too (the C++ regulates gain on the truncated time), so digital gain is below 1.
    const e = us(5005);
    const q = e / ms(5);
    expect(split(twoStages(), e)).toEqual([ms(5), q, q, e / (ms(5) * q * q)]);
  });

  it('quantizes gain to sensor codes through the sensor helper', () => {
    const imx219 = createCameraSensorHelper('imx219')!;
    // 15 ms: 10 ms and gain 1.5 → code 85, gain 256 / 171; quantization gain 1.5 / (256 / 171).
    const g = 256 / 171;
    expect(split(twoStages('imx219'), ms(15))).toEqual([ms(10), g, 1.5 / g, ms(15) / (ms(10) * g * (1.5 / g))]);
    expect(imx219.quantizeGain(1.5).gain).toBe(g);
  });

  it('with exposure time and gain both fixed returns them, the rest digital gain', () => {
    const h = twoStages();
    h.setLimits(ms(10), ms(10), 2, 2);
    expect(split(h, ms(5))).toEqual([ms(10), 2, 1, 0.25]);
    expect(split(h, ms(80))).toEqual([ms(10), 2, 1, 4]);
  });

  it('applies a minimum gain above 1 from the start', () => {
    const h = twoStages();
    h.setLimits(us(100), ms(30), 2, 8);
    // stageGain starts at clampGain(1) = 2: 8 ms / 2 = 4 ms, gain 2.
    expect(split(h, ms(8))).toEqual([ms(4), 2, 1, 1]);
  });

  it('keeps its limits and stages', () => {
    const h = twoStages();
    expect([h.minExposureTime, h.maxExposureTime, h.minGain, h.maxGain]).toEqual([us(100), ms(30), 1, 8]);
    expect(h.stages).toEqual([{ exposureTime: ms(10), gain: 2 }, { exposureTime: ms(20), gain: 4 }]);
  });

  it('reproduces the exposure: time × gain × quantization × digital = exposure, time in whole lines', () => {
    fc.assert(
      fc.property(fc.double({ min: 10_000, max: 1e9, noNaN: true }), fc.boolean(), (e, sensor) => {
        const h = twoStages(sensor ? 'imx219' : undefined);
        const s = h.splitExposure(e);
        expect(s.exposureTime / us(10)).toBe(Math.round(s.exposureTime / us(10)));
        expect(s.exposureTime).toBeLessThanOrEqual(ms(30));
        expect(s.exposureTime).toBeGreaterThanOrEqual(us(100));
        expect(s.gain).toBeLessThanOrEqual(8);
        expect(s.gain).toBeGreaterThanOrEqual(1);
        expect((s.exposureTime * s.gain * s.quantizationGain * s.digitalGain) / e).toBeCloseTo(1, 9);
      }),
    );
  });
});
