/**
 * The scene a simulated raw sensor looks at, and what the sensor records of it: a neutral chart
 * under a known illuminant and brightness, so that a platform's statistics simulator can compute
 * AE means, histograms and AWB means from real-looking Bayer data, and an AGC/AWB loop driving
 * the simulated sensor converges to a value a test can predict (the illuminant's ratios, the
 * exposure that puts the chart's mean where the AGC aims).
 *
 * The model is linear and noiseless, so it is deterministic: a pixel records
 *
 *   black + round(brightness × reflectance × illuminant[channel] × exposure (s) × gain × full scale)
 *
 * clipped at the bit depth's maximum, where full scale is that maximum. Doubling the exposure or
 * the gain doubles what lies above black until the pixel clips, as on a real sensor.
 */

/** Red, green and blue multipliers of a neutral grey under the illuminant (a grey world AWB's gains are their inverse). */
export interface Illuminant {
  r: number;
  g: number;
  b: number;
}

export type ColourChannel = keyof Illuminant;

/** The colour filter order of the top-left 2x2, as libcamera's `BayerFormat::Order` names them. */
export type BayerOrder = 'RGGB' | 'GRBG' | 'GBRG' | 'BGGR';

export interface RawSensorFormat {
  width: number;
  height: number;
  bayerOrder: BayerOrder;
  /** Bits a pixel: values run 0..2^bitDepth − 1. */
  bitDepth: number;
  /** The value a pixel records in the dark, at the bit depth. */
  blackLevel: number;
}

export interface SensorExposure {
  exposureTimeUs: number;
  analogueGain: number;
}

export interface SceneOptions {
  /**
   * The scene luminance: the fraction of full scale a white surface (reflectance 1) records per
   * second of exposure at unit gain under a unit illuminant channel. 50 fills half the range of a
   * white pixel at 10 ms.
   */
  brightness: number;
  illuminant: Illuminant;
  /**
   * The surface's reflectance (0..1) at a normalised position (0 ≤ u, v < 1); neutral, so the
   * illuminant alone sets the colour. By default `greyChart`.
   */
  reflectance?: (u: number, v: number) => number;
}

/** The reflectances of a ColorChecker's neutral row, white to black. */
export const GREY_CHART_REFLECTANCES = [0.9, 0.59, 0.36, 0.19, 0.09, 0.03] as const;

/**
 * Six vertical stripes of the neutral row: the histogram gets six peaks far apart, and the mean
 * reflectance (about 0.36) is a grey an AGC can aim at.
 */
export function greyChart(u: number): number {
  const stripe = Math.min(GREY_CHART_REFLECTANCES.length - 1, Math.floor(u * GREY_CHART_REFLECTANCES.length));
  return GREY_CHART_REFLECTANCES[stripe]!;
}

/** Which colour filter covers pixel (x, y) for this order. */
export function bayerChannel(order: BayerOrder, x: number, y: number): ColourChannel {
  const letter = order[(y & 1) * 2 + (x & 1)]!;
  return letter === 'R' ? 'r' : letter === 'G' ? 'g' : 'b';
}

export class Scene {
  readonly brightness: number;
  readonly illuminant: Readonly<Illuminant>;
  private readonly reflectance: (u: number, v: number) => number;

  constructor(options: SceneOptions) {
    const { brightness, illuminant } = options;
    if (!(brightness >= 0)) throw new RangeError(`a scene's brightness is not negative: ${brightness}`);
    for (const c of ['r', 'g', 'b'] as const) {
      if (!(illuminant[c] >= 0)) throw new RangeError(`the illuminant's ${c} multiplier is not negative: ${illuminant[c]}`);
    }
    this.brightness = brightness;
    this.illuminant = { ...illuminant };
    this.reflectance = options.reflectance ?? greyChart;
  }

  /** The light a channel gathers at (u, v), as a fraction of full scale, before black, rounding and clipping. */
  signal(channel: ColourChannel, u: number, v: number, exposure: SensorExposure): number {
    const seconds = exposure.exposureTimeUs / 1e6;
    return this.brightness * this.reflectance(u, v) * this.illuminant[channel] * seconds * exposure.analogueGain;
  }

  /**
   * The raw Bayer frame the sensor records, row by row, a pixel a value (the low bits of a
   * 16-bit word, as V4L2's unpacked raw formats hold them).
   */
  render(format: RawSensorFormat, exposure: SensorExposure): Uint16Array {
    const { width, height, bayerOrder, bitDepth, blackLevel } = format;
    if (!(Number.isInteger(bitDepth) && bitDepth >= 1 && bitDepth <= 16)) throw new RangeError(`a raw pixel has 1 to 16 bits, not ${bitDepth}`);
    const maximum = 2 ** bitDepth - 1;
    if (!(blackLevel >= 0 && blackLevel < maximum)) throw new RangeError(`the black level ${blackLevel} is outside 0..${maximum}`);
    const frame = new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      // Pixel centres, so that a stripe boundary falls where the chart puts it at any size.
      const v = (y + 0.5) / height;
      for (let x = 0; x < width; x++) {
        const light = this.signal(bayerChannel(bayerOrder, x, y), (x + 0.5) / width, v, exposure);
        frame[y * width + x] = Math.min(maximum, blackLevel + Math.round(light * maximum));
      }
    }
    return frame;
  }
}
