/**
 * The Sony IMX219 as its Linux driver shows it (drivers/media/i2c/imx219.c, 2 lanes): four modes,
 * RAW10 and RAW8 in an order its flips change, and its controls with their real ranges. Exposure
 * (in lines) and gain take effect frames after they are written, by libcamera's delays for it
 * (camera_sensor_properties.cpp: exposure 2, gain 1, vblank 2): `startFrame` latches them.
 */
import { DeviceError, MbusCode, V4L2Cid, type MbusFormat, type Rectangle, type V4L2ControlValue } from '../../../runtime/v4l2';
import { booleanControl, integerControl, menuControl, readOnlyInteger64Control, SimulatedControls } from '../../../camera/simulated/controls';
import { SimulatedSubdevice } from '../../../camera/simulated/subdevice';
import type { BayerOrder } from '../../../camera/simulated/scene';
import { BAYER_10, BAYER_8, ISP_SIZES } from './topology';

export const Imx219Cid = {
  Exposure: 0x00980911,
  VBlank: 0x009e0901,
  HBlank: 0x009e0902,
  AnalogueGain: 0x009e0903,
  TestPatternRed: 0x009e0904,
  TestPatternGreenR: 0x009e0905,
  TestPatternBlue: 0x009e0906,
  TestPatternGreenB: 0x009e0907,
  PixelRate: 0x009f0902,
  TestPattern: 0x009f0903,
  DigitalGain: 0x009f0905,
} as const;

/** Frames from writing a control to the first frame made with it. */
export const IMX219_DELAYS = { exposure: 2, gain: 1, vblank: 2 } as const;

export const IMX219_PIXEL_RATE = 182_400_000;
/** IMX219_PPL_DEFAULT: the line length in pixels, fixed. */
export const IMX219_LINE_LENGTH = 3448;
/** The black level at 10 bits (libcamera's helper says 4096 at 16). */
export const IMX219_BLACK_LEVEL_10 = 64;
const EXPOSURE_MIN = 4;
const EXPOSURE_OFFSET = 4;
const EXPOSURE_DEFAULT = 0x640;
const VBLANK_MIN = 32;
const VTS_MAX = 0xffff;
const GAIN_CODE_MAX = 232;
export const TEST_PATTERN_SOLID = 2;
const COLORSPACE_RAW = 11;

export interface Imx219Mode {
  width: number;
  height: number;
  /** The analogue crop of the pixel array (binned 2x2 in the smaller modes). */
  crop: Rectangle;
  /** Frame length in lines by default. */
  vts: number;
}

export const IMX219_MODES: readonly Imx219Mode[] = [
  { width: 3280, height: 2464, crop: { left: 8, top: 8, width: 3280, height: 2464 }, vts: 3526 },
  { width: 1920, height: 1080, crop: { left: 688, top: 700, width: 1920, height: 1080 }, vts: 1763 },
  { width: 1640, height: 1232, crop: { left: 8, top: 8, width: 3280, height: 2464 }, vts: 1763 },
  { width: 640, height: 480, crop: { left: 1008, top: 760, width: 1280, height: 960 }, vts: 1763 },
];

/** The gain imx219's register code gives (libcamera's CameraSensorHelperImx219: 256 / (256 − code)). */
export function imx219Gain(code: number): number {
  return 256 / (256 - code);
}

/** What the sensor records a frame with. */
export interface Imx219FrameSettings {
  exposureLines: number;
  exposureTimeUs: number;
  /** Analogue times digital gain. */
  gain: number;
  testPattern: number;
  /** 10-bit R, Gr, Gb, B of the solid colour pattern. */
  patternColour: readonly [number, number, number, number];
}

type ControlSnapshot = Record<keyof typeof Imx219Cid, number>;

export class SimulatedImx219 extends SimulatedSubdevice {
  private mode: Imx219Mode = IMX219_MODES[0]!;
  private bits = 10;
  private previous: ControlSnapshot | undefined;

  constructor(path: string, entity: string) {
    super(path, entity, { codes: [BAYER_10], sizes: ISP_SIZES }, imx219Controls(path));
    this.applyMode(IMX219_MODES[0]!);
  }

