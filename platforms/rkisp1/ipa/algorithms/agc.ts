/**
 * rkisp1's Agc (src/ipa/rkisp1/algorithms/agc.cpp of libcamera v0.7.1): the mean-luminance AGC
 * of ts-ipa/ipa, fed the ISP's AE cell means and histogram. libcamera's class derives from both
 * Algorithm and AgcMeanLuminance; here the AgcMeanLuminance is a member.
 */
import { ControlInfo, type ControlList, ControlValue, controls } from '../../../../runtime';
import { AgcMeanLuminance } from '../../../../ipa/agc-mean-luminance';
import { cppMax, toUint32 } from '../../../../ipa/cpp';
import { type Duration, LongDouble, microseconds, milliseconds, toMicroseconds } from '../../../../ipa/duration';
import { Histogram } from '../../../../ipa/histogram';
import { isDict, type TuningValue } from '../../../../ipa/tuning';
import { BlockType, ExpCtrlAutostop, ExpMeasMode, HistogramMode, Stat } from '../../uapi/constants.js';
import type { IspStats } from '../../uapi/stats.js';
import type { IPAContext, IPAFrameContext } from '../context';
import type { RkISP1Params } from '../params';
import { Algorithm } from './algorithm';

const meteringModeValues: Readonly<Record<string, number>> = controls.AeMeteringMode.options.enumerators ?? {};
const MeteringMatrix = 2;
const ExposureTimeModeAuto = 0;
const ExposureTimeModeManual = 1;
const AnalogueGainModeAuto = 0;
const AnalogueGainModeManual = 1;

/** std::clamp(v, lo, hi). */
function clamp<T extends number | bigint>(v: T, lo: T, hi: T): T {
  return v < lo ? lo : hi < v ? hi : v;
}

/** rkisp1's estimateLuminance: the weighted mean of the AE cells, each saturated at 255. */
class MeanLuminance extends AgcMeanLuminance {
  expMeans: readonly number[] = [];
  weights: readonly number[] = [];
  protected override estimateLuminance(gain: number): number {
    let ySum = 0.0;
    let wSum = 0.0;
    for (let i = 0; i < this.expMeans.length; i++) {
      const w = this.weights[i]!;
      ySum += Math.min(this.expMeans[i]! * gain, 255.0) * w;
      wSum += w;
    }
    return ySum / wSum / 255;
  }
}

export class Agc extends Algorithm {
  private readonly agc = new MeanLuminance();
  /** std::map<int32_t, std::vector<uint8_t>>: kept sorted by key. */
  private meteringModes = new Map<number, number[]>();
  readonly warnings: string[] = [];

  constructor() {
    super();
    this.supportsRaw = true;
  }

  override init(context: IPAContext, tuningData: TuningValue, path: string): number {
    this.agc.parseTuningData(tuningData, path);
    this.parseMeteringModes(context, isDict(tuningData) ? tuningData['AeMeteringMode'] : undefined);

    const cmap = context.ctrlMap;
    cmap.set(controls.ExposureTimeMode, new ControlInfo(ControlValue.i32(ExposureTimeModeAuto), ControlValue.i32(ExposureTimeModeManual), ControlValue.i32(ExposureTimeModeAuto)));
    cmap.set(controls.AnalogueGainMode, new ControlInfo(ControlValue.i32(AnalogueGainModeAuto), ControlValue.i32(AnalogueGainModeManual), ControlValue.i32(AnalogueGainModeAuto)));
    cmap.set(controls.AeEnable, new ControlInfo(ControlValue.bool(false), ControlValue.bool(true), ControlValue.bool(true)));
    cmap.set(controls.ExposureValue, new ControlInfo(ControlValue.float(-8), ControlValue.float(8), ControlValue.float(0)));
    // ctrlMap.merge(controls()): std::map::merge keeps what is already there.
    const modes = this.agc.controls();
    for (const [id, control] of [[controls.AeConstraintMode, modes.AeConstraintMode], [controls.AeExposureMode, modes.AeExposureMode]] as const) {
      if (!control || cmap.has(id) || control.min === undefined) continue;
      cmap.set(id, new ControlInfo(ControlValue.i32(control.min), ControlValue.i32(control.max!), ControlValue.i32(control.def!)));
    }
    return 0;
  }

