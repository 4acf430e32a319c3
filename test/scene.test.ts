import { describe, expect, it } from 'vitest';
import { bayerChannel, GREY_CHART_REFLECTANCES, Scene, type RawSensorFormat } from '../dist/camera/simulated/scene.js';

const format: RawSensorFormat = { width: 120, height: 8, bayerOrder: 'RGGB', bitDepth: 10, blackLevel: 64 };
const daylight = { r: 0.5, g: 1, b: 0.75 };

/** Mean of each colour channel above black, over the whole frame. */
function channelMeans(frame: Uint16Array, f: RawSensorFormat): Record<'r' | 'g' | 'b', number> {
  const sum = { r: 0, g: 0, b: 0 };
  const count = { r: 0, g: 0, b: 0 };
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const c = bayerChannel(f.bayerOrder, x, y);
      sum[c] += frame[y * f.width + x]! - f.blackLevel;
      count[c]++;
    }
  }
  return { r: sum.r / count.r, g: sum.g / count.g, b: sum.b / count.b };
}

describe('Scene', () => {
  it('lays the colour filters out in each Bayer order', () => {
    expect([0, 1, 2, 3].map((i) => bayerChannel('RGGB', i & 1, i >> 1))).toEqual(['r', 'g', 'g', 'b']);
    expect([0, 1, 2, 3].map((i) => bayerChannel('GRBG', i & 1, i >> 1))).toEqual(['g', 'r', 'b', 'g']);
    expect([0, 1, 2, 3].map((i) => bayerChannel('GBRG', i & 1, i >> 1))).toEqual(['g', 'b', 'r', 'g']);
    expect([0, 1, 2, 3].map((i) => bayerChannel('BGGR', i & 1, i >> 1))).toEqual(['b', 'g', 'g', 'r']);
  });

  it('records exactly what the model says, and the same frame every time', () => {
    const scene = new Scene({ brightness: 50, illuminant: daylight, reflectance: () => 0.5 });
    const frame = scene.render(format, { exposureTimeUs: 10_000, analogueGain: 2 });
    // green: 50 × 0.5 × 1 × 0.01 s × 2 = 0.5 of 1023 → 512 above black
    expect(frame[1]).toBe(64 + 512);
    expect(frame[0]).toBe(64 + Math.round(0.25 * 1023));
    expect(frame[format.width + 1]).toBe(64 + Math.round(0.375 * 1023));
    expect(scene.render(format, { exposureTimeUs: 10_000, analogueGain: 2 })).toEqual(frame);
  });

  it('doubles the signal above black when the exposure or the gain doubles, below saturation', () => {
    const scene = new Scene({ brightness: 20, illuminant: daylight });
    const short = channelMeans(scene.render(format, { exposureTimeUs: 5_000, analogueGain: 1 }), format);
    const long = channelMeans(scene.render(format, { exposureTimeUs: 10_000, analogueGain: 1 }), format);
    const gained = channelMeans(scene.render(format, { exposureTimeUs: 5_000, analogueGain: 2 }), format);
    for (const c of ['r', 'g', 'b'] as const) {
      // Each pixel rounds once, so the doubled mean is within a value of twice the mean.
      expect(Math.abs(long[c] - 2 * short[c])).toBeLessThanOrEqual(1);
      expect(gained[c]).toBeCloseTo(long[c], 6);
    }
  });

  it('shows the illuminant in the channel means of a neutral scene', () => {
    const scene = new Scene({ brightness: 20, illuminant: { r: 0.4, g: 1, b: 0.8 } });
    const means = channelMeans(scene.render(format, { exposureTimeUs: 10_000, analogueGain: 1 }), format);
    expect(means.r / means.g).toBeCloseTo(0.4, 2);
    expect(means.b / means.g).toBeCloseTo(0.8, 2);
    // The chart's mean reflectance, times 0.2 of full scale in green.
    const meanReflectance = GREY_CHART_REFLECTANCES.reduce((a, r) => a + r, 0) / GREY_CHART_REFLECTANCES.length;
    expect(means.g).toBeCloseTo(meanReflectance * 0.2 * 1023, 0);
  });

  it('clips at the bit depth, black level included, and gives black in the dark', () => {
    const scene = new Scene({ brightness: 1000, illuminant: daylight });
    const bright = scene.render({ ...format, bitDepth: 8, blackLevel: 16 }, { exposureTimeUs: 100_000, analogueGain: 8 });
    expect(Math.max(...bright)).toBe(255);
    expect(bright.every((v) => v === 255)).toBe(true);
    const dark = new Scene({ brightness: 0, illuminant: daylight }).render(format, { exposureTimeUs: 33_000, analogueGain: 16 });
    expect(dark.every((v) => v === 64)).toBe(true);
  });

  it('gives the histogram one peak a chart stripe', () => {
    const scene = new Scene({ brightness: 50, illuminant: { r: 1, g: 1, b: 1 } });
    const frame = scene.render(format, { exposureTimeUs: 10_000, analogueGain: 1 });
    const values = new Set(frame);
    expect([...values].sort((a, b) => b - a)).toEqual(GREY_CHART_REFLECTANCES.map((r) => 64 + Math.round(r * 0.5 * 1023)));
  });

  it('refuses what no sensor or scene has', () => {
    expect(() => new Scene({ brightness: -1, illuminant: daylight })).toThrow(RangeError);
    expect(() => new Scene({ brightness: 1, illuminant: { r: Number.NaN, g: 1, b: 1 } })).toThrow(RangeError);
    const scene = new Scene({ brightness: 1, illuminant: daylight });
    expect(() => scene.render({ ...format, bitDepth: 17 }, { exposureTimeUs: 1, analogueGain: 1 })).toThrow(RangeError);
    expect(() => scene.render({ ...format, blackLevel: 1023 }, { exposureTimeUs: 1, analogueGain: 1 })).toThrow(RangeError);
  });
});
