import {
  Colorspace, DeviceError, EntityFunction, fourcc, LinkFlag, MbusCode, PadFlag, V4L2Cid, type MediaDeviceInfo, type MediaEntity,
  type MediaGraph, type MediaLink, type Subdevice, type VideoDevice, type VideoFormat,
} from '../../../runtime/v4l2';
import { RAW_CAPTURE_FORMATS, RGB_CAPTURE_FORMATS, SimulatedVideoDevice, type StreamSource } from './capture';
import { booleanControl, integerControl, menuControl, SimulatedControls } from '../../../camera/simulated/controls';
import { SimulatedSubdevice } from '../../../camera/simulated/subdevice';
import { SIMULATED_PATTERNS } from './pattern';

export interface SimulatedVimcOptions {
  /** Frames a second the simulated sensors produce (the real vimc paces itself at most 60). */
  frameRate?: number;
}

const BAYER_CODES: readonly number[] = [MbusCode.SBGGR8_1X8, MbusCode.SGBRG8_1X8, MbusCode.SGRBG8_1X8, MbusCode.SRGGB8_1X8];
/** The debayer's sink defaults to RGGB, as the driver's does. */
const DEBAYER_SINK_CODES: readonly number[] = [MbusCode.SRGGB8_1X8, MbusCode.SBGGR8_1X8, MbusCode.SGBRG8_1X8, MbusCode.SGRBG8_1X8];
const RGB_CODES: readonly number[] = [MbusCode.RGB888_1X24, MbusCode.BGR888_1X24];
/** What every pad of the 6.1 driver takes. */
const PAD_SIZES = { min: { width: 16, height: 16 }, max: { width: 4096, height: 2160 } };

const ENTITIES: { name: string; function: number; pads: number[] }[] = [
  { name: 'Sensor A', function: EntityFunction.CamSensor, pads: [PadFlag.Source] },
  { name: 'Sensor B', function: EntityFunction.CamSensor, pads: [PadFlag.Source] },
  { name: 'Debayer A', function: EntityFunction.ProcVideoPixelEncConv, pads: [PadFlag.Sink, PadFlag.Source] },
  { name: 'Debayer B', function: EntityFunction.ProcVideoPixelEncConv, pads: [PadFlag.Sink, PadFlag.Source] },
  { name: 'Raw Capture 0', function: EntityFunction.IoV4l, pads: [PadFlag.Sink] },
  { name: 'Raw Capture 1', function: EntityFunction.IoV4l, pads: [PadFlag.Sink] },
  { name: 'RGB/YUV Input', function: EntityFunction.CamSensor, pads: [PadFlag.Source] },
  { name: 'Scaler', function: EntityFunction.ProcVideoScaler, pads: [PadFlag.Sink, PadFlag.Source] },
  { name: 'RGB/YUV Capture', function: EntityFunction.IoV4l, pads: [PadFlag.Sink] },
  { name: 'Lens A', function: EntityFunction.Lens, pads: [] },
  { name: 'Lens B', function: EntityFunction.Lens, pads: [] },
];

/** The data links of the 6.1 driver, enabled as it starts. */
const LINKS: { source: [string, number]; sink: [string, number]; flags: number }[] = [
  { source: ['Sensor A', 0], sink: ['Debayer A', 0], flags: LinkFlag.Enabled | LinkFlag.Immutable },
  { source: ['Sensor A', 0], sink: ['Raw Capture 0', 0], flags: LinkFlag.Enabled | LinkFlag.Immutable },
  { source: ['Sensor B', 0], sink: ['Debayer B', 0], flags: LinkFlag.Enabled | LinkFlag.Immutable },
  { source: ['Sensor B', 0], sink: ['Raw Capture 1', 0], flags: LinkFlag.Enabled | LinkFlag.Immutable },
  { source: ['Debayer A', 1], sink: ['Scaler', 0], flags: LinkFlag.Enabled },
  { source: ['Debayer B', 1], sink: ['Scaler', 0], flags: 0 },
  { source: ['RGB/YUV Input', 0], sink: ['Scaler', 0], flags: 0 },
  { source: ['Scaler', 1], sink: ['RGB/YUV Capture', 0], flags: LinkFlag.Enabled | LinkFlag.Immutable },
];

