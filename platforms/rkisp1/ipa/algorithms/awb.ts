/** rkisp1's Awb (src/ipa/rkisp1/algorithms/awb.cpp of libcamera v0.7.1), grey world only so far. */
import { ControlInfo, type ControlList, ControlType, ControlValue, controls } from '../../../../runtime';
import type { AwbAlgorithm, AwbStats } from '../../../../ipa/awb';
import { AwbGrey } from '../../../../ipa/awb-grey';
import { mulAdd, toUint32 } from '../../../../ipa/cpp';
import { Matrix } from '../../../../ipa/matrix';
import { isDict, keyPath, TuningError, type TuningValue } from '../../../../ipa/tuning';
import { type RGB, rgb, Vector } from '../../../../ipa/vector';
import { AwbMode, BlockType, Stat } from '../../uapi/constants.js';
import type { AwbMeas, IspStats } from '../../uapi/stats.js';
import type { IPAContext, IPAFrameContext } from '../context';
import type { RkISP1Params } from '../params';
import { Algorithm } from './algorithm';

const kMinColourTemperature = 2500;
const kMaxColourTemperature = 10000;
const kDefaultColourTemperature = 5000;
/** Minimum mean value below which AWB can't operate. */
const kMeanMinThreshold = 2.0;

/** The hardware's YCbCr (limited range BT.601, Q1.6) back to RGB. */
const yuv2rgbMatrix = new Matrix(3, 3, [1.1636, -0.0623, 1.6008, 1.1636, -0.4045, -0.7949, 1.1636, 1.9912, -0.025]);
const yuv2rgbOffset = new Vector([16, 128, 128]);

class RkISP1AwbStats implements AwbStats {
  private readonly rg: number;
  private readonly bg: number;
  constructor(private readonly means: RGB) {
    this.rg = means.r / means.g;
    this.bg = means.b / means.g;
  }
  computeColourError(gains: RGB): number {
    const deltaR = gains.r * this.rg - 1.0;
    const deltaB = gains.b * this.bg - 1.0;
    return deltaR * deltaR + deltaB * deltaB;
  }
  rgbMeans(): RGB {
    return this.means;
  }
}

/** C++ `std::clamp<int>(256 * gain, 0, 0x3ff)`: the double converted to int (truncated), then clamped. */
function gainRegister(gain: number): number {
  const v = Math.trunc(256 * gain) | 0;
  return Math.min(Math.max(v, 0), 0x3ff);
}

export class Awb extends Algorithm {
  private awbAlgo!: AwbAlgorithm;
  /** The last CCM inverted, and its inverse: Matrix is immutable, and the CCM rarely changes. */
  private inverted: { ccm: Matrix; inverse: Matrix } | undefined;
  private readonly rgbMode = false;

  override init(context: IPAContext, tuningData: TuningValue, path: string): number {
    const cmap = context.ctrlMap;
    cmap.set(controls.ColourTemperature, new ControlInfo(ControlValue.i32(kMinColourTemperature), ControlValue.i32(kMaxColourTemperature), ControlValue.i32(kDefaultColourTemperature)));
    cmap.set(controls.AwbEnable, new ControlInfo(ControlValue.bool(false), ControlValue.bool(true)));
    cmap.set(controls.ColourGains, new ControlInfo(ControlValue.float(0), ControlValue.float(Math.fround(3.996)), ControlValue.array(ControlType.Float, [1, 1])));

    const data = isDict(tuningData) ? tuningData : {};
    const mode = data['algorithm'] ?? 'grey';
    if (mode === 'grey') {
      this.awbAlgo = new AwbGrey();
    } else if (mode === 'bayes') {
      throw new TuningError(keyPath(path, 'algorithm'), "the 'bayes' AWB is not ported yet");
    } else {
      throw new TuningError(keyPath(path, 'algorithm'), `Unknown AWB algorithm: ${String(mode)}`);
    }
    this.awbAlgo.init(tuningData, path);
    for (const [id, info] of this.awbAlgo.controls) cmap.set(id, info);
    return 0;
  }

  override configure(context: IPAContext, configInfo: { outputSize: { width: number; height: number } }): number {
    const { awb } = context.activeState;
    awb.manual.gains = rgb(1.0, 1.0, 1.0);
    awb.automatic.gains = this.awbAlgo.gainsFromColourTemperature(kDefaultColourTemperature) ?? rgb(1.0, 1.0, 1.0);
    awb.autoEnabled = true;
    awb.manual.temperatureK = kDefaultColourTemperature;
    awb.automatic.temperatureK = kDefaultColourTemperature;

    // A centred rectangle of 3/4 of the width and height (unsigned int arithmetic, stored as u16).
    const { width, height } = configInfo.outputSize;
    context.configuration.awb.measureWindow = {
      h_offs: Math.trunc(width / 8) & 0xffff,
      v_offs: Math.trunc(height / 8) & 0xffff,
      h_size: Math.trunc((3 * width) / 4) & 0xffff,
      v_size: Math.trunc((3 * height) / 4) & 0xffff,
    };
    context.configuration.awb.enabled = true;
    return 0;
  }

