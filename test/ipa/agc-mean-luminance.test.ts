import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgcMeanLuminance, type AgcConstraint } from '../../dist/ipa/agc-mean-luminance.js';
import { microseconds, milliseconds } from '../../dist/ipa/duration.js';
import { Histogram } from '../../dist/ipa/histogram.js';
import { Pwl } from '../../dist/ipa/pwl.js';
import { TuningError } from '../../dist/ipa/tuning.js';

const ms = milliseconds;
const oracleFile = '/work/shared/reference/oracle/rkisp1-a-neutral.json';
const us = microseconds;

/** A platform whose frame has relative luminance `base` × gain, saturating at `limit`. */
class TestAgc extends AgcMeanLuminance {
  calls: number[] = [];
  constructor(
    public base = 0.04,
    public limit = 1,
  ) {
    super();
  }
  protected override estimateLuminance(gain: number): number {
    this.calls.push(gain);
    return Math.min(this.base * gain, this.limit);
  }
  initialGain(): number {
    this.calls = [];
    return this.estimateInitialGain();
  }
  clampGain(mode: number, hist: Histogram, gain: number): number {
    return this.constraintClampGain(mode, hist, gain);
  }
}

function agc(tuning: unknown = null): TestAgc {
  const a = new TestAgc();
  a.parseTuningData(tuning, 'Agc');
  a.configure(us(10));
  a.setLimits(us(100), ms(30), 1, 8);
  return a;
}

/** 256 bins, `count` in bin `bin`. */
function spike(bin: number, count = 100): Histogram {
  const bins = new Array<number>(256).fill(0);
  bins[bin] = count;
  return new Histogram(bins);
}

const describeConstraint = (c: AgcConstraint) => [c.bound, c.qLo, c.qHi, c.yTarget.points.map((p) => [p.x, p.y])];