const DEVNODES: Record<string, string> = {
  'Raw Capture 0': 'video0', 'Raw Capture 1': 'video1', 'RGB/YUV Capture': 'video2',
  'Sensor A': 'v4l-subdev0', 'Sensor B': 'v4l-subdev1', 'Debayer A': 'v4l-subdev2', 'Debayer B': 'v4l-subdev3',
  'RGB/YUV Input': 'v4l-subdev4', 'Scaler': 'v4l-subdev5', 'Lens A': 'v4l-subdev6', 'Lens B': 'v4l-subdev7',
};

/** Which capture pixel format goes with which media bus code. */
const CODE_OF_PIXEL_FORMAT = new Map<number, number>([
  [fourcc('RGB3'), MbusCode.RGB888_1X24], [fourcc('BGR3'), MbusCode.BGR888_1X24],
  [fourcc('BA81'), MbusCode.SBGGR8_1X8], [fourcc('GBRG'), MbusCode.SGBRG8_1X8],
  [fourcc('GRBG'), MbusCode.SGRBG8_1X8], [fourcc('RGGB'), MbusCode.SRGGB8_1X8],
]);

export const SIMULATED_MEDIA_PATH = 'simulated:/dev/media0';

/**
 * vimc simulated in user space: the entities, pads, links, formats, controls and test pattern of
 * the Linux 6.1 driver, frames paced at a chosen rate. Clearly not a camera: its paths start with
 * `simulated:` and its model says so.
 */
export class SimulatedVimc implements MediaGraph {
  readonly simulated = true;
  readonly path = SIMULATED_MEDIA_PATH;
  readonly info: MediaDeviceInfo = { driver: 'vimc', model: 'VIMC MDEV (simulated)', serial: '', busInfo: 'platform:vimc-simulated', driverVersion: 0x060100 };
  private readonly links_ = LINKS.map((l) => ({ ...l }));
  private readonly subdevices = new Map<string, SimulatedSubdevice>();
  private readonly videos = new Map<string, SimulatedVideoDevice>();
  private readonly frameRate: number;

  constructor(options: SimulatedVimcOptions = {}) {
    this.frameRate = options.frameRate ?? 30;
    if (!(this.frameRate > 0 && this.frameRate <= 1000)) throw new RangeError(`frame rate ${this.frameRate}: give 0 < rate <= 1000`);
    for (const sensor of ['Sensor A', 'Sensor B', 'RGB/YUV Input']) {
      this.subdevices.set(sensor, new SimulatedSubdevice(this.node(sensor), sensor, { codes: [[...RGB_CODES, ...BAYER_CODES]], sizes: PAD_SIZES }, sensorControls(this.node(sensor))));
    }
    for (const debayer of ['Debayer A', 'Debayer B']) {
      const controls = new SimulatedControls(this.node(debayer), [integerControl(0x00f0f001, 'Debayer Mean Window Size', 1, 25, 3, 2)]);
      this.subdevices.set(debayer, new SimulatedSubdevice(this.node(debayer), debayer, { codes: [DEBAYER_SINK_CODES, RGB_CODES], sizes: PAD_SIZES, propagate: { sink: 0, source: 1, sameCode: false } }, controls));
    }
    this.subdevices.set('Scaler', new SimulatedSubdevice(this.node('Scaler'), 'Scaler', { codes: [RGB_CODES, RGB_CODES], sizes: PAD_SIZES, propagate: { sink: 0, source: 1, sameCode: true }, crops: true }, new SimulatedControls(this.node('Scaler'), [])));
    for (const raw of ['Raw Capture 0', 'Raw Capture 1']) this.videos.set(raw, new SimulatedVideoDevice(this.node(raw), raw, RAW_CAPTURE_FORMATS, undefined));
    this.videos.set('RGB/YUV Capture', new SimulatedVideoDevice(this.node('RGB/YUV Capture'), 'RGB/YUV Capture', RGB_CAPTURE_FORMATS, this.rgbSource()));
  }

