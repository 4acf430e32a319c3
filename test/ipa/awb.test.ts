import { describe, expect, it } from 'vitest';
import { AwbAlgorithm, awbModes, manualAwbFromControls, type AwbStats } from '../../dist/ipa/awb.js';
import { AwbGrey } from '../../dist/ipa/awb-grey.js';
import { TuningError, type TuningValue } from '../../dist/ipa/tuning.js';
import { rgb, type RGB } from '../../dist/ipa/vector.js';
import { runtime } from '../support';

const { ControlList, controls } = runtime;

function stats(r: number, g: number, b: number): AwbStats {
  const means = rgb(r, g, b);
  return { rgbMeans: () => means, computeColourError: () => 0 };
}

const tuning = {
  colourGains: [
    { ct: 2500, gains: [2.0, 1.5] },
    { ct: 5000, gains: [1.5, 2.0] },
  ],
};

function grey(data: TuningValue = tuning) {
  const awb = new AwbGrey();
  awb.init(data);
  return awb;
}

describe('AwbGrey.calculateAwb', () => {
  it('makes the means grey: red G/R, green 1, blue G/B, CCT from the means', () => {
    // 120/80 = 1.5, 120/90 = 1.3333333333333333; estimateCCT(80, 120, 90) = 5937 (colours.test.ts).
    const result = grey().calculateAwb(stats(80, 120, 90), 0);
    expect(result.gains.toArray()).toEqual([1.5, 1, 1.3333333333333333]);
    expect(result.colourTemperature).toBe(5937);
  });

  it('raises a divisor below 1.0 to 1.0', () => {
    // max(0.25, 1.0) = 1 and max(0, 1.0) = 1: gains are G itself.
    expect(grey().calculateAwb(stats(0.25, 3, 0), 0).gains.toArray()).toEqual([3, 1, 3]);
  });

  it('gives zero red and blue gains and CCT 0 on all-zero (empty) means', () => {
    // 0 / max(0, 1) = 0; the chromaticity is 0/0 = NaN, which converts to 0.
    const result = grey().calculateAwb(stats(0, 0, 0), 0);
    expect(result.gains.toArray()).toEqual([0, 1, 0]);
    expect(result.colourTemperature).toBe(0);
  });

  it('keeps a NaN mean as NaN (std::max(NaN, 1.0) is NaN)', () => {
    expect(grey().calculateAwb(stats(NaN, 10, 5), 0).gains.r).toBeNaN();
  });

  it('does not need tuning data', () => {
    const awb = new AwbGrey();
    awb.init({});
    expect(awb.calculateAwb(stats(50, 100, 200), 0).gains.toArray()).toEqual([2, 1, 0.5]);
  });
});

describe('AwbGrey.gainsFromColourTemperature', () => {
  it('reads [red, blue] off the curve with green 1.0', () => {
    const awb = grey();
    expect(awb.gainsFromColourTemperature(2500)!.toArray()).toEqual([2.0, 1.0, 1.5]);
    // lambda 0.2: 2.0 * 0.8 + 1.5 * 0.2 and 1.5 * 0.8 + 2.0 * 0.2 in double.
    expect(awb.gainsFromColourTemperature(3000)!.toArray()).toEqual([1.9000000000000001, 1.0, 1.6000000000000001]);
    // Truncated to 4999 (lambda 0.9996), then as above.
    expect(awb.gainsFromColourTemperature(4999.7)!.toArray()).toEqual([1.5002, 1.0, 1.9998]);
    // Clamped outside the curve.
    expect(awb.gainsFromColourTemperature(10000)!.toArray()).toEqual([1.5, 1.0, 2.0]);
    expect(awb.gainsFromColourTemperature(1000)!.toArray()).toEqual([2.0, 1.0, 1.5]);
  });

  it('without a curve warns at init and returns undefined', () => {
    const seen: string[] = [];
    const awb = new AwbGrey({ warn: (m) => seen.push(m) });
    awb.init({});
    expect(seen[0]).toMatch(/Failed to parse 'colourGains'/);
    expect(awb.gainsFromColourTemperature(4000)).toBeUndefined();
    expect(awb.warnings).toEqual([seen[0], 'No gains defined']);
  });

  it('rejects a malformed curve with the key path', () => {
    const bad = { colourGains: [{ ct: 2500, gains: [2.0, 1.5] }, { ct: 3000, gains: [1, 2, 3] }] };
    const awb = new AwbGrey();
    expect(() => awb.init(bad, 'Awb')).toThrow(TuningError);
    expect(() => awb.init(bad, 'Awb')).toThrow('Awb.colourGains[1].gains: expected 2 numbers, got a list of 3');
    expect(() => awb.init({ colourGains: 'x' }, 'Awb')).toThrow('Awb.colourGains: expected a list');
  });
});

