/**
 * The mean-luminance AGC that IPAs build on: the port of libcamera's ipa::AgcMeanLuminance
 * (src/ipa/libipa/agc_mean_luminance.{h,cpp}, libcamera v0.7.1, with the lux-dependent
 * relative luminance target).
 *
 * A platform subclasses it and implements `estimateLuminance(gain)`: the relative luminance
 * (0 to 1) its statistics would show with `gain` more exposure. Durations are nanoseconds as
 * doubles (./duration), as utils::Duration.
 */

import type { CameraSensorHelper } from './camera-sensor-helper';
import { milliseconds, microseconds, type Duration } from './duration';
import { ExposureModeHelper, type ExposureStage, type SplitExposure } from './exposure-mode-helper';
import type { Histogram } from './histogram';
import { Pwl } from './pwl';
import { TuningError, isDict, keyPath, tuningMember, tuningNumber, tuningUint32 } from './tuning';

/** controls::AeConstraintMode values, by their names in tuning files. */
export const AeConstraintModes: Readonly<Record<string, number>> = {
  ConstraintNormal: 0,
  ConstraintHighlight: 1,
  ConstraintShadows: 2,
  ConstraintCustom: 3,
};

/** controls::AeExposureMode values, by their names in tuning files. */
export const AeExposureModes: Readonly<Record<string, number>> = {
  ExposureNormal: 0,
  ExposureShort: 1,
  ExposureLong: 2,
  ExposureCustom: 3,
};

/** A constraint: the mean of the histogram between quantiles qLo and qHi against yTarget(lux). */
export interface AgcConstraint {
  /** 'lower': the mean must reach the target (the gain only goes up); 'upper': not exceed it. */
  readonly bound: 'lower' | 'upper';
  readonly qLo: number;
  readonly qHi: number;
  readonly yTarget: Pwl;
}

/** What libcamera puts in its ControlInfo for a list of values: min first, max last, def first. */
export interface AgcModeControl {
  readonly values: readonly number[];
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly def: number | undefined;
}

/** Frames during which the filter adapts at once. */
export const kNumStartupFrames = 10;
/** Relative luminance target without tuning. */
export const kDefaultRelativeLuminanceTarget = 0.16;
/** Highest target after exposure compensation. */
export const kMaxRelativeLuminanceTarget = 0.95;
/** Lux assumed when the target depends on lux and none was set. */
export const kDefaultLuxLevel = 500;

function modeControl(values: number[]): AgcModeControl {
  return { values, min: values[0], max: values[values.length - 1], def: values[0] };
}

function sortedByKey<V>(map: Map<number, V>): Map<number, V> {
  return new Map([...map.entries()].sort((a, b) => a[0] - b[0]));
}

export abstract class AgcMeanLuminance {
  private filteredExposure: Duration = 0;
  private luxWarningEnabled = true;
  private exposureCompensation = 1.0;
  private relativeLuminanceTarget = new Pwl();
  private frameCount = 0;
  private lux = 0;
  private additionalConstraints: AgcConstraint[] = [];
  // std::map in the C++: kept here in insertion order, handed out sorted by key.
  private readonly constraintModes_ = new Map<number, AgcConstraint[]>();
  private readonly exposureModeHelpers_ = new Map<number, ExposureModeHelper>();
  private controls_: { AeConstraintMode?: AgcModeControl; AeExposureMode?: AgcModeControl } = {};

  /**
   * The platform's luminance estimate: the relative luminance (0 to 1) the frame would have
   * with `gain` times its exposure.
   */
  protected abstract estimateLuminance(gain: number): number;

  /**
   * Reads the algorithm's tuning data (the value under its name, e.g. `Agc`, possibly null):
   * `relativeLuminanceTarget` (a Pwl of lux, default 0.16), `AeConstraintMode` (default:
   * ConstraintNormal, the top 2% at least 0.5) and `AeExposureMode` (default: ExposureNormal
   * with no stages). Throws a TuningError naming the key of what libcamera would reject (it
   * returns -EINVAL), and, a departure, of a qLo or qHi present but not a number (libcamera
   * takes its default then). `path` prefixes the key paths.
   */
  parseTuningData(tuningData: unknown, path = 'AgcMeanLuminance'): void {
    this.parseRelativeLuminanceTarget(tuningData, path);
    this.parseConstraintModes(tuningData, path);
    this.parseExposureModes(tuningData, path);
  }

