/**
 * The AWB algorithm interface of libcamera's libipa (src/ipa/libipa/awb.h, awb.cpp): what an
 * AWB algorithm computes (AwbResult), what it needs from the statistics (AwbStats), and the
 * AwbAlgorithm base with the AwbMode tuning parser (parseModeConfigs).
 */
import { ControlInfo, type ControlId, type ControlList } from '../runtime/controls/control-list';
import { ControlValue } from '../runtime/controls/control-value';
import { controls as controlIds } from '../runtime/controls/ids';
import { TuningError, type TuningValue, kindOf, isDict, keyPath, readNumber } from './tuning';
import type { RGB } from './vector';

export interface AwbResult {
  /** Colour gains, green 1.0 for the algorithms libipa has. */
  gains: RGB;
  /** Estimated colour temperature in kelvin (an integer where it comes from estimateCCT). */
  colourTemperature: number;
}

/** What an AWB algorithm reads from the platform's statistics. */
export interface AwbStats {
  /** The non-greyness the gains would leave (used by the Bayesian AWB). */
  computeColourError(gains: RGB): number;
  /** The mean R, G, B of the measured area, before colour gains. */
  rgbMeans(): RGB;
}

/** The colour-temperature search range of one AwbMode. */
export interface AwbModeConfig {
  ctHi: number;
  ctLo: number;
}

/** Where an AwbAlgorithm reports what libcamera logs as warnings (LOG(Awb, Warning / Error)). */
export interface AwbOptions {
  warn?: (message: string) => void;
}

/** libcamera's AwbModeEnum values by name (AwbAuto = 0 … AwbCustom = 7). */
export const awbModes: Readonly<Record<string, number>> = controlIds.AwbMode.options.enumerators ?? {};

export abstract class AwbAlgorithm {
  /** The controls this algorithm adds to the IPA's (libcamera's controls()). */
  readonly controls = new Map<ControlId, ControlInfo>();
  /** The AwbMode ranges read by parseModeConfigs, by AwbModeEnum value, in tuning-file order. */
  protected readonly modes = new Map<number, AwbModeConfig>();
  /** Every warning reported, oldest first. */
  readonly warnings: string[] = [];
  readonly #warn: ((message: string) => void) | undefined;

  constructor(options: AwbOptions = {}) {
    this.#warn = options.warn;
  }

  /**
   * Reads the algorithm's tuning data. `path` is where that data sits in the tuning file, for
   * error messages. Throws a TuningError on data it cannot use.
   */
  abstract init(tuningData: TuningValue, path?: string): void;

  /** The gains and colour temperature for one frame's statistics; `lux` as estimated by the IPA. */
  abstract calculateAwb(stats: AwbStats, lux: number): AwbResult;

  /** The gains for a colour temperature, or undefined when the tuning gives no way to tell. */
  abstract gainsFromColourTemperature(colourTemperature: number): RGB | undefined;

  /** Reads the algorithm's own controls from a request; none by default, as libcamera's. */
  handleControls(_controls: ControlList): void {}

  protected warn(message: string): void {
    this.warnings.push(message);
    this.#warn?.(message);
  }

  /**
   * libcamera's parseModeConfigs: `AwbMode` is a dictionary of mode names (AwbAuto, AwbDaylight,
   * …), each a dictionary with numbers `lo` and `hi`. Unknown names are skipped with a warning.
   * Fills `modes` and adds an AwbMode ControlInfo spanning the modes read, in file order, with
   * `def` as default (the first mode read when none is given, as libcamera's ControlInfo).
   *
   * Where libcamera logs an error and returns -EINVAL this throws a TuningError naming the key.
   * Our runtime's ControlInfo has min, max and default but no list of values: the modes are in
   * `modes`.
   */
  protected parseModeConfigs(tuningData: TuningValue, path = '', def?: number): void {
    const at = keyPath(path, 'AwbMode');
    const yamlModes = isDict(tuningData) ? tuningData['AwbMode'] : undefined;
    if (!isDict(yamlModes)) throw new TuningError(at, `AwbModes must be a dictionary, got ${kindOf(yamlModes)}`);
    const available: number[] = [];
    for (const [name, modeDict] of Object.entries(yamlModes)) {
      const value = awbModes[name];
      if (value === undefined) {
        this.warn(`Skipping unknown AWB mode '${name}'`);
        continue;
      }
      const modePath = keyPath(at, name);
      if (!isDict(modeDict)) throw new TuningError(modePath, `Invalid AWB mode '${name}': expected a dictionary, got ${kindOf(modeDict)}`);
      const ctHi = readNumber(modeDict['hi'], keyPath(modePath, 'hi'));
      const ctLo = readNumber(modeDict['lo'], keyPath(modePath, 'lo'));
      this.modes.set(value, { ctHi, ctLo });
      available.push(value);
    }
    if (this.modes.size === 0) throw new TuningError(at, 'No AWB modes configured');
    if (def !== undefined && !this.modes.has(def)) {
      const name = Object.entries(awbModes).find(([, v]) => v === def)?.[0] ?? String(def);
      throw new TuningError(at, `${name} mode is missing in the configuration`);
    }
    const first = available[0] as number;
    const last = available[available.length - 1] as number;
    this.controls.set(controlIds.AwbMode, new ControlInfo(ControlValue.i32(first), ControlValue.i32(last), ControlValue.i32(def ?? first)));
  }
}

/** The manual AWB state an IPA keeps (rkisp1's activeState.awb.manual). */
export interface ManualAwb {
  gains: RGB;
  temperatureK: number;
}

/**
 * What a request's controls do to the manual AWB state when AWB is off, as rkisp1's
 * Awb::queueRequest in libcamera v0.7.1 does it (libipa's AwbGrey itself handles no controls):
 * ColourGains wins and sets the red and blue gains from its two floats; otherwise
 * ColourTemperature sets temperatureK as given (no clamping to the control's range) and, if the
 * algorithm can map it to gains, sets red and blue from them. Green is left as it is. Returns the
 * new state and whether the gains changed.
 */
export function manualAwbFromControls(algo: AwbAlgorithm, manual: ManualAwb, requestControls: ControlList): { manual: ManualAwb; updated: boolean } {
  const colourGains = requestControls.get(controlIds.ColourGains);
  const colourTemperature = requestControls.get(controlIds.ColourTemperature);
  if (colourGains) {
    const gains = manual.gains.with(0, colourGains[0] as number).with(2, colourGains[1] as number);
    return { manual: { gains, temperatureK: manual.temperatureK }, updated: true };
  }
  if (colourTemperature !== undefined) {
    const fromCt = algo.gainsFromColourTemperature(colourTemperature);
    if (!fromCt) return { manual: { gains: manual.gains, temperatureK: colourTemperature }, updated: false };
    return { manual: { gains: manual.gains.with(0, fromCt.r).with(2, fromCt.b), temperatureK: colourTemperature }, updated: true };
  }
  return { manual, updated: false };
}
