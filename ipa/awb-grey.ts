/**
 * Grey-world AWB, libcamera's AwbGrey (src/ipa/libipa/awb_grey.cpp): red and blue gains that
 * make the mean colour grey, the colour temperature estimated from the means, and, when the
 * tuning gives a `colourGains` curve, gains for a given colour temperature (manual mode).
 */
import { AwbAlgorithm, type AwbResult, type AwbStats } from './awb';
import { estimateCCT } from './colours';
import { Interpolator, vectorReader } from './interpolator';
import { type TuningValue, isDict, keyPath } from './tuning';
import { type RGB, type Vector, cppMax, rgb } from './vector';

export class AwbGrey extends AwbAlgorithm {
  #colourGainCurve: Interpolator<Vector> | undefined;

  /**
   * Reads `colourGains`: a list of `{ ct, gains: [red, blue] }`. Without it libcamera warns and
   * carries on (manual colour temperature then does nothing); so do we. A `colourGains` that is
   * present but malformed is a TuningError here, where libcamera warns the same way: a tuning
   * file with a broken curve is a mistake better reported than ignored.
   */
  init(tuningData: TuningValue, path = ''): void {
    const curve = isDict(tuningData) ? tuningData['colourGains'] : undefined;
    this.#colourGainCurve = undefined;
    if (curve === undefined || curve === null) {
      this.warn("Failed to parse 'colourGains' parameter from tuning file; manual colour temperature will not work properly");
      return;
    }
    this.#colourGainCurve = Interpolator.vectors().readTuning(curve, 'ct', 'gains', vectorReader(2), keyPath(path, 'colourGains'));
  }

  /**
   * Gains G/R and G/B from the means, each divisor raised to at least 1.0 (std::max, so a NaN
   * mean gives a NaN gain as in C++), green 1.0; the colour temperature from estimateCCT.
   * `lux` is not used.
   */
  calculateAwb(stats: AwbStats, _lux: number): AwbResult {
    const means = stats.rgbMeans();
    const colourTemperature = estimateCCT(means);
    const gains = rgb(means.g / cppMax(means.r, 1.0), 1.0, means.g / cppMax(means.b, 1.0));
    return { gains, colourTemperature };
  }

  /**
   * [red, 1.0, blue] from the colourGains curve at `colourTemperature` (truncated to an
   * unsigned integer, as the C++ call converts it), or undefined (libcamera logs "No gains
   * defined") without a curve.
   */
  gainsFromColourTemperature(colourTemperature: number): RGB | undefined {
    if (!this.#colourGainCurve) {
      this.warn('No gains defined');
      return undefined;
    }
    const gains = this.#colourGainCurve.getInterpolated(colourTemperature);
    return rgb(gains.at(0), 1.0, gains.at(1));
  }
}
