import { Colorspace, DeviceError, EntityFunction, fourcc, LinkFlag, MbusCode, PadFlag, V4L2Cid, type VideoFormat } from '../../../runtime/v4l2';
import { booleanControl, integerControl, menuControl, SimulatedControls } from '../../../camera/simulated/controls';
import { SimulatedMediaGraph, type MediaTopology } from '../../../camera/simulated/media-graph';
import type { SimulatedSubdevice } from '../../../camera/simulated/subdevice';
import type { CaptureFormatInfo, StreamSource, VideoNodeRules } from '../../../camera/simulated/video-device';
import { renderFrame, SIMULATED_PATTERNS } from './pattern';

export interface SimulatedVimcOptions {
  /** Frames a second the simulated sensors produce (the real vimc paces itself at most 60). */
  frameRate?: number;
}

const BAYER_CODES: readonly number[] = [MbusCode.SBGGR8_1X8, MbusCode.SGBRG8_1X8, MbusCode.SGRBG8_1X8, MbusCode.SRGGB8_1X8];
/** The debayer's sink defaults to RGGB, as the driver's does. */
const DEBAYER_SINK_CODES: readonly number[] = [MbusCode.SRGGB8_1X8, MbusCode.SBGGR8_1X8, MbusCode.SGBRG8_1X8, MbusCode.SGRBG8_1X8];
const RGB_CODES: readonly number[] = [MbusCode.RGB888_1X24, MbusCode.BGR888_1X24];
/** What every pad and capture node of the 6.1 driver takes. */
const PAD_SIZES = { min: { width: 16, height: 16 }, max: { width: 4096, height: 2160 } };
/** vimc's capture nodes start streaming once two buffers are queued. */
const VIDEO_NODE: VideoNodeRules = { driver: 'vimc', busInfo: 'platform:vimc-simulated', sizes: PAD_SIZES, minQueued: 2 };

const RGB_CAPTURE_FORMATS: readonly CaptureFormatInfo[] = [
  { pixelFormat: fourcc('RGB3'), description: '24-bit RGB 8-8-8', bytesPerPixel: 3 },
  { pixelFormat: fourcc('BGR3'), description: '24-bit BGR 8-8-8', bytesPerPixel: 3 },
];

const RAW_CAPTURE_FORMATS: readonly CaptureFormatInfo[] = [
  { pixelFormat: fourcc('BA81'), description: '8-bit Bayer BGBG/GRGR', bytesPerPixel: 1 },
  { pixelFormat: fourcc('GBRG'), description: '8-bit Bayer GBGB/RGRG', bytesPerPixel: 1 },
  { pixelFormat: fourcc('GRBG'), description: '8-bit Bayer GRGR/BGBG', bytesPerPixel: 1 },
  { pixelFormat: fourcc('RGGB'), description: '8-bit Bayer RGRG/GBGB', bytesPerPixel: 1 },
];

const ENTITIES: MediaTopology['entities'] = [
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
const LINKS: MediaTopology['links'] = [
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
export class SimulatedVimc extends SimulatedMediaGraph {
  constructor(options: SimulatedVimcOptions = {}) {
    super(SIMULATED_MEDIA_PATH, { driver: 'vimc', model: 'VIMC MDEV (simulated)', serial: '', busInfo: 'platform:vimc-simulated', driverVersion: 0x060100 }, { entities: ENTITIES, links: LINKS, devnodes: DEVNODES });
    const frameRate = options.frameRate ?? 30;
    if (!(frameRate > 0 && frameRate <= 1000)) throw new RangeError(`frame rate ${frameRate}: give 0 < rate <= 1000`);
    for (const sensor of ['Sensor A', 'Sensor B', 'RGB/YUV Input']) {
      this.addSubdevice(sensor, { codes: [[...RGB_CODES, ...BAYER_CODES]], sizes: PAD_SIZES }, sensorControls(this.node(sensor)));
    }
    for (const debayer of ['Debayer A', 'Debayer B']) {
      const controls = new SimulatedControls(this.node(debayer), [integerControl(0x00f0f001, 'Debayer Mean Window Size', 1, 25, 3, 2)]);
      this.addSubdevice(debayer, { codes: [DEBAYER_SINK_CODES, RGB_CODES], sizes: PAD_SIZES, propagate: { sink: 0, source: 1, sameCode: false } }, controls);
    }
    this.addSubdevice('Scaler', { codes: [RGB_CODES, RGB_CODES], sizes: PAD_SIZES, propagate: { sink: 0, source: 1, sameCode: true }, crops: true }, new SimulatedControls(this.node('Scaler'), []));
    for (const raw of ['Raw Capture 0', 'Raw Capture 1']) this.addVideoDevice(raw, RAW_CAPTURE_FORMATS, VIDEO_NODE, undefined);
    this.addVideoDevice('RGB/YUV Capture', RGB_CAPTURE_FORMATS, VIDEO_NODE, this.rgbSource(frameRate));
  }

  /** Frames produced while no buffer was queued, and frames the timer was too late for. */
  get frameCounters(): { missed: number; late: number } {
    const capture = this.videos.get('RGB/YUV Capture')!;
    return { missed: capture.missedFrames, late: capture.lateFrames };
  }

  /** The RGB capture's view of the graph: checked at STREAMON, read for each frame. */
  private rgbSource(frameRate: number): StreamSource {
    const sub = (name: string) => this.subdevices.get(name)!;
    let sensor: SimulatedSubdevice | undefined;
    const chain = (): SimulatedSubdevice => {
      const into = this.enabledSourceOf('Scaler');
      if (!into) throw this.pipe('the Scaler has no enabled input link');
      if (into.entity === 'RGB/YUV Input') throw new DeviceError(`${this.path}: streaming from 'RGB/YUV Input' is not simulated`, 'ENOTSUP', undefined, 'VIDIOC_STREAMON', this.path);
      return sub(into.entity === 'Debayer A' ? 'Sensor A' : 'Sensor B');
    };
    return {
      frameRate,
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
        return renderFrame({
          pattern: s.ctrls.value(V4L2Cid.VimcTestPattern), sensorWidth: s.format(0).width, cropLeft: crop.left, cropWidth: crop.width,
          outputWidth: format.width, outputHeight: format.height, bytesPerLine: format.planes[0]!.bytesPerLine,
          order: rgb ? [0, 1, 2] : [2, 1, 0], hflip: s.ctrls.value(V4L2Cid.HFlip) !== 0,
          brightness: s.ctrls.value(V4L2Cid.Brightness), contrast: s.ctrls.value(V4L2Cid.Contrast),
        });
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