describe('manualAwbFromControls (rkisp1 queueRequest with AWB off)', () => {
  const start = { gains: rgb(1, 1, 1), temperatureK: 5000 };

  it('takes ColourTemperature through the curve, keeping green', () => {
    const list = new ControlList().set(controls.ColourTemperature, 3000);
    const { manual, updated } = manualAwbFromControls(grey(), { gains: rgb(1, 1.25, 1), temperatureK: 5000 }, list);
    expect(updated).toBe(true);
    expect(manual.temperatureK).toBe(3000);
    expect(manual.gains.toArray()).toEqual([1.9000000000000001, 1.25, 1.6000000000000001]);
  });

  it('prefers ColourGains over ColourTemperature', () => {
    const list = new ControlList().set(controls.ColourTemperature, 3000).set(controls.ColourGains, [Math.fround(1.7), Math.fround(2.2)]);
    const { manual } = manualAwbFromControls(grey(), start, list);
    expect(manual.gains.toArray()).toEqual([Math.fround(1.7), 1, Math.fround(2.2)]);
    expect(manual.temperatureK).toBe(5000);
  });

  it('sets the temperature but not the gains without a curve', () => {
    const awb = new AwbGrey();
    awb.init({});
    const { manual, updated } = manualAwbFromControls(awb, start, new ControlList().set(controls.ColourTemperature, 2000));
    expect(updated).toBe(false);
    expect(manual.temperatureK).toBe(2000);
    expect(manual.gains.toArray()).toEqual([1, 1, 1]);
  });

  it('leaves the state alone when neither control is set', () => {
    expect(manualAwbFromControls(grey(), start, new ControlList())).toEqual({ manual: start, updated: false });
  });
});

class ModesAwb extends AwbAlgorithm {
  init(tuningData: TuningValue, path = '', def?: number) {
    this.parseModeConfigs(tuningData, path, def);
  }
  calculateAwb() {
    return { gains: rgb(1, 1, 1), colourTemperature: 0 };
  }
  gainsFromColourTemperature(): RGB | undefined {
    return undefined;
  }
  modeMap() {
    return this.modes;
  }
}

describe('AwbAlgorithm.parseModeConfigs', () => {
  it('reads lo/hi per known mode in file order and skips unknown ones with a warning', () => {
    const awb = new ModesAwb();
    awb.init({ AwbMode: { AwbDaylight: { lo: 5500, hi: 6500 }, Sunset: { lo: 1, hi: 2 }, AwbAuto: { lo: 2500, hi: 8000 } } }, 'Awb', awbModes.AwbAuto);
    expect([...awb.modeMap()]).toEqual([[5, { ctHi: 6500, ctLo: 5500 }], [0, { ctHi: 8000, ctLo: 2500 }]]);
    expect(awb.warnings).toEqual(["Skipping unknown AWB mode 'Sunset'"]);
    const info = awb.controls.get(controls.AwbMode)!;
    expect([info.min.value, info.max.value, info.def.value]).toEqual([5, 0, 0]);
  });

  it('rejects bad mode tuning with the key path', () => {
    const awb = () => new ModesAwb();
    expect(() => awb().init({}, 'Awb')).toThrow('Awb.AwbMode: AwbModes must be a dictionary');
    expect(() => awb().init({ AwbMode: { Foo: {} } }, 'Awb')).toThrow('Awb.AwbMode: No AWB modes configured');
    expect(() => awb().init({ AwbMode: { AwbAuto: { lo: 1 } } }, 'Awb')).toThrow('Awb.AwbMode.AwbAuto.hi: expected a number');
    expect(() => awb().init({ AwbMode: { AwbAuto: 3 } }, 'Awb')).toThrow("Awb.AwbMode.AwbAuto: Invalid AWB mode 'AwbAuto'");
    expect(() => awb().init({ AwbMode: { AwbDaylight: { lo: 1, hi: 2 } } }, 'Awb', awbModes.AwbAuto)).toThrow('Awb.AwbMode: AwbAuto mode is missing in the configuration');
  });
});