describe('AgcMeanLuminance tuning', () => {
  it('without tuning (rkisp1 uncalibrated.yaml: `Agc:`) has the default modes', () => {
    const a = agc(null);
    expect([...a.constraintModes()].map(([id, cs]) => [id, cs.map(describeConstraint)])).toEqual([[0, [['lower', 0.98, 1.0, [[0, 0.5]]]]]]);
    expect([...a.exposureModeHelpers().keys()]).toEqual([0]);
    expect(a.exposureModeHelpers().get(0)!.stages).toEqual([]);
    expect(a.controls()).toEqual({
      AeConstraintMode: { values: [0], min: 0, max: 0, def: 0 },
      AeExposureMode: { values: [0], min: 0, max: 0, def: 0 },
    });
    expect(a.effectiveYTarget()).toBe(0.16);
  });

  it.skipIf(!fs.existsSync(oracleFile))('advertises the modes the real rkisp1 IPA advertised for that tuning', () => {
    const file = oracleFile;
    const trace = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(trace.tuning.text).toMatch(/- Agc:\n/);
    const ipaControls = trace.setup.init.result.ipaControls;
    const c = agc(null).controls();
    for (const [id, mine] of [['4', c.AeConstraintMode!], ['5', c.AeExposureMode!]] as const) {
      expect({ values: ipaControls[id].values, min: ipaControls[id].min, max: ipaControls[id].max, def: ipaControls[id].def }).toEqual(mine);
    }
  });

  it('reads constraint modes: lower bounds first, upper last, defaults for qLo and qHi, unknown names skipped', () => {
    const a = agc({
      AeConstraintMode: {
        ConstraintHighlight: { upper: { qLo: 0.9, yTarget: 0.8 }, lower: { qHi: 0.5, yTarget: [0, 0.4, 1000, 0.5] }, middle: {} },
        ConstraintBogus: { lower: { yTarget: 0.1 } },
        ConstraintNormal: { lower: { qLo: 0.98, qHi: 1.0, yTarget: 0.5 } },
      },
    });
    expect([...a.constraintModes()].map(([id, cs]) => [id, cs.map(describeConstraint)])).toEqual([
      [0, [['lower', 0.98, 1.0, [[0, 0.5]]]]],
      [1, [['lower', 0.98, 0.5, [[0, 0.4], [1000, 0.5]]], ['upper', 0.9, 1.0, [[0, 0.8]]]]],
    ]);
    // ControlInfo of the file's order: min the first, max the last, default the first.
    expect(a.controls().AeConstraintMode).toEqual({ values: [1, 0], min: 1, max: 0, def: 1 });
  });

  it('reads exposure modes as stages of microseconds and gains', () => {
    const a = agc({ AeExposureMode: { ExposureShort: { exposureTime: [100, 10000], gain: [1, 4] }, ExposureNormal: { exposureTime: [20000], gain: [2] } } });
    const helpers = a.exposureModeHelpers();
    // std::map: in id order whatever the file's order.
    expect([...helpers.keys()]).toEqual([0, 1]);
    expect(helpers.get(1)!.stages).toEqual([{ exposureTime: us(100), gain: 1 }, { exposureTime: us(10000), gain: 4 }]);
    expect(a.controls().AeExposureMode).toEqual({ values: [1, 0], min: 1, max: 0, def: 1 });
  });

  it('reads a lux-dependent luminance target and clamps lux to its domain', () => {
    const a = agc({ relativeLuminanceTarget: [100, 0.2, 1000, 0.4] });
    // No lux yet: 500 assumed: 0.2 + 400 × 0.2 / 900.
    expect(a.effectiveYTarget()).toBeCloseTo(0.2 + (400 * 0.2) / 900, 15);
    a.setLux(1000);
    expect(a.effectiveYTarget()).toBe(0.4);
    a.setLux(50);
    expect(a.effectiveYTarget()).toBe(0.2);
    a.setLux(100000);
    expect(a.effectiveYTarget()).toBe(0.4);
  });

  it('rejects bad tuning with the key path', () => {
    const bad: [unknown, RegExp][] = [
      [{ AeConstraintMode: { ConstraintNormal: [1, 2] } }, /^Agc\.AeConstraintMode\.ConstraintNormal: expected a mapping/],
      [{ AeConstraintMode: { ConstraintNormal: { lower: { qLo: 0.9 } } } }, /^Agc\.AeConstraintMode\.ConstraintNormal\.lower\.yTarget: missing/],
      [{ AeConstraintMode: { ConstraintNormal: { lower: { qLo: 'most', yTarget: 0.5 } } } }, /^Agc\.AeConstraintMode\.ConstraintNormal\.lower\.qLo: expected a number$/],
      [{ AeConstraintMode: { ConstraintShadows: { upper: { yTarget: [0, 1, 2] } } } }, /^Agc\.AeConstraintMode\.ConstraintShadows\.upper\.yTarget: .*odd/],
      [{ AeExposureMode: { ExposureNormal: { exposureTime: [100, 200], gain: [1] } } }, /^Agc\.AeExposureMode\.ExposureNormal: exposureTime and gain must be lists of the same length/],
      [{ AeExposureMode: { ExposureNormal: { exposureTime: [100.5], gain: [1] } } }, /^Agc\.AeExposureMode\.ExposureNormal: .*exposureTime: not all whole microseconds/],
      [{ AeExposureMode: { ExposureNormal: { exposureTime: [], gain: [] } } }, /^Agc\.AeExposureMode\.ExposureNormal: exposureTime and gain are empty/],
      [{ AeExposureMode: { ExposureLong: 3 } }, /^Agc\.AeExposureMode\.ExposureLong: expected a mapping/],
      [{ relativeLuminanceTarget: [0, 0.2, 0, 0.3] }, /^Agc\.relativeLuminanceTarget\[2\]: x values must increase/],
      [{ relativeLuminanceTarget: null }, /^Agc\.relativeLuminanceTarget: /],
    ];
    for (const [tuning, message] of bad) {
      expect(() => new TestAgc().parseTuningData(tuning, 'Agc')).toThrow(TuningError);
      expect(() => new TestAgc().parseTuningData(tuning, 'Agc')).toThrow(message);
    }
    // Unknown modes and a non-mapping AeConstraintMode are ignored, as libcamera does.
    expect(() => new TestAgc().parseTuningData({ AeExposureMode: { ExposureBogus: 3 }, AeConstraintMode: [1] })).not.toThrow();
  });
});