  get bayerOrder(): BayerOrder {
    const flips = (this.ctrls.value(V4L2Cid.HFlip) ? 1 : 0) | (this.ctrls.value(V4L2Cid.VFlip) ? 2 : 0);
    return (['RGGB', 'GRBG', 'GBRG', 'BGGR'] as const)[flips]!;
  }

  get bitDepth(): number {
    return this.bits;
  }

  /** The code the sensor sends now: its bit depth in the Bayer order the flips give. */
  private get code(): number {
    const order = ['RGGB', 'GRBG', 'GBRG', 'BGGR'].indexOf(this.bayerOrder);
    return (this.bits === 10 ? BAYER_10 : BAYER_8)[order]!;
  }

  override format(pad: number): MbusFormat {
    this.checkPad(pad, 'VIDIOC_SUBDEV_G_FMT');
    return { code: this.code, width: this.mode.width, height: this.mode.height, field: 1, colorspace: COLORSPACE_RAW };
  }

  /** The mode nearest the size asked for (v4l2_find_nearest_size), RAW8 if an 8-bit code is asked for. */
  override setFormat(pad: number, wanted: MbusFormat): MbusFormat {
    this.checkPad(pad, 'VIDIOC_SUBDEV_S_FMT');
    if (this.streaming) throw this.fail('EBUSY', 'VIDIOC_SUBDEV_S_FMT', 'Device or resource busy');
    const distance = (m: Imx219Mode) => Math.abs(m.width - wanted.width) + Math.abs(m.height - wanted.height);
    const mode = IMX219_MODES.reduce((best, m) => (distance(m) < distance(best) ? m : best));
    this.bits = BAYER_8.includes(wanted.code) || wanted.code === MbusCode.SBGGR8_1X8 ? 8 : 10;
    this.applyMode(mode);
    return this.format(pad);
  }

  override mbusCodes(pad: number): number[] {
    this.checkPad(pad, 'VIDIOC_SUBDEV_ENUM_MBUS_CODE');
    const order = ['RGGB', 'GRBG', 'GBRG', 'BGGR'].indexOf(this.bayerOrder);
    return [BAYER_10[order]!, BAYER_8[order]!];
  }

  override crop(pad: number): Rectangle {
    this.checkPad(pad, 'VIDIOC_SUBDEV_G_SELECTION');
    return { ...this.mode.crop };
  }

  override setCrop(): Rectangle {
    throw this.fail('ENOTTY', 'VIDIOC_SUBDEV_S_SELECTION', 'Inappropriate ioctl for device');
  }

  /** As the driver: flips are held while streaming, and a new blanking bounds the exposure. */
  override setControls(values: readonly (readonly [number, V4L2ControlValue])[]): V4L2ControlValue[] {
    if (this.streaming && values.some(([id]) => id === V4L2Cid.HFlip || id === V4L2Cid.VFlip)) {
      throw this.fail('EBUSY', 'VIDIOC_S_EXT_CTRLS', 'Device or resource busy (flips are held while streaming)');
    }
    const vblank = values.find(([id]) => id === Imx219Cid.VBlank);
    const before = this.ctrls.value(Imx219Cid.VBlank);
    if (vblank) this.ctrls.setControls([vblank]);
    this.boundExposure();
    try {
      return this.ctrls.setControls(values);
    } catch (error) {
      // All or none, as VIDIOC_S_EXT_CTRLS: the blanking written first goes back.
      this.ctrls.setControls([[Imx219Cid.VBlank, before]]);
      this.boundExposure();
      throw error;
    }
  }

  /** Forgets what was latched: the next frame is the stream's first, made with the values now. */
  startStreaming(): void {
    this.previous = undefined;
  }

