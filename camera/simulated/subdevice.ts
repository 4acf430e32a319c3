import { Colorspace, DeviceError, type MbusFormat, type Rectangle, type Subdevice, type V4L2ControlValue } from '../../runtime/v4l2';
import type { Size } from '../configuration';
import { SimulatedControls } from './controls';

/** How a kind of entity treats formats on its pads: each platform's driver has its own. */
export interface PadRules {
  /** The codes each pad accepts (the first is its default). */
  codes: readonly (readonly number[])[];
  /** The sizes a pad takes; a size asked for outside them is clamped, then made even. */
  sizes: { min: Size; max: Size };
  /** Sink pad formats propagate to the source pad (size always; the code too when `sameCode`). */
  propagate?: { sink: number; source: number; sameCode: boolean };
  /** The entity crops its sink pad (the scaler). */
  crops?: boolean;
  /** Other pads it crops too (an ISP's source), each within the sink pad's size. */
  cropPads?: readonly number[];
  /** The entity sends V4L2_EVENT_FRAME_SYNC (an ISP), through `frameStart`. */
  frameSync?: boolean;
}

/**
 * A simulated sub-device: pad formats adjusted as a driver adjusts them (sizes clamped to the
 * rules' bounds and made even, unknown codes replaced by the pad's default, sink formats
 * propagated), a crop rectangle where the driver has one, and controls. Pads start at 640x480.
 */
export class SimulatedSubdevice implements Subdevice {
  private readonly formats: Required<Pick<MbusFormat, 'code' | 'width' | 'height' | 'colorspace'>>[];
  private readonly cropRects = new Map<number, Rectangle>();
  private frameStartHandler: ((sequence: number) => void) | undefined;
  streaming = false;

  constructor(readonly path: string, readonly entity: string, private readonly rules: PadRules, readonly ctrls: SimulatedControls, defaultSize: Size = { width: 640, height: 480 }) {
    this.formats = rules.codes.map((codes) => ({ code: codes[0]!, width: defaultSize.width, height: defaultSize.height, colorspace: Colorspace.Srgb }));
    for (const pad of this.cropPads) this.cropRects.set(pad, { left: 0, top: 0, ...defaultSize });
  }

  private get cropPads(): readonly number[] {
    return [...(this.rules.crops ? [0] : []), ...(this.rules.cropPads ?? [])];
  }

  format(pad: number): MbusFormat {
    return { ...this.pad(pad, 'VIDIOC_SUBDEV_G_FMT'), field: 1 };
  }

  setFormat(pad: number, wanted: MbusFormat): MbusFormat {
    const current = this.pad(pad, 'VIDIOC_SUBDEV_S_FMT');
    if (this.streaming) throw this.error('EBUSY', 'VIDIOC_SUBDEV_S_FMT', 'Device or resource busy');
    const propagate = this.rules.propagate;
    const codes = this.rules.codes[pad]!;
    const followsSink = propagate?.sameCode && pad === propagate.source;
    current.code = followsSink ? current.code : codes.includes(wanted.code) ? wanted.code : codes[0]!;
    if (!followsSink) current.colorspace = wanted.colorspace || Colorspace.Srgb;
    const { min, max } = this.rules.sizes;
    current.width = Math.min(max.width, Math.max(min.width, wanted.width)) & ~1;
    current.height = Math.min(max.height, Math.max(min.height, wanted.height)) & ~1;
    if (propagate && pad === propagate.sink) {
      const source = this.formats[propagate.source]!;
      Object.assign(source, { width: current.width, height: current.height, colorspace: current.colorspace });
      if (propagate.sameCode) source.code = current.code;
      for (const crop of this.cropPads) this.cropRects.set(crop, { left: 0, top: 0, width: current.width, height: current.height });
    }
    return this.format(pad);
  }

  mbusCodes(pad: number): number[] {
    this.pad(pad, 'VIDIOC_SUBDEV_ENUM_MBUS_CODE');
    return [...this.rules.codes[pad]!];
  }

  crop(pad: number): Rectangle {
    const rect = this.cropRects.get(pad);
    if (!rect) throw this.error('ENOTTY', 'VIDIOC_SUBDEV_G_SELECTION', 'Inappropriate ioctl for device');
    return { ...rect };
  }

  setCrop(pad: number, r: Rectangle): Rectangle {
    if (!this.cropRects.has(pad)) throw this.error('ENOTTY', 'VIDIOC_SUBDEV_S_SELECTION', 'Inappropriate ioctl for device');
    const sink = this.formats[0]!;
    const { min } = this.rules.sizes;
    const width = Math.min(sink.width, Math.max(min.width, r.width)) & ~1;
    const height = Math.min(sink.height, Math.max(min.height, r.height)) & ~1;
    const left = Math.min(sink.width - width, Math.max(0, r.left)) & ~1;
    const top = Math.min(sink.height - height, Math.max(0, r.top)) & ~1;
    this.cropRects.set(pad, { left, top, width, height });
    return this.crop(pad);
  }

  controls() {
    return this.ctrls.controls();
  }

  getControls(ids: readonly number[]) {
    return this.ctrls.getControls(ids);
  }

  setControls(values: readonly (readonly [number, V4L2ControlValue])[]) {
    return this.ctrls.setControls(values);
  }

  /** Only an entity whose rules say so sends frame start events (the others refuse, as a driver without them does). */
  onFrameStart(handler: ((sequence: number) => void) | undefined): void {
    if (handler !== undefined && typeof handler !== 'function') throw new TypeError(`${this.path}: onFrameStart takes a function or undefined, not ${typeof handler}`);
    if (!this.rules.frameSync) throw this.error('ENOTTY', 'VIDIOC_SUBSCRIBE_EVENT', 'this entity sends no frame start events');
    this.frameStartHandler = handler;
  }

  /** The simulated hardware's frame start: tells the subscriber, if there is one. */
  frameStart(sequence: number): void {
    this.frameStartHandler?.(sequence);
  }

  close(): void {}

  private pad(pad: number, call: string) {
    const format = this.formats[pad];
    if (!format) throw this.error('EINVAL', call, 'Invalid argument');
    return format;
  }

  private error(code: string, call: string, what: string): DeviceError {
    return new DeviceError(`${this.path}: ${call}: ${what}`, code, undefined, call, this.path);
  }
}