  private parseRelativeLuminanceTarget(tuningData: unknown, path: string): void {
    const target = tuningMember(tuningData, 'relativeLuminanceTarget');
    if (target === undefined) {
      this.relativeLuminanceTarget = new Pwl([{ x: 0.0, y: kDefaultRelativeLuminanceTarget }]);
      return;
    }
    this.relativeLuminanceTarget = Pwl.fromTuning(target, keyPath(path, 'relativeLuminanceTarget'));
  }

  private parseConstraint(modeDict: Record<string, unknown>, id: number, path: string): void {
    for (const [boundName, content] of Object.entries(modeDict)) {
      // Bounds other than "upper" and "lower" are skipped (libcamera warns).
      if (boundName !== 'upper' && boundName !== 'lower') continue;
      const here = keyPath(path, boundName);
      const qLo = optionalNumber(content, 'qLo', 0.98, here);
      const qHi = optionalNumber(content, 'qHi', 1.0, here);
      const yTargetValue = tuningMember(content, 'yTarget');
      if (yTargetValue === undefined) throw new TuningError(keyPath(here, 'yTarget'), 'missing');
      const yTarget = Pwl.fromTuning(yTargetValue, keyPath(here, 'yTarget'));
      const constraint: AgcConstraint = { bound: boundName, qLo, qHi, yTarget };

      let list = this.constraintModes_.get(id);
      if (!list) this.constraintModes_.set(id, (list = []));
      // Upper bounds go last, lower bounds first.
      if (boundName === 'upper') list.push(constraint);
      else list.unshift(constraint);
    }
  }

  private parseConstraintModes(tuningData: unknown, path: string): void {
    const available: number[] = [];
    const here = keyPath(path, 'AeConstraintMode');
    const modes = tuningMember(tuningData, 'AeConstraintMode');
    if (isDict(modes)) {
      for (const [modeName, modeDict] of Object.entries(modes)) {
        const id = AeConstraintModes[modeName];
        // Unknown modes are skipped (libcamera warns).
        if (id === undefined || !Object.prototype.hasOwnProperty.call(AeConstraintModes, modeName)) continue;
        if (!isDict(modeDict)) throw new TuningError(keyPath(here, modeName), 'expected a mapping of bounds (lower, upper)');
        this.parseConstraint(modeDict, id, keyPath(here, modeName));
        available.push(id);
      }
    }

    // Without constraints, the one the IPU3 and RkISP1 AGCs always had: top 2% at least 0.5.
    if (this.constraintModes_.size === 0) {
      const normal = AeConstraintModes.ConstraintNormal!;
      this.constraintModes_.set(normal, [{ bound: 'lower', qLo: 0.98, qHi: 1.0, yTarget: new Pwl([{ x: 0.0, y: 0.5 }]) }]);
      available.push(normal);
    }
    this.controls_.AeConstraintMode = modeControl(available);
  }