  /**
   * A frame starts: what it is made with. Gain written before this frame's start applies to it
   * (delay 1); exposure written before the previous frame's start does (delay 2).
   */
  startFrame(): Imx219FrameSettings {
    const now = this.snapshot();
    const earlier = this.previous ?? now;
    this.previous = now;
    const lineTimeUs = (IMX219_LINE_LENGTH / IMX219_PIXEL_RATE) * 1e6;
    return {
      exposureLines: earlier.Exposure,
      exposureTimeUs: earlier.Exposure * lineTimeUs,
      gain: imx219Gain(now.AnalogueGain) * (now.DigitalGain / 256),
      testPattern: now.TestPattern,
      patternColour: [now.TestPatternRed, now.TestPatternGreenR, now.TestPatternGreenB, now.TestPatternBlue],
    };
  }

  private snapshot(): ControlSnapshot {
    const out = {} as ControlSnapshot;
    for (const [name, id] of Object.entries(Imx219Cid)) out[name as keyof typeof Imx219Cid] = this.ctrls.value(id);
    return out;
  }

  private applyMode(mode: Imx219Mode): void {
    this.mode = mode;
    const vblank = mode.vts - mode.height;
    this.ctrls.setRange(Imx219Cid.VBlank, VBLANK_MIN, VTS_MAX - mode.height, vblank);
    this.ctrls.setControls([[Imx219Cid.VBlank, vblank]]);
    this.ctrls.setRange(Imx219Cid.HBlank, IMX219_LINE_LENGTH - mode.width, IMX219_LINE_LENGTH - mode.width, IMX219_LINE_LENGTH - mode.width);
    this.boundExposure();
  }

  private boundExposure(): void {
    const max = this.mode.height + this.ctrls.value(Imx219Cid.VBlank) - EXPOSURE_OFFSET;
    this.ctrls.setRange(Imx219Cid.Exposure, EXPOSURE_MIN, max, Math.min(EXPOSURE_DEFAULT, max));
  }

  private checkPad(pad: number, call: string): void {
    if (pad !== 0) throw this.fail('EINVAL', call, 'Invalid argument');
  }

  private fail(code: string, call: string, what: string): DeviceError {
    return new DeviceError(`${this.path}: ${call}: ${what}`, code, undefined, call, this.path);
  }
}

function imx219Controls(path: string): SimulatedControls {
  return new SimulatedControls(path, [
    integerControl(Imx219Cid.Exposure, 'Exposure', EXPOSURE_MIN, 3526 - EXPOSURE_OFFSET, EXPOSURE_DEFAULT),
    integerControl(Imx219Cid.AnalogueGain, 'Analogue Gain', 0, GAIN_CODE_MAX, 0),
    integerControl(Imx219Cid.DigitalGain, 'Digital Gain', 256, 4095, 256),
    integerControl(Imx219Cid.VBlank, 'Vertical Blanking', VBLANK_MIN, VTS_MAX - 2464, 3526 - 2464),
    { ...integerControl(Imx219Cid.HBlank, 'Horizontal Blanking', IMX219_LINE_LENGTH - 3280, IMX219_LINE_LENGTH - 3280, IMX219_LINE_LENGTH - 3280), flags: 0x0004 },
    readOnlyInteger64Control(Imx219Cid.PixelRate, 'Pixel Rate', IMX219_PIXEL_RATE),
    booleanControl(V4L2Cid.HFlip, 'Horizontal Flip'),
    booleanControl(V4L2Cid.VFlip, 'Vertical Flip'),
    menuControl(Imx219Cid.TestPattern, 'Test Pattern', { 0: 'Disabled', 1: 'Color Bars', 2: 'Solid Color', 3: 'Grey Color Bars', 4: 'PN9' }, 0),
    integerControl(Imx219Cid.TestPatternRed, 'Red Pixel Value', 0, 0x3ff, 0x3ff),
    integerControl(Imx219Cid.TestPatternGreenR, 'Green (Red) Pixel Value', 0, 0x3ff, 0x3ff),
    integerControl(Imx219Cid.TestPatternBlue, 'Blue Pixel Value', 0, 0x3ff, 0x3ff),
    integerControl(Imx219Cid.TestPatternGreenB, 'Green (Blue) Pixel Value', 0, 0x3ff, 0x3ff),
  ]);
}