  private parseMeteringModes(context: IPAContext, tuningData: unknown): void {
    const found = new Map<number, number[]>();
    if (!isDict(tuningData)) {
      this.warnings.push("'AeMeteringMode' parameter not found in tuning file");
    } else {
      for (const [key, value] of Object.entries(tuningData)) {
        const mode = meteringModeValues[key];
        if (mode === undefined) {
          this.warnings.push(`Skipping unknown metering mode '${key}'`);
          continue;
        }
        const weights = Array.isArray(value) && value.every((w) => Number.isInteger(w) && w >= 0 && w <= 255) ? (value as number[]) : [];
        if (weights.length !== context.hw.numHistogramWeights) {
          this.warnings.push(`Failed to read metering mode'${key}'`);
          continue;
        }
        found.set(mode, [...weights]);
      }
    }
    if (found.size === 0) {
      this.warnings.push('No metering modes read from tuning file; defaulting to matrix');
      found.set(MeteringMatrix, new Array<number>(context.hw.numHistogramWeights).fill(1));
    }
    this.meteringModes = new Map([...found].sort((a, b) => a[0] - b[0]));
    const keys = [...this.meteringModes.keys()];
    // ControlInfo(Span<const ControlValue>): min the first, max the last, default the first.
    context.ctrlMap.set(controls.AeMeteringMode, new ControlInfo(ControlValue.i32(keys[0]!), ControlValue.i32(keys[keys.length - 1]!), ControlValue.i32(keys[0]!)));
  }

  /** The histogram predivider that keeps a bin's 16-bit counter from wrapping (uint8_t, clamped to 3..127). */
  private static histogramPredivider(size: { width: number; height: number }, mode: HistogramMode): number {
    const count = mode === HistogramMode.RGB_COMBINED ? 3 : 1;
    const factor = ((size.width * size.height * count) >>> 0) / 65536.0;
    const predivider = Math.trunc(Math.ceil(Math.sqrt(factor))) & 0xff;
    return clamp(predivider, 3, 127);
  }

  override configure(context: IPAContext, configInfo: { outputSize: { width: number; height: number } }): number {
    const { agc } = context.activeState;
    const sensor = context.configuration.sensor;
    agc.automatic.gain = sensor.minAnalogueGain;
    agc.automatic.exposure = toUint32(milliseconds(10) / sensor.lineDuration);
    agc.automatic.quantizationGain = 1.0;
    agc.manual.gain = agc.automatic.gain;
    agc.manual.exposure = agc.automatic.exposure;
    agc.autoExposureEnabled = !context.configuration.raw;
    agc.autoGainEnabled = !context.configuration.raw;
    agc.exposureValue = 0.0;

    agc.constraintMode = [...this.agc.constraintModes().keys()][0]!;
    agc.exposureMode = [...this.agc.exposureModeHelpers().keys()][0]!;
    agc.meteringMode = [...this.meteringModes.keys()][0]!;

    const limits = context.ctrlMap.get(controls.FrameDurationLimits)!;
    agc.minFrameDuration = microseconds(Number(limits.min.value as bigint));
    agc.maxFrameDuration = microseconds(Number(limits.max.value as bigint));

    context.configuration.agc.measureWindow = { h_offs: 0, v_offs: 0, h_size: configInfo.outputSize.width & 0xffff, v_size: configInfo.outputSize.height & 0xffff };

    this.agc.configure(sensor.lineDuration, context.camHelper);
    this.agc.setLimits(sensor.minExposureTime, sensor.maxExposureTime, sensor.minAnalogueGain, sensor.maxAnalogueGain, []);
    agc.automatic.yTarget = this.agc.effectiveYTarget();
    this.agc.resetFrameCount();
    return 0;
  }