  private parseExposureModes(tuningData: unknown, path: string): void {
    const available: number[] = [];
    const here = keyPath(path, 'AeExposureMode');
    const modes = tuningMember(tuningData, 'AeExposureMode');
    if (isDict(modes)) {
      for (const [modeName, modeValues] of Object.entries(modes)) {
        const id = AeExposureModes[modeName];
        if (id === undefined || !Object.prototype.hasOwnProperty.call(AeExposureModes, modeName)) continue;
        const modePath = keyPath(here, modeName);
        if (!isDict(modeValues)) throw new TuningError(modePath, 'expected a mapping with exposureTime and gain');

        // get<std::vector<...>>().value_or({}): a missing or malformed list reads as empty.
        const exposureTimes = readList(modeValues.exposureTime, tuningUint32);
        const gains = readList(modeValues.gain, tuningNumber);
        if (exposureTimes.length !== gains.length)
          throw new TuningError(
            modePath,
            `exposureTime and gain must be lists of the same length (exposureTime: ${describeList(modeValues.exposureTime, exposureTimes, 'whole microseconds')}, gain: ${describeList(modeValues.gain, gains, 'numbers')})`,
          );
        if (exposureTimes.length === 0)
          throw new TuningError(modePath, 'exposureTime and gain are empty or missing (exposureTime: whole microseconds, gain: numbers)');

        const stages: ExposureStage[] = exposureTimes.map((us, i) => ({ exposureTime: microseconds(us), gain: gains[i]! }));
        this.exposureModeHelpers_.set(id, new ExposureModeHelper(stages));
        available.push(id);
      }
    }

    // No exposure modes: ExposureNormal without stages (exposure time to its maximum first).
    if (available.length === 0) {
      const normal = AeExposureModes.ExposureNormal!;
      this.exposureModeHelpers_.set(normal, new ExposureModeHelper([]));
      available.push(normal);
    }
    this.controls_.AeExposureMode = modeControl(available);
  }

  /** Line duration and sensor helper for every exposure mode's helper. */
  configure(lineDuration: Duration, sensorHelper?: CameraSensorHelper): void {
    for (const helper of this.exposureModeHelpers_.values()) helper.configure(lineDuration, sensorHelper);
    this.luxWarningEnabled = true;
  }

  /** Exposure compensation as a gain on the target (2^EV). */
  setExposureCompensation(gain: number): void {
    this.exposureCompensation = gain;
  }

  /** The scene's lux (an unsigned int in the C++); 0 is "unknown". */
  setLux(lux: number): void {
    this.lux = lux >>> 0;
  }

  /** Limits for every exposure mode's helper, and constraints applied after the mode's own. */
  setLimits(minExposureTime: Duration, maxExposureTime: Duration, minGain: number, maxGain: number, constraints: readonly AgcConstraint[] = []): void {
    for (const helper of this.exposureModeHelpers_.values()) helper.setLimits(minExposureTime, maxExposureTime, minGain, maxGain);
    this.additionalConstraints = [...constraints];
  }

  /** Constraint modes by id, in id order (a std::map in the C++). */
  constraintModes(): ReadonlyMap<number, readonly AgcConstraint[]> {
    return sortedByKey(this.constraintModes_);
  }

  /** Exposure mode helpers by id, in id order: the first is the smallest id. */
  exposureModeHelpers(): ReadonlyMap<number, ExposureModeHelper> {
    return sortedByKey(this.exposureModeHelpers_);
  }

  /** The AeConstraintMode and AeExposureMode controls the tuning allows. */
  controls(): { readonly AeConstraintMode?: AgcModeControl; readonly AeExposureMode?: AgcModeControl } {
    return { ...this.controls_ };
  }

  resetFrameCount(): void {
    this.frameCount = 0;
  }

  /** The lux the targets are read at: the set lux, or 500 when the target varies and none is set. */
  private targetLux(): number {
    if (this.relativeLuminanceTarget.size > 1 && this.lux === 0) return kDefaultLuxLevel;
    return this.lux;
  }

  /** The relative luminance target at the current lux, times exposure compensation, at most 0.95. */
  effectiveYTarget(): number {
    const lux = this.targetLux();
    if (lux !== this.lux && this.frameCount > 10 && this.luxWarningEnabled) {
      // libcamera logs a warning once here: no lux yet, 500 assumed.
      this.luxWarningEnabled = false;
    }
    const t = this.relativeLuminanceTarget;
    const luminanceTarget = t.eval(t.domain().clamp(lux));
    // std::min(a, b): b < a ? b : a.
    const target = luminanceTarget * this.exposureCompensation;
    return kMaxRelativeLuminanceTarget < target ? kMaxRelativeLuminanceTarget : target;
  }

