/**
 * Splitting an exposure value (exposure time × gain) into exposure time, analogue gain and
 * digital gain, stage by stage: the port of libcamera's ipa::ExposureModeHelper
 * (src/ipa/libipa/exposure_mode_helper.{h,cpp}, libcamera v0.7.1: `configure` takes the line
 * duration and the sensor helper, `setLimits` the exposure time and gain limits).
 *
 * Durations are nanoseconds as doubles (./duration), as utils::Duration.
 */

import type { CameraSensorHelper } from './camera-sensor-helper';
import type { Duration } from './duration';

/** One stage: raise the exposure time to `exposureTime` first, then the gain to `gain`. */
export interface ExposureStage {
  readonly exposureTime: Duration;
  readonly gain: number;
}

/** splitExposure's result (libcamera's tuple, in the same order). */
export interface SplitExposure {
  /** Exposure time, a whole number of lines. */
  readonly exposureTime: Duration;
  /** Analogue gain the sensor can apply (quantized by the sensor helper when there is one). */
  readonly gain: number;
  /** What quantizing exposure time and gain lost, as a gain (≥ 1 in practice). */
  readonly quantizationGain: number;
  /** The rest of the exposure, for digital gain. */
  readonly digitalGain: number;
}

/** std::clamp(v, lo, hi). */
function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : hi < v ? hi : v;
}

export class ExposureModeHelper {
  private readonly exposureTimes: Duration[];
  private readonly gains: number[];
  private lineDuration: Duration = 1000; // 1us, as the C++ constructor
  private minExposureTime_: Duration = 0;
  private maxExposureTime_: Duration = 0;
  private minGain_ = 0;
  private maxGain_ = 0;
  private sensorHelper: CameraSensorHelper | undefined = undefined;

  constructor(stages: readonly ExposureStage[]) {
    this.exposureTimes = stages.map((s) => s.exposureTime);
    this.gains = stages.map((s) => s.gain);
  }

  /** The sensor's line duration (exposure times are whole lines) and its helper, if any. */
  configure(lineDuration: Duration, sensorHelper?: CameraSensorHelper): void {
    this.lineDuration = lineDuration;
    this.sensorHelper = sensorHelper;
  }

  setLimits(minExposureTime: Duration, maxExposureTime: Duration, minGain: number, maxGain: number): void {
    this.minExposureTime_ = minExposureTime;
    this.maxExposureTime_ = maxExposureTime;
    this.minGain_ = minGain;
    this.maxGain_ = maxGain;
  }

  get minExposureTime(): Duration {
    return this.minExposureTime_;
  }

  get maxExposureTime(): Duration {
    return this.maxExposureTime_;
  }

  get minGain(): number {
    return this.minGain_;
  }

  get maxGain(): number {
    return this.maxGain_;
  }

  /** The stages, as given. */
  get stages(): readonly ExposureStage[] {
    return this.exposureTimes.map((exposureTime, i) => ({ exposureTime, gain: this.gains[i]! }));
  }

  /** Clamped to the limits, then down to whole lines; the loss as a gain (clamped / result). */
  private clampExposureTime(exposureTime: Duration): { value: Duration; quantizationGain: number } {
    const clamped = clamp(exposureTime, this.minExposureTime_, this.maxExposureTime_);
    // static_cast<long>(clamped / lineDuration_) * lineDuration_: truncation to whole lines.
    const exp = Math.trunc(clamped / this.lineDuration) * this.lineDuration;
    return { value: exp, quantizationGain: clamped / exp };
  }

  /** Clamped to the limits, then to a gain the sensor has (when there is a helper). */
  private clampGain(gain: number): { value: number; quantizationGain: number } {
    const clamped = clamp(gain, this.minGain_, this.maxGain_);
    if (this.sensorHelper) {
      const q = this.sensorHelper.quantizeGain(clamped);
      return { value: q.gain, quantizationGain: q.quantizationGain };
    }
    return { value: clamped, quantizationGain: 1.0 };
  }

  private result(exposure: Duration, exposureTime: Duration, gain: number, quantGain: number): SplitExposure {
    // exposure / (exposureTime * gain * quantGain), multiplied left to right as the C++.
    return { exposureTime, gain, quantizationGain: quantGain, digitalGain: exposure / (exposureTime * gain * quantGain) };
  }

  /**
   * Splits `exposure` (a Duration × gain) as libcamera does: for each stage, first the exposure
   * time up to the stage's at the previous stage's gain, then the gain up to the stage's; past
   * the last stage, exposure time to its maximum, then gain; the remainder is digital gain.
   * setLimits must have been called (libcamera asserts maxExposureTime and maxGain are set; a
   * release build does not check, nor does this).
   */
  splitExposure(exposure: Duration): SplitExposure {
    const gainFixed = this.minGain_ === this.maxGain_;
    const exposureTimeFixed = this.minExposureTime_ === this.maxExposureTime_;

    if (exposureTimeFixed && gainFixed) {
      const t = this.clampExposureTime(this.minExposureTime_);
      const g = this.clampGain(this.minGain_);
      return this.result(exposure, t.value, g.value, t.quantizationGain * g.quantizationGain);
    }

    let stageGain = this.clampGain(1.0).value;
    let lastStageGain = stageGain;

    for (let stage = 0; stage < this.gains.length; stage++) {
      const stageTime = this.clampExposureTime(this.exposureTimes[stage]!);
      stageGain = this.clampGain(this.gains[stage]!).value;

      // Exposure time alone, at the previous stage's gain, reaches the exposure.
      if (stageTime.value * lastStageGain >= exposure) {
        const t = this.clampExposureTime(exposure / lastStageGain);
        const g = this.clampGain(exposure / t.value);
        return this.result(exposure, t.value, g.value, t.quantizationGain * g.quantizationGain);
      }

      // The stage's exposure time with gain up to the stage's reaches it.
      if (stageTime.value * stageGain >= exposure) {
        const g = this.clampGain(exposure / stageTime.value);
        return this.result(exposure, stageTime.value, g.value, stageTime.quantizationGain * g.quantizationGain);
      }

      lastStageGain = stageGain;
    }

    // Beyond the stages (or with none, stageGain being the quantized 1.0): exposure time to its
    // maximum, then analogue gain, the rest to digital gain.
    const t = this.clampExposureTime(exposure / stageGain);
    const g = this.clampGain(exposure / t.value);
    return this.result(exposure, t.value, g.value, t.quantizationGain * g.quantizationGain);
  }
}