  override queueRequest(context: IPAContext, _frame: number, frameContext: IPAFrameContext, list: ControlList): void {
    const agc = context.activeState.agc;
    if (!context.configuration.raw) {
      const aeEnable = list.get(controls.ExposureTimeMode);
      if (aeEnable !== undefined && (aeEnable === ExposureTimeModeAuto) !== agc.autoExposureEnabled) {
        agc.autoExposureEnabled = aeEnable === ExposureTimeModeAuto;
        // From auto to manual with no manual value: prepare() takes the last computed one.
        if (!agc.autoExposureEnabled && list.get(controls.ExposureTime) === undefined) frameContext.agc.autoExposureModeChange = true;
      }
      const agEnable = list.get(controls.AnalogueGainMode);
      if (agEnable !== undefined && (agEnable === AnalogueGainModeAuto) !== agc.autoGainEnabled) {
        agc.autoGainEnabled = agEnable === AnalogueGainModeAuto;
        if (!agc.autoGainEnabled && list.get(controls.AnalogueGain) === undefined) frameContext.agc.autoGainModeChange = true;
      }
    }

    const exposure = list.get(controls.ExposureTime);
    if (exposure !== undefined && !agc.autoExposureEnabled) {
      // `*exposure * 1.0us / lineDuration`, in long double, stored to uint32_t.
      agc.manual.exposure = toUint32(LongDouble.from(exposure).mul(1000).div(context.configuration.sensor.lineDuration).trunc());
    }
    const gain = list.get(controls.AnalogueGain);
    if (gain !== undefined && !agc.autoGainEnabled) agc.manual.gain = gain;

    frameContext.agc.autoExposureEnabled = agc.autoExposureEnabled;
    frameContext.agc.autoGainEnabled = agc.autoGainEnabled;
    if (!frameContext.agc.autoExposureEnabled) frameContext.agc.exposure = agc.manual.exposure;
    if (!frameContext.agc.autoGainEnabled) frameContext.agc.gain = agc.manual.gain;
    if (!frameContext.agc.autoExposureEnabled && !frameContext.agc.autoGainEnabled) frameContext.agc.quantizationGain = 1.0;

    const meteringMode = list.get(controls.AeMeteringMode);
    if (meteringMode !== undefined) {
      frameContext.agc.updateMetering = agc.meteringMode !== meteringMode;
      agc.meteringMode = meteringMode;
    }
    frameContext.agc.meteringMode = agc.meteringMode;

    const exposureMode = list.get(controls.AeExposureMode);
    if (exposureMode !== undefined) agc.exposureMode = exposureMode;
    frameContext.agc.exposureMode = agc.exposureMode;

    const constraintMode = list.get(controls.AeConstraintMode);
    if (constraintMode !== undefined) agc.constraintMode = constraintMode;
    frameContext.agc.constraintMode = agc.constraintMode;

    const exposureValue = list.get(controls.ExposureValue);
    if (exposureValue !== undefined) agc.exposureValue = exposureValue;
    frameContext.agc.exposureValue = agc.exposureValue;

    const frameDurationLimits = list.get(controls.FrameDurationLimits);
    if (frameDurationLimits !== undefined && frameDurationLimits.length > 0) {
      const limits = context.ctrlMap.get(controls.FrameDurationLimits)!;
      const lo = limits.min.value as bigint;
      const hi = limits.max.value as bigint;
      agc.minFrameDuration = microseconds(Number(clamp(frameDurationLimits[0]!, lo, hi)));
      agc.maxFrameDuration = microseconds(Number(clamp(frameDurationLimits[frameDurationLimits.length - 1]!, lo, hi)));
    }
    frameContext.agc.minFrameDuration = agc.minFrameDuration;
    frameContext.agc.maxFrameDuration = agc.maxFrameDuration;
  }

  override prepare(context: IPAContext, frame: number, frameContext: IPAFrameContext, params: RkISP1Params): void {
    const { automatic } = context.activeState.agc;
    const fc = frameContext.agc;
    if (fc.autoExposureEnabled) {
      fc.exposure = automatic.exposure;
      fc.quantizationGain = automatic.quantizationGain;
    }
    if (fc.autoGainEnabled) {
      fc.gain = automatic.gain;
      fc.quantizationGain = automatic.quantizationGain;
    }
    if (!fc.autoExposureEnabled && fc.autoExposureModeChange) {
      context.activeState.agc.manual.exposure = automatic.exposure;
      fc.exposure = automatic.exposure;
    }
    if (!fc.autoGainEnabled && fc.autoGainModeChange) {
      context.activeState.agc.manual.gain = automatic.gain;
      fc.gain = automatic.gain;
      fc.quantizationGain = automatic.quantizationGain;
    }
    if (context.configuration.compress.supported) {
      frameContext.compress.enable = true;
      frameContext.compress.gain = fc.quantizationGain;
    }
    fc.yTarget = automatic.yTarget;

    if (frame > 0 && !fc.updateMetering) return;

    const window = context.configuration.agc.measureWindow;
    params.block(BlockType.AEC_MEAS, (c) => {
      c.meas_window = { ...window };
      c.autostop = ExpCtrlAutostop.AUTOSTOP_0;
      c.mode = ExpMeasMode.MODE_1;
    }, true);

    // The RGB histogram (after the CCM) rather than Y: see libcamera's comment on HIST64.
    const weights = this.meteringModes.get(fc.meteringMode);
    if (!weights) throw new RangeError(`metering mode ${fc.meteringMode} is not in the tuning (std::map::at)`);
    params.block(BlockType.HST_MEAS, (c) => {
      c.meas_window = { ...window };
      c.mode = HistogramMode.RGB_COMBINED;
      for (let i = 0; i < context.hw.numHistogramWeights; i++) c.hist_weight[i] = weights[i]!;
      c.histogram_predivider = Agc.histogramPredivider({ width: window.h_size, height: window.v_size }, c.mode);
    }, true);
  }