  override queueRequest(context: IPAContext, _frame: number, frameContext: IPAFrameContext, list: ControlList): void {
    const awb = context.activeState.awb;
    const awbEnable = list.get(controls.AwbEnable);
    if (awbEnable !== undefined && awbEnable !== awb.autoEnabled) awb.autoEnabled = awbEnable;

    this.awbAlgo.handleControls(list);
    frameContext.awb.autoEnabled = awb.autoEnabled;
    if (awb.autoEnabled) return;

    const colourGains = list.get(controls.ColourGains);
    const colourTemperature = list.get(controls.ColourTemperature);
    if (colourGains !== undefined) {
      awb.manual.gains = rgb(colourGains[0]!, awb.manual.gains.g, colourGains[1]!);
    } else if (colourTemperature !== undefined) {
      awb.manual.temperatureK = colourTemperature >>> 0;
      const gains = this.awbAlgo.gainsFromColourTemperature(colourTemperature);
      if (gains) awb.manual.gains = rgb(gains.r, awb.manual.gains.g, gains.b);
    }
    frameContext.awb.gains = awb.manual.gains;
    frameContext.awb.temperatureK = awb.manual.temperatureK;
  }

  override prepare(context: IPAContext, frame: number, frameContext: IPAFrameContext, params: RkISP1Params): void {
    if (frameContext.awb.autoEnabled) {
      frameContext.awb.gains = context.activeState.awb.automatic.gains;
      frameContext.awb.temperatureK = context.activeState.awb.automatic.temperatureK;
    }
    const gains = frameContext.awb.gains;
    params.block(BlockType.AWB_GAIN, (c) => {
      c.gain_green_b = gainRegister(gains.g);
      c.gain_blue = gainRegister(gains.b);
      c.gain_red = gainRegister(gains.r);
      c.gain_green_r = gainRegister(gains.g);
    }, true);

    if (frame > 0) return;

    params.block(BlockType.AWB_MEAS, (c) => {
      c.awb_wnd = { ...context.configuration.awb.measureWindow };
      c.frames = 0;
      if (this.rgbMode) {
        c.awb_mode = AwbMode.RGB;
        c.awb_ref_cr = 250;
        c.min_y = 250;
        c.awb_ref_cb = 250;
        c.max_y = 0;
        c.min_c = 0;
        c.max_csum = 0;
      } else {
        c.awb_mode = AwbMode.YCBCR;
        c.awb_ref_cb = 128;
        c.awb_ref_cr = 128;
        c.min_y = 16;
        c.max_y = 250;
        c.min_c = 16;
        c.max_csum = 250;
      }
    }, true);
  }

  override process(context: IPAContext, _frame: number, frameContext: IPAFrameContext, stats: IspStats | null, metadata: ControlList): void {
    const activeState = context.activeState;
    metadata.set(controls.AwbEnable, frameContext.awb.autoEnabled);
    metadata.set(controls.ColourGains, [Math.fround(frameContext.awb.gains.r), Math.fround(frameContext.awb.gains.b)]);
    metadata.set(controls.ColourTemperature, frameContext.awb.temperatureK | 0);

    if (!stats || !(stats.measType & Stat.AWB)) return; // libcamera logs "AWB data is missing in statistics"
    if (stats.awb.cnt === 0) return;

    const rgbMeans = this.calculateRgbMeans(frameContext, stats.awb);
    if (rgbMeans.r < kMeanMinThreshold && rgbMeans.g < kMeanMinThreshold && rgbMeans.b < kMeanMinThreshold) return;

    const result = this.awbAlgo.calculateAwb(new RkISP1AwbStats(rgbMeans), frameContext.lux.lux);
    // Q2.8 hardware gains, kept just above zero.
    let gains = result.gains.max(1.0 / 256).min(1023.0 / 256);

    const speed = 0.2;
    // Fused on AArch64 as GCC fuses it there (docs/libipa.md); the Vector blend is not.
    const ct = mulAdd('double', result.colourTemperature, speed, activeState.awb.automatic.temperatureK * (1 - speed));
    gains = gains.mul(speed).add(activeState.awb.automatic.gains.mul(1 - speed));

    activeState.awb.automatic.temperatureK = toUint32(ct);
    activeState.awb.automatic.gains = gains;
  }

  private calculateRgbMeans(frameContext: IPAFrameContext, awb: AwbMeas): RGB {
    let means: Vector;
    if (this.rgbMode) {
      means = new Vector([awb.mean_cr_or_r, awb.mean_y_or_g, awb.mean_cb_or_b]);
    } else {
      const yuv = new Vector([awb.mean_y_or_g, awb.mean_cb_or_b, awb.mean_cr_or_r]);
      means = (yuv2rgbMatrix.mul(yuv.sub(yuv2rgbOffset)) as Vector).max(0.0);
    }
    // The ISP measures after the CCM and the colour gains: undo both.
    const ccm = frameContext.ccm.ccm;
    if (this.inverted?.ccm !== ccm) this.inverted = { ccm, inverse: ccm.inverse() };
    means = this.inverted.inverse.mul(means) as Vector;
    return means.div(frameContext.awb.gains.max(0.01));
  }
}