  private node(entity: string): string {
    return `simulated:/dev/${DEVNODES[entity]}`;
  }

  entities(): MediaEntity[] {
    return ENTITIES.map((e) => this.entity(e.name));
  }

  entity(name: string): MediaEntity {
    const index = ENTITIES.findIndex((e) => e.name === name);
    if (index < 0) throw new DeviceError(`${this.path}: no entity '${name}' in ${this.info.model}`, 'ENODEV', undefined, undefined, this.path);
    const e = ENTITIES[index]!;
    return { id: index + 1, name, function: e.function, pads: e.pads.map((flags, i) => ({ id: 100 + index * 2 + i, index: i, flags })), devnode: this.node(name) };
  }

  links(): MediaLink[] {
    return this.links_.map((l) => ({
      source: { entity: l.source[0], pad: l.source[1] },
      sink: { entity: l.sink[0], pad: l.sink[1] },
      enabled: (l.flags & LinkFlag.Enabled) !== 0,
      immutable: (l.flags & LinkFlag.Immutable) !== 0,
    }));
  }

  setLink(source: string, sourcePad: number, sink: string, sinkPad: number, enabled: boolean): void {
    const link = this.links_.find((l) => l.source[0] === source && l.source[1] === sourcePad && l.sink[0] === sink && l.sink[1] === sinkPad);
    if (!link) throw new DeviceError(`${this.path}: no link '${source}':${sourcePad} -> '${sink}':${sinkPad}`, 'ENOLINK', undefined, undefined, this.path);
    if (((link.flags & LinkFlag.Enabled) !== 0) === enabled) return;
    if (link.flags & LinkFlag.Immutable) throw new DeviceError(`${this.path}: MEDIA_IOC_SETUP_LINK: Invalid argument (immutable link)`, 'EINVAL', 22, 'MEDIA_IOC_SETUP_LINK', this.path);
    link.flags = enabled ? link.flags | LinkFlag.Enabled : link.flags & ~LinkFlag.Enabled;
  }

  disableLinks(): void {
    for (const link of this.links_) if (!(link.flags & LinkFlag.Immutable)) link.flags &= ~LinkFlag.Enabled;
  }

  openSubdevice(entityName: string): Subdevice {
    const device = this.subdevices.get(entityName);
    if (!device) throw new DeviceError(`${this.path}: entity '${entityName}' has no sub-device node`, 'ENODEV', undefined, undefined, this.path);
    return device;
  }

  openVideoDevice(entityName: string): VideoDevice {
    const device = this.videos.get(entityName);
    if (!device) throw new DeviceError(`${this.path}: entity '${entityName}' has no video node`, 'ENODEV', undefined, undefined, this.path);
    return device;
  }

  /** Frames produced while no buffer was queued, and frames the timer was too late for. */
  get frameCounters(): { missed: number; late: number } {
    const capture = this.videos.get('RGB/YUV Capture')!;
    return { missed: capture.missedFrames, late: capture.lateFrames };
  }

  close(): void {
    for (const video of this.videos.values()) video.close();
  }