  private fillMetadata(context: IPAContext, frameContext: IPAFrameContext, metadata: ControlList): void {
    const fc = frameContext.agc;
    const exposureTime = context.configuration.sensor.lineDuration * frameContext.sensor.exposure;
    metadata.set(controls.AnalogueGain, Math.fround(frameContext.sensor.gain));
    metadata.set(controls.ExposureTime, Math.trunc(toMicroseconds(exposureTime)) | 0);
    metadata.set(controls.FrameDuration, BigInt(Math.trunc(toMicroseconds(fc.frameDuration))));
    metadata.set(controls.ExposureTimeMode, fc.autoExposureEnabled ? ExposureTimeModeAuto : ExposureTimeModeManual);
    metadata.set(controls.AnalogueGainMode, fc.autoGainEnabled ? AnalogueGainModeAuto : AnalogueGainModeManual);
    metadata.set(controls.AeMeteringMode, fc.meteringMode);
    metadata.set(controls.AeExposureMode, fc.exposureMode);
    metadata.set(controls.AeConstraintMode, fc.constraintMode);
    metadata.set(controls.ExposureValue, Math.fround(fc.exposureValue));
  }

  /** vblank from the target frame duration, and the frame duration it gives in whole lines. */
  private processFrameDuration(context: IPAContext, frameContext: IPAFrameContext, frameDuration: Duration): void {
    const lineDuration = context.configuration.sensor.lineDuration;
    const height = context.sensorInfo.outputSize.height;
    frameContext.agc.vblank = toUint32(frameDuration / lineDuration - height);
    frameContext.agc.frameDuration = ((height + frameContext.agc.vblank) >>> 0) * lineDuration;
  }

  override process(context: IPAContext, _frame: number, frameContext: IPAFrameContext, stats: IspStats | null, metadata: ControlList): void {
    const fc = frameContext.agc;
    if (!stats) {
      this.processFrameDuration(context, frameContext, fc.minFrameDuration);
      this.fillMetadata(context, frameContext, metadata);
      return;
    }
    if (!(stats.measType & Stat.AUTOEXP)) {
      this.fillMetadata(context, frameContext, metadata); // libcamera logs "AUTOEXP data is missing in statistics"
      return;
    }

    const sensor = context.configuration.sensor;
    const lineDuration = sensor.lineDuration;
    // The lower 4 bits of each bin are fractional.
    const hist = new Histogram(stats.histogramBins.slice(0, context.hw.numHistogramBins), (x) => x >>> 4);
    const weights = this.meteringModes.get(fc.meteringMode);
    if (!weights) throw new RangeError(`metering mode ${fc.meteringMode} is not in the tuning (std::map::at)`);
    this.agc.expMeans = stats.aeMeans.slice(0, context.hw.numAeCells);
    this.agc.weights = weights;

    let minExposureTime: Duration;
    let maxExposureTime: Duration;
    if (fc.autoExposureEnabled) {
      minExposureTime = sensor.minExposureTime;
      maxExposureTime = clamp(fc.maxFrameDuration, sensor.minExposureTime, sensor.maxExposureTime);
    } else {
      minExposureTime = lineDuration * fc.exposure;
      maxExposureTime = minExposureTime;
    }
    const [minAnalogueGain, maxAnalogueGain] = fc.autoGainEnabled ? [sensor.minAnalogueGain, sensor.maxAnalogueGain] : [fc.gain, fc.gain];
    // WDR's constraint joins when WDR is on; no WDR algorithm runs yet.
    this.agc.setLimits(minExposureTime, maxExposureTime, minAnalogueGain, maxAnalogueGain, []);

    let effectiveExposureValue = lineDuration * frameContext.sensor.exposure * frameContext.sensor.gain;
    if (frameContext.compress.enable) effectiveExposureValue *= fc.quantizationGain;

    this.agc.setExposureCompensation(2.0 ** fc.exposureValue);
    this.agc.setLux(frameContext.lux.lux);

    const split = this.agc.calculateNewEv(fc.constraintMode, fc.exposureMode, hist, effectiveExposureValue);

    const automatic = context.activeState.agc.automatic;
    automatic.exposure = toUint32(split.exposureTime / lineDuration);
    automatic.gain = split.gain;
    automatic.quantizationGain = split.quantizationGain;
    automatic.yTarget = this.agc.effectiveYTarget();

    // Not faster than the minimum frame duration with short exposures.
    this.processFrameDuration(context, frameContext, cppMax(fc.minFrameDuration, split.exposureTime));
    this.fillMetadata(context, frameContext, metadata);
    this.agc.expMeans = [];
  }
}

