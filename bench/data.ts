/** The values every codec in the benchmark carries, in ts-ipa's types and as plain data. */
import {
  ControlList, ControlType, FrameBufferPlane, SharedFD, controlIds, controls,
  type IPABuffer, type IPACameraSensorInfo,
} from '../runtime';

export const sensorInfo: IPACameraSensorInfo = {
  model: 'imx219',
  bitsPerPixel: 10,
  cfaPattern: 1,
  activeAreaSize: { width: 3280, height: 2464 },
  analogCrop: { x: 0, y: 0, width: 3280, height: 2464 },
  outputSize: { width: 1640, height: 1232 },
  pixelRate: 182400000n,
  minLineLength: 3448,
  maxLineLength: 65535,
  minFrameLength: 1248,
  maxFrameLength: 65535,
};

/** 24 request controls of every shape an IPA sees: bools, enums, ints, floats, arrays, a rectangle. */
export function requestControls(): ControlList {
  return new ControlList(controlIds)
    .set(controls.AeEnable, true)
    .set(controls.AeMeteringMode, 1)
    .set(controls.AeConstraintMode, 0)
    .set(controls.AeExposureMode, 0)
    .set(controls.ExposureValue, 0.5)
    .set(controls.ExposureTime, 33000)
    .set(controls.ExposureTimeMode, 1)
    .set(controls.AnalogueGain, 2.5)
    .set(controls.AnalogueGainMode, 1)
    .set(controls.AeFlickerMode, 0)
    .set(controls.AeFlickerPeriod, 10000)
    .set(controls.Brightness, 0.1)
    .set(controls.Contrast, 1.2)
    .set(controls.AwbEnable, false)
    .set(controls.AwbMode, 0)
    .set(controls.ColourGains, [1.5, 2.25])
    .set(controls.Saturation, 1)
    .set(controls.Sharpness, 0.5)
    .set(controls.ColourCorrectionMatrix, [1.6, -0.4, -0.2, -0.3, 1.5, -0.2, -0.1, -0.5, 1.6])
    .set(controls.ScalerCrop, { x: 16, y: 8, width: 608, height: 464 })
    .set(controls.DigitalGain, 1)
    .set(controls.FrameDurationLimits, [33333n, 66666n])
    .set(controls.Gamma, 2.2)
    .set(controls.HdrMode, 0);
}

export const buffers: IPABuffer[] = Array.from({ length: 8 }, (_, id) => ({
  id,
  planes: [new FrameBufferPlane(new SharedFD(20 + id), 0, 640 * 480 * 2)],
}));

// ---- the same information as plain data, for general-purpose serializers --------------------

export interface PlainControl {
  id: number;
  type: ControlType;
  isArray: boolean;
  value: unknown;
}

export function plainControls(list: ControlList): PlainControl[] {
  return [...list].map(([id, v]) => ({ id, type: v.type, isArray: v.isArray, value: v.value }));
}

export const plainBuffers = buffers.map((b) => ({
  id: b.id,
  planes: b.planes.map((p) => ({ fd: p.fd.fd, offset: p.offset, length: p.length })),
}));

/** JSON has no 64-bit integers: its variant carries them as numbers. */
export function withoutBigints<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
}
