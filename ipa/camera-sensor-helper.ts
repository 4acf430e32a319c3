/**
 * What an IPA needs to know of a sensor that V4L2 does not tell it: the port of libcamera's
 * ipa::CameraSensorHelper and of every helper registered in
 * src/ipa/libipa/camera_sensor_helper.cpp (libcamera v0.7.1).
 *
 * Black levels are 16-bit values (as libcamera's, scaled from the sensor's bit depth).
 * Gain codes are uint32_t in C++: a double converts by truncation toward zero, done here by
 * `toUint32` (cpp.ts: how each platform converts what C++ leaves undefined).
 */
import { toUint32 } from './cpp';

export { toUint32 };

/** Linear model: gain = (m0 * code + c0) / (m1 * code + c1), with m0 or m1 zero. */
export interface AnalogueGainLinear {
  readonly kind: 'linear';
  readonly m0: number;
  readonly c0: number;
  readonly m1: number;
  readonly c1: number;
}

/** Exponential model: gain = a * 2^(m * code). */
export interface AnalogueGainExp {
  readonly kind: 'exp';
  readonly a: number;
  readonly m: number;
}

export type AnalogueGainModel = AnalogueGainLinear | AnalogueGainExp;

/** A sensor's black level and analogue gain model, as CameraSensorHelper. */
export class CameraSensorHelper {
  /** Black level at 16 bits, when the sensor's is known. */
  readonly blackLevel: number | undefined;
  /** The gain model, for the helpers that have one of the two standard ones. */
  readonly gainModel: AnalogueGainModel | undefined;

  constructor(options: { blackLevel?: number; gainModel?: AnalogueGainModel } = {}) {
    this.blackLevel = options.blackLevel;
    this.gainModel = options.gainModel;
  }

  /** The gain code for a gain: the model's inverse, truncated to an integer code. */
  gainCode(gain: number): number {
    const model = this.requireModel();
    if (model.kind === 'linear') {
      const { m0, c0, m1, c1 } = model;
      return toUint32((c0 - c1 * gain) / (m1 * gain - m0));
    }
    return toUint32(Math.log2(gain / model.a) / model.m);
  }

  /** The gain a code gives. */
  gain(gainCode: number): number {
    const model = this.requireModel();
    const code = toUint32(gainCode);
    if (model.kind === 'linear') {
      const { m0, c0, m1, c1 } = model;
      return (m0 * code + c0) / (m1 * code + c1);
    }
    return model.a * 2 ** (model.m * code);
  }

  /**
   * The gain the sensor can really apply for `gain` (gain(gainCode(gain))), and the
   * quantization gain `gain / that` still to be applied elsewhere.
   */
  quantizeGain(gain: number): { gain: number; quantizationGain: number } {
    const g = this.gain(this.gainCode(gain));
    return { gain: g, quantizationGain: gain / g };
  }

  private requireModel(): AnalogueGainModel {
    if (!this.gainModel) throw new Error('CameraSensorHelper: this helper has no gain model');
    return this.gainModel;
  }
}

function linear(m0: number, c0: number, m1: number, c1: number): AnalogueGainLinear {
  return { kind: 'linear', m0, c0, m1, c1 };
}

/** expGainDb(step) of libcamera: the m of a gain code in steps of `step` dB. */
function expGainDb(step: number): AnalogueGainExp {
  const log2of10 = 3.321928094887362;
  return { kind: 'exp', a: 1.0, m: (log2of10 * step) / 20 };
}

/** DBL_EPSILON. */
const EPSILON = 2.220446049250313e-16;

/** onsemi AR0144: coarse 2^n and fine inversely linear gain, with a 1.153125 stage from 4x. */
export class CameraSensorHelperAr0144 extends CameraSensorHelper {
  constructor() {
    super({ blackLevel: 2688 });
  }

  override gainCode(gain: number): number {
    // The recommended minimum gain 1/(1 - 13/32) avoids artefacts.
    gain = clamp(gain, 1.0 / (1.0 - 13.0 / 32.0), 18.45);
    if (gain > 4.0) gain /= 1.153125;
    // unsigned int conversions: truncation (the values are positive here).
    const coarse = Math.trunc(Math.log2(gain));
    let fine = Math.trunc((1 - (1 << coarse) / gain) * 32);
    if (coarse === 1 || coarse === 3) fine &= ~1;
    else if (coarse === 4) fine &= ~3;
    return ((coarse << 4) | (fine & 0xf)) >>> 0;
  }