  /** Gain for the target, iterated (up to 8 times, 10x at most a step) through estimateLuminance. */
  protected estimateInitialGain(): number {
    const yTarget = this.effectiveYTarget();
    let yGain = 1.0;
    for (let i = 0; i < 8; i++) {
      const yValue = this.estimateLuminance(yGain);
      // std::min(10.0, r) is (r < 10.0 ? r : 10.0): a NaN estimate gives 10, not NaN.
      const r = yTarget / (yValue + 0.001);
      const extraGain = r < 10.0 ? r : 10.0;
      yGain *= extraGain;
      // utils::abs_diff(extra_gain, 1.0) < 0.01
      if (Math.abs(extraGain - 1.0) < 0.01) break;
    }
    return yGain;
  }

  /** The gain after the mode's constraints, then the additional ones, each in order. */
  protected constraintClampGain(constraintModeIndex: number, hist: Histogram, gain: number): number {
    const apply = (constraint: AgcConstraint): void => {
      const lux = this.targetLux();
      const target = constraint.yTarget.eval(constraint.yTarget.domain().clamp(lux));
      const newGain = (target * hist.bins) / hist.interQuantileMean(constraint.qLo, constraint.qHi);
      if (constraint.bound === 'lower' && newGain > gain) gain = newGain;
      if (constraint.bound === 'upper' && newGain < gain) gain = newGain;
    };

    // constraintModes_[index]: a mode without constraints (or unknown) is an empty list.
    let constraints = this.constraintModes_.get(constraintModeIndex);
    if (!constraints) this.constraintModes_.set(constraintModeIndex, (constraints = []));
    constraints.forEach(apply);
    this.additionalConstraints.forEach(apply);
    return gain;
  }

  /** Smooths the exposure value: at once while starting, else 0.2 (√ of it when within ±20%). */
  protected filterExposure(exposureValue: Duration): Duration {
    let speed = 0.2;
    if (this.frameCount < kNumStartupFrames) speed = 1.0;
    if (this.filteredExposure < 1.2 * exposureValue && this.filteredExposure > 0.8 * exposureValue) speed = Math.sqrt(speed);
    this.filteredExposure = speed * exposureValue + this.filteredExposure * (1.0 - speed);
    return this.filteredExposure;
  }

  /**
   * The next exposure, split by the exposure mode's helper, from the histogram and the exposure
   * value (exposure time × gain) the statistics were taken with. A zero exposure value gives the
   * split of 10 ms, as libcamera (which logs an error).
   */
  calculateNewEv(constraintModeIndex: number, exposureModeIndex: number, yHist: Histogram, effectiveExposureValue: Duration): SplitExposure {
    const helper = this.exposureModeHelpers_.get(exposureModeIndex);
    // exposureModeHelpers_.at(): std::out_of_range for a mode the tuning does not have.
    if (!helper) throw new RangeError(`AgcMeanLuminance: no exposure mode ${exposureModeIndex}`);

    if (effectiveExposureValue === 0) return helper.splitExposure(milliseconds(10));

    let gain = this.estimateInitialGain();
    gain = this.constraintClampGain(constraintModeIndex, yHist, gain);

    let newExposureValue = effectiveExposureValue * gain;
    newExposureValue = this.filterExposure(newExposureValue);

    this.frameCount++;
    return helper.splitExposure(newExposureValue);
  }
}

/** A qLo or qHi: absent → default (as libcamera); present and not a number → TuningError. */
function optionalNumber(content: unknown, key: string, def: number, path: string): number {
  const value = tuningMember(content, key);
  if (value === undefined) return def;
  const n = tuningNumber(value);
  if (n === undefined) throw new TuningError(keyPath(path, key), 'expected a number');
  return n;
}

/** get<std::vector<T>>(): every element read, or nothing (empty) when one fails or it is no list. */
function readList(value: unknown, read: (v: unknown) => number | undefined): number[] {
  if (!Array.isArray(value)) return [];
  const out: number[] = [];
  for (const v of value) {
    const n = read(v);
    if (n === undefined) return [];
    out.push(n);
  }
  return out;
}

function describeList(raw: unknown, read: readonly number[], kind: string): string {
  if (raw === undefined) return 'missing';
  if (!Array.isArray(raw)) return `not a list of ${kind}`;
  if (read.length === 0 && raw.length > 0) return `not all ${kind}`;
  return `${read.length} entries`;
}