  /** The RGB capture's view of the graph: checked at STREAMON, read for each frame. */
  private rgbSource(): StreamSource {
    const sub = (name: string) => this.subdevices.get(name)!;
    let sensor: SimulatedSubdevice | undefined;
    const chain = (): SimulatedSubdevice => {
      const into = this.links_.find((l) => l.sink[0] === 'Scaler' && l.flags & LinkFlag.Enabled);
      if (!into) throw this.pipe('the Scaler has no enabled input link');
      if (into.source[0] === 'RGB/YUV Input') throw new DeviceError(`${this.path}: streaming from 'RGB/YUV Input' is not simulated`, 'ENOTSUP', undefined, 'VIDIOC_STREAMON', this.path);
      return sub(into.source[0] === 'Debayer A' ? 'Sensor A' : 'Sensor B');
    };
    return {
      frameRate: this.frameRate,
      start: () => {
        const source = chain();
        const letter = source.entity.slice(-1);
        const debayer = sub(`Debayer ${letter}`);
        const scaler = sub('Scaler');
        this.agree(source.format(0), debayer.format(0), `'Sensor ${letter}':0 -> 'Debayer ${letter}':0`);
        this.agree(debayer.format(1), scaler.format(0), `'Debayer ${letter}':1 -> 'Scaler':0`);
        this.agreeVideo(scaler.format(1), this.videos.get('RGB/YUV Capture')!.format(), "'Scaler':1 -> 'RGB/YUV Capture'");
        this.agreeVideo(source.format(0), this.videos.get(`Raw Capture ${letter === 'A' ? 0 : 1}`)!.format(), `'Sensor ${letter}':0 -> 'Raw Capture ${letter === 'A' ? 0 : 1}'`);
        sensor = source;
        for (const s of [source, debayer, scaler]) s.streaming = true;
      },
      controlsVersion: () => sensor!.ctrls.version,
      render: (format: VideoFormat) => {
        const s = sensor!;
        const crop = sub('Scaler').crop(0);
        const rgb = format.pixelFormat === fourcc('RGB3');
        return {
          pattern: s.ctrls.value(V4L2Cid.VimcTestPattern), sensorWidth: s.format(0).width, cropLeft: crop.left, cropWidth: crop.width,
          outputWidth: format.width, outputHeight: format.height, bytesPerLine: format.planes[0]!.bytesPerLine,
          order: rgb ? [0, 1, 2] : [2, 1, 0], hflip: s.ctrls.value(V4L2Cid.HFlip) !== 0,
          brightness: s.ctrls.value(V4L2Cid.Brightness), contrast: s.ctrls.value(V4L2Cid.Contrast),
        };
      },
      stop: () => {
        for (const s of this.subdevices.values()) s.streaming = false;
        sensor = undefined;
      },
    };
  }

  private agree(a: { code: number; width: number; height: number; colorspace?: number }, b: typeof a, link: string): void {
    if (a.code !== b.code || a.width !== b.width || a.height !== b.height || (a.colorspace ?? Colorspace.Srgb) !== (b.colorspace ?? Colorspace.Srgb)) {
      throw this.pipe(`${link} disagree: ${describe(a)} vs ${describe(b)}`);
    }
  }

  private agreeVideo(pad: { code: number; width: number; height: number; colorspace?: number }, video: VideoFormat, link: string): void {
    const code = CODE_OF_PIXEL_FORMAT.get(video.pixelFormat);
    this.agree(pad, { code: code ?? -1, width: video.width, height: video.height, colorspace: video.colorspace }, link);
  }

  private pipe(why: string): DeviceError {
    return new DeviceError(`simulated:/dev/video2: VIDIOC_STREAMON: Broken pipe (${why})`, 'EPIPE', 32, 'VIDIOC_STREAMON', 'simulated:/dev/video2');
  }
}

function describe(f: { code: number; width: number; height: number; colorspace?: number }): string {
  return `0x${f.code.toString(16)}/${f.width}x${f.height} colorspace ${f.colorspace ?? Colorspace.Srgb}`;
}

function sensorControls(path: string): SimulatedControls {
  const patterns = Object.fromEntries(Object.entries(SIMULATED_PATTERNS).map(([i, p]) => [i, p.name]));
  return new SimulatedControls(path, [
    integerControl(V4L2Cid.Brightness, 'Brightness', 0, 255, 128),
    integerControl(V4L2Cid.Contrast, 'Contrast', 0, 255, 128),
    integerControl(V4L2Cid.Saturation, 'Saturation', 0, 255, 128),
    integerControl(V4L2Cid.Hue, 'Hue', -128, 127, 0),
    booleanControl(V4L2Cid.HFlip, 'Horizontal Flip'),
    booleanControl(V4L2Cid.VFlip, 'Vertical Flip'),
    menuControl(V4L2Cid.VimcTestPattern, 'Test Pattern', patterns, 0),
    menuControl(V4L2Cid.VimcShowInformation, 'Show Information', { 0: 'All', 1: 'Counters Only', 2: 'None' }, 0),
  ]);
}
