/**
 * The camera sensor as libcamera's CameraSensor describes it to an rkisp1 IPA: its model, the
 * IPACameraSensorInfo of its current mode, and the control delays libcamera's
 * camera_sensor_properties records for it.
 */
import type { IPACameraSensorInfo } from '../../runtime';
import type { MediaGraph, Subdevice } from '../../runtime/v4l2';
import { CameraError } from '../../camera/errors';
import type { DelayedControlParams } from '../../camera/delayed-controls';

export const V4L2_CID_EXPOSURE = 0x00980911;
export const V4L2_CID_VBLANK = 0x009e0901;
export const V4L2_CID_HBLANK = 0x009e0902;
export const V4L2_CID_ANALOGUE_GAIN = 0x009e0903;
export const V4L2_CID_PIXEL_RATE = 0x009f0902;

/** Raw media bus codes: bits per pixel and libcamera's ColorFilterArrangement (RGGB 0, GRBG 1, GBRG 2, BGGR 3). */
const RAW_CODES = new Map<number, { bits: number; cfa: number }>([
  [0x3001, { bits: 8, cfa: 3 }], [0x3013, { bits: 8, cfa: 2 }], [0x3002, { bits: 8, cfa: 1 }], [0x3014, { bits: 8, cfa: 0 }],
  [0x3007, { bits: 10, cfa: 3 }], [0x300e, { bits: 10, cfa: 2 }], [0x300a, { bits: 10, cfa: 1 }], [0x300f, { bits: 10, cfa: 0 }],
  [0x3008, { bits: 12, cfa: 3 }], [0x3010, { bits: 12, cfa: 2 }], [0x3011, { bits: 12, cfa: 1 }], [0x3012, { bits: 12, cfa: 0 }],
]);

interface SensorProperties {
  /** Frames from writing each control to the first frame it shapes. */
  delays: { exposure: number; gain: number; vblank: number };
  /** The pixel array's active area, as the driver's default crop gives it. */
  activeArea: { left: number; top: number; width: number; height: number };
}

/** libcamera's camera_sensor_properties, for the sensors this package knows. */
const SENSORS: Record<string, SensorProperties> = {
  imx219: { delays: { exposure: 2, gain: 1, vblank: 2 }, activeArea: { left: 8, top: 8, width: 3280, height: 2464 } },
};

/** libcamera's default for a sensor it has no properties for: every control takes effect at once. */
const UNKNOWN_DELAYS = { exposure: 0, gain: 0, vblank: 0 };

/** The sensor's model, as libcamera names it from the entity: the name up to its I2C address. */
export function sensorModel(entityName: string): string {
  return entityName.split(' ')[0]!;
}

/** DelayedControls' parameters for the sensor: gain, exposure, and vertical blanking written first. */
export function sensorDelays(model: string): [number, DelayedControlParams][] {
  const delays = SENSORS[model]?.delays ?? UNKNOWN_DELAYS;
  return [
    [V4L2_CID_ANALOGUE_GAIN, { delay: delays.gain }],
    [V4L2_CID_EXPOSURE, { delay: delays.exposure }],
    [V4L2_CID_VBLANK, { delay: delays.vblank, priorityWrite: true }],
  ];
}

/** The raw codes libcamera offers the sensor for processed streams, deepest first. */
export function preferredRawCode(codes: readonly number[]): number | undefined {
  return [...codes].filter((c) => RAW_CODES.has(c)).sort((a, b) => RAW_CODES.get(b)!.bits - RAW_CODES.get(a)!.bits)[0];
}

/** The first sensor entity the links lead from to `isp`, with the entities on the way. */
export function sensorPath(media: MediaGraph, isp: string, isSensor: (name: string) => boolean): { sensor: string; links: { source: string; sourcePad: number; sink: string; sinkPad: number }[] } {
  const links = media.links();
  const walk = (entity: string, seen: Set<string>): { source: string; sourcePad: number; sink: string; sinkPad: number }[] | undefined => {
    if (entity === isp) return [];
    for (const link of links.filter((l) => l.source.entity === entity && !seen.has(l.sink.entity))) {
      const rest = walk(link.sink.entity, new Set([...seen, link.sink.entity]));
      if (rest) return [{ source: entity, sourcePad: link.source.pad, sink: link.sink.entity, sinkPad: link.sink.pad }, ...rest];
    }
    return undefined;
  };
  for (const entity of media.entities()) {
    if (!isSensor(entity.name)) continue;
    const path = walk(entity.name, new Set([entity.name]));
    if (path) return { sensor: entity.name, links: path };
  }
  throw new CameraError(`${media.path}: no camera sensor is linked to ${isp}`);
}

/**
 * libcamera's CameraSensor::sensorInfo for the sensor's current format: the line and frame
 * lengths from the blanking controls' ranges, the pixel rate from its control, the analogue crop
 * inside the active area.
 */
export function sensorInfo(sensor: Subdevice, model: string): IPACameraSensorInfo {
  const format = sensor.format(0);
  const raw = RAW_CODES.get(format.code);
  if (!raw) throw new CameraError(`${sensor.path}: the sensor's format 0x${format.code.toString(16)} is not a Bayer format rkisp1 takes`);
  const control = (id: number, name: string) => {
    const found = sensor.controls().find((c) => c.id === id);
    if (!found) throw new CameraError(`${sensor.path}: the sensor has no ${name} control, which the rkisp1 IPA needs`);
    return found;
  };
  const hblank = control(V4L2_CID_HBLANK, 'horizontal blanking');
  const vblank = control(V4L2_CID_VBLANK, 'vertical blanking');
  control(V4L2_CID_EXPOSURE, 'exposure');
  control(V4L2_CID_ANALOGUE_GAIN, 'analogue gain');
  const [pixelRate] = sensor.getControls([control(V4L2_CID_PIXEL_RATE, 'pixel rate').id]);
  const crop = sensor.crop(0);
  const active = SENSORS[model]?.activeArea ?? { left: 0, top: 0, width: crop.left + crop.width, height: crop.top + crop.height };
  return {
    model,
    bitsPerPixel: raw.bits,
    cfaPattern: raw.cfa,
    activeAreaSize: { width: active.width, height: active.height },
    analogCrop: { x: Math.max(0, crop.left - active.left), y: Math.max(0, crop.top - active.top), width: crop.width, height: crop.height },
    outputSize: { width: format.width, height: format.height },
    pixelRate: BigInt(pixelRate as number | bigint),
    minLineLength: format.width + Number(hblank.minimum),
    maxLineLength: format.width + Number(hblank.maximum),
    minFrameLength: format.height + Number(vblank.minimum),
    maxFrameLength: format.height + Number(vblank.maximum),
  };
}