  override gain(gainCode: number): number {
    const code = toUint32(gainCode);
    const coarse = code >>> 4;
    const fine = code & 0xf;
    let d1: number;
    let d2: number;
    let m: number;
    switch (coarse) {
      case 1:
        [d1, d2, m] = [2, 16.0, 1.0];
        break;
      case 2:
        [d1, d2, m] = [1, 32.0, 1.153125];
        break;
      case 3:
        [d1, d2, m] = [2, 16.0, 1.153125];
        break;
      case 4:
        [d1, d2, m] = [4, 8.0, 1.153125];
        break;
      default:
        [d1, d2, m] = [1, 32.0, 1.0];
    }
    // libcamera adds the machine epsilon so that gainCode(gain(code)) gives code back.
    m += EPSILON;
    // fine / d1 is unsigned integer division in the C++.
    return (m * (1 << coarse)) / (1.0 - Math.trunc(fine / d1) / d2);
  }
}

/** onsemi AR0521: coarse 2^n and fine linear gain in 1/16 steps. */
export class CameraSensorHelperAr0521 extends CameraSensorHelper {
  override gainCode(gain: number): number {
    gain = clamp(gain, 1.0, 15.5);
    const coarse = Math.trunc(Math.log2(gain));
    const fine = Math.trunc((gain / (1 << coarse) - 1) * 16);
    return ((coarse << 4) | (fine & 0xf)) >>> 0;
  }

  override gain(gainCode: number): number {
    const code = toUint32(gainCode);
    const coarse = code >>> 4;
    const fine = code & 0xf;
    return (1 << coarse) * (1 + fine / 16);
  }
}

/** std::clamp(v, lo, hi). */
function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : hi < v ? hi : v;
}

/** The sensors of libcamera's table with a standard model: [black level or none, model]. */
const STANDARD: Record<string, [number | undefined, AnalogueGainModel]> = {
  gc05a2: [4096, linear(100, 0, 0, 1024)],
  gc08a3: [4096, linear(100, 0, 0, 1024)],
  hm1246: [undefined, linear(1, 16, 0, 16)],
  imx214: [4096, linear(0, 512, -1, 512)],
  imx219: [4096, linear(0, 256, -1, 256)],
  imx258: [4096, linear(0, 512, -1, 512)],
  imx283: [3200, linear(0, 2048, -1, 2048)],
  imx290: [3840, expGainDb(0.3)],
  imx296: [undefined, expGainDb(0.1)],
  imx327: [3840, expGainDb(0.3)],
  imx335: [3200, expGainDb(0.3)],
  imx415: [undefined, expGainDb(0.3)],
  imx462: [3840, expGainDb(0.3)],
  imx477: [undefined, linear(0, 1024, -1, 1024)],
  imx708: [4096, linear(0, 1024, -1, 1024)],
  ov2685: [undefined, linear(1, 0, 0, 128)],
  ov2740: [undefined, linear(1, 0, 0, 128)],
  ov4689: [1024, linear(1, 0, 0, 128)],
  ov5640: [1024, linear(1, 0, 0, 16)],
  ov5647: [undefined, linear(1, 0, 0, 16)],
  ov5670: [undefined, linear(1, 0, 0, 128)],
  ov5675: [4096, linear(1, 0, 0, 128)],
  ov5693: [undefined, linear(1, 0, 0, 16)],
  ov64a40: [undefined, linear(1, 0, 0, 128)],
  ov8858: [undefined, linear(1, 0, 0, 128)],
  ov8865: [undefined, linear(1, 0, 0, 128)],
  ov13858: [undefined, linear(1, 0, 0, 128)],
  vd55g1: [4096, linear(0, 32, -1, 32)],
  vd56g3: [4096, linear(0, 32, -1, 32)],
};

/** Every sensor model name libcamera v0.7.1 has a helper for, in its registration order. */
export const cameraSensorHelperNames: readonly string[] = ['ar0144', 'ar0521', ...Object.keys(STANDARD)];

/**
 * A new helper for a sensor model (the kernel's sensor name, e.g. "imx219"), or undefined when
 * libcamera has none: CameraSensorHelperFactoryBase::create().
 */
export function createCameraSensorHelper(model: string): CameraSensorHelper | undefined {
  if (model === 'ar0144') return new CameraSensorHelperAr0144();
  if (model === 'ar0521') return new CameraSensorHelperAr0521();
  if (!Object.prototype.hasOwnProperty.call(STANDARD, model)) return undefined;
  const [blackLevel, gainModel] = STANDARD[model]!;
  return new CameraSensorHelper(blackLevel === undefined ? { gainModel } : { blackLevel, gainModel });
}