describe('AgcMeanLuminance regulation', () => {
  it('caps the target at 0.95 after exposure compensation', () => {
    const a = agc();
    a.setExposureCompensation(2);
    expect(a.effectiveYTarget()).toBe(0.32);
    a.setExposureCompensation(8);
    expect(a.effectiveYTarget()).toBe(0.95);
  });

  it('iterates the gain through estimateLuminance until a step is within 1%', () => {
    const a = agc();
    // y = 0.04 g. 1: 0.16 / 0.041; 2: 0.16 / (0.04 g1 + 0.001); 3: within 1%, stop.
    const g1 = 0.16 / (0.04 + 0.001);
    const g2 = g1 * (0.16 / (0.04 * g1 + 0.001));
    const g3 = g2 * (0.16 / (0.04 * g2 + 0.001));
    expect(a.initialGain()).toBe(g3);
    expect(a.calls).toEqual([1, g1, g2]);
    expect(Math.abs(g3 / g2 - 1)).toBeLessThan(0.01);
  });

  it('stops after 8 steps of at most 10x each', () => {
    const a = agc();
    a.base = 0;
    // 0.16 / 0.001 = 160, capped at 10, eight times.
    expect(a.initialGain()).toBe(1e8);
    expect(a.calls.length).toBe(8);
  });

  it('takes a 10x step for a NaN luminance estimate, as std::min(10.0, NaN) does', () => {
    const a = agc();
    a.base = Number.NaN;
    expect(a.initialGain()).toBe(1e8);
  });

  it('stops where saturation keeps the luminance from rising', () => {
    const a = agc();
    a.base = 0.04;
    a.limit = 0.1;
    // y never exceeds 0.1: every step multiplies by 0.16 / 0.101, 8 steps.
    const g = a.initialGain();
    expect(a.calls.length).toBe(8);
    expect(g).toBeGreaterThan(0.16 / 0.04);
  });

  it('raises the gain to meet a lower bound and lowers it to meet an upper bound', () => {
    const a = agc({
      AeConstraintMode: {
        ConstraintNormal: { lower: { yTarget: 0.5 } },
        ConstraintHighlight: { upper: { qLo: 0.98, qHi: 1, yTarget: 0.8 } },
      },
    });
    // Everything in bin 10: top 2% between 10.98 and 11, mean 10.99. Lower: 0.5 × 256 / 10.99.
    const dark = spike(10);
    expect(a.clampGain(0, dark, 2)).toBe((0.5 * 256) / 10.99);
    // Already bright enough: a lower bound leaves the gain.
    expect(a.clampGain(0, spike(200), 2)).toBe(2);
    // Upper bound: bin 200's top 2% means 200.99; 0.8 × 256 / 200.99 ≈ 1.019 < 2.
    expect(a.clampGain(1, spike(200), 2)).toBe((0.8 * 256) / 200.99);
    expect(a.clampGain(1, dark, 2)).toBe(2);
    // A mode without constraints leaves the gain.
    expect(a.clampGain(3, dark, 2)).toBe(2);
    // An all-zero histogram: the inter-quantile mean is 0 / 0, the new gain NaN, no bound applies.
    expect(new Histogram(new Array(256).fill(0)).interQuantileMean(0.98, 1)).toBeNaN();
    expect(a.clampGain(0, new Histogram(new Array(256).fill(0)), 2)).toBe(2);
  });

  it('applies the additional constraints after the mode ones', () => {
    const a = agc();
    const upper: AgcConstraint = { bound: 'upper', qLo: 0.98, qHi: 1, yTarget: new Pwl([{ x: 0, y: 0.2 }]) };
    a.setLimits(us(100), ms(30), 1, 8, [upper]);
    // Lower (0.5) raises 2 to 0.5 × 256 / 10.99 = 11.65, then the upper bound brings it to 0.2 × 256 / 10.99.
    expect(a.clampGain(0, spike(10), 2)).toBe((0.2 * 256) / 10.99);
  });

  it('computes the new exposure: gain × exposure value, at once while starting, split by the mode', () => {
    const a = agc();
    const bright = spike(255); // the lower bound never applies
    // Gain from the iteration (as above, 3.9745...), times 5 ms: 19.87 ms, under the 30 ms limit.
    const gain = a.initialGain();
    const ev = ms(5) * gain;
    const s = a.calculateNewEv(0, 0, bright, ms(5));
    // No stages: exposure time first, truncated to whole lines of 10 us (quantization ev / time),
    // then gain ev / time (the same ratio), the rest (1 / that ratio) digital.
    const time = Math.trunc(ev / us(10)) * us(10);
    const ratio = ev / time;
    expect(s).toEqual({ exposureTime: time, gain: ratio, quantizationGain: ratio, digitalGain: ev / (time * ratio * ratio) });
    expect(ratio).toBeGreaterThan(1);
  });

  it('filters: speed 1 for 10 frames, then 0.2, and its square root within 20% of the target', () => {
    const a = agc();
    const bright = spike(255);
    const gain = a.initialGain();
    const ev = (e: number) => e * gain;
    // Frame 0: the filtered value starts at 0 and takes the new value at once.
    const first = ev(ms(5));
    a.calculateNewEv(0, 0, bright, ms(5));
    // Frames 1..9 at speed 1 (√1 = 1 inside 20% too): the filter follows exactly.
    for (let i = 1; i < 10; i++) a.calculateNewEv(0, 0, bright, ms(5));
    // Frame 10, target doubled (outside 20%): speed 0.2.
    const slow = 0.2 * ev(ms(10)) + first * (1 - 0.2);
    expect(total(a.calculateNewEv(0, 0, bright, ms(10)))).toBeCloseTo(slow, 0);
    // Frame 11, target within 20% of the filtered value: speed √0.2.
    const target = slow * 1.1;
    const fast = Math.sqrt(0.2) * target + slow * (1 - Math.sqrt(0.2));
    expect(total(a.calculateNewEv(0, 0, bright, target / gain))).toBeCloseTo(fast, 0);
    // resetFrameCount: back to speed 1.
    a.resetFrameCount();
    expect(total(a.calculateNewEv(0, 0, bright, ms(3)))).toBeCloseTo(ev(ms(3)), 0);
  });

  it('splits 10 ms for a zero exposure value, and throws for an exposure mode it does not have', () => {
    const a = agc();
    expect(a.calculateNewEv(0, 0, spike(100), 0)).toEqual(a.exposureModeHelpers().get(0)!.splitExposure(ms(10)));
    expect(() => a.calculateNewEv(0, 2, spike(100), ms(10))).toThrow(RangeError);
  });
});

function total(s: { exposureTime: number; gain: number; quantizationGain: number; digitalGain: number }): number {
  return s.exposureTime * s.gain * s.quantizationGain * s.digitalGain;
}
