/**
 * The simulated rkisp1: an RK3399's ISP (V10) and an IMX219, as the kernel drivers show them to
 * libcamera's rkisp1 pipeline (topology.ts, imx219.ts), streaming as the driver does (below), with
 * an ISP model small enough to run at 120 fps (isp-image.ts, stats.ts, picture.ts).
 *
 * Simulated: the media graph, pad formats and STREAMON's link validation; the sensor's modes,
 * controls and delays; parameters buffers of both formats checked at QBUF and applied per frame;
 * black level subtraction, white balance gains, demosaic; AE, histogram and AWB statistics in the
 * kernel's layout; the main path's YUV picture; frame start events; one sequence per frame on
 * every node. Not simulated: noise, optics, the blocks after the white balance gains (accepted,
 * not applied), AF and automatic black level statistics, the self path, raw capture, and frame
 * timing from the blanking. docs/rkisp1.md says more.
 */
import { ControlType, DeviceError, MbusCode, V4L2Cid, type VideoFormat } from '../../../runtime/v4l2';
import { CONTROL_FLAG_READ_ONLY, SimulatedControls } from '../../../camera/simulated/controls';
import { FrameClock } from '../../../camera/simulated/frame-clock';
import { SimulatedMediaGraph } from '../../../camera/simulated/media-graph';
import type { SimulatedMetaDevice } from '../../../camera/simulated/meta-device';
import { Scene, type SceneOptions } from '../../../camera/simulated/scene';
import type { SimulatedSubdevice } from '../../../camera/simulated/subdevice';
import type { SimulatedVideoDevice, StreamSource } from '../../../camera/simulated/video-device';
import { encodeStats, type StatBuffer } from '../uapi';
import { IMX219_BLACK_LEVEL_10, SimulatedImx219, TEST_PATTERN_SOLID, type Imx219FrameSettings } from './imx219';
import { applyParams, defaultIspConfig, prepareParams, type IspConfig } from './isp-config';
import { processRaw, SensorModel, type RawGrid, type RgbGrid } from './isp-image';
import { renderPicture } from './picture';
import { measure } from './stats';
import {
  CID_SUPPORTED_PARAMS_BLOCKS, CSI, DEFAULT_SIZE, ISP, ISP_SIZES, ISP_VERSION, IspPad, MAINPATH, MAINPATH_NODE, MAINPATH_SIZES, PARAMS,
  PARAMS_FORMATS, RAW_CODES, RESIZER_MAIN, RESIZER_SELF, SELFPATH, SELFPATH_NODE, SELFPATH_SIZES, SENSOR, STATS, STATS_NODE, TOPOLOGY,
  V10_SUPPORTED_BLOCKS, YUV_CAPTURE_FORMATS, YUV_CODES,
} from './topology';

export interface SimulatedRkISP1Options {
  /** Frames a second the sensor makes (its blanking does not change this). */
  frameRate?: number;
  /** What the sensor looks at: by default the grey chart, brightness 50, under a neutral illuminant. */
  scene?: Partial<SceneOptions>;
  sensor?: 'imx219';
}

export const SIMULATED_RKISP1_MEDIA_PATH = 'simulated:/dev/media1';

const METADATA_PAD = { codes: [MbusCode.METADATA_FIXED] } as const;

/**
 * An RK3399's rkisp1 (ISP V10) with an IMX219, simulated in user space: the driver's entities,
 * links, formats and nodes; frames paced at a chosen rate. For each frame, as the driver: the
 * oldest parameters buffer queued is applied and returned with the frame's sequence, the ISP
 * sends a frame start event, the statistics buffer is filled from the raw frame the sensor
 * recorded of the scene with the exposure and gain in effect, and the main path gets the picture.
 * Every node's buffer of a frame carries that frame's sequence. See docs/rkisp1.md.
 */
export class SimulatedRkISP1 extends SimulatedMediaGraph {
  private readonly sensor: SimulatedImx219;
  private readonly isp: SimulatedSubdevice;
  private readonly mainpath: SimulatedVideoDevice;
  private readonly stats: SimulatedMetaDevice;
  private readonly params: SimulatedMetaDevice;
  private readonly clock: FrameClock;
  private readonly model: SensorModel;
  private config: IspConfig = defaultIspConfig();
  private sequence = 0;
  private raw: { key: string; grid: RawGrid } | undefined;
  private rgb: { raw: RawGrid; configVersion: number; grid: RgbGrid } | undefined;
  private pictureVersion = 0;
  private measured: { rgb: RgbGrid; configVersion: number; stats: StatBuffer } | undefined;

  constructor(options: SimulatedRkISP1Options = {}) {
    super(SIMULATED_RKISP1_MEDIA_PATH, {
      driver: 'rkisp1', model: 'rkisp1 (simulated)', serial: '', busInfo: 'platform:rkisp1-simulated', driverVersion: 0x060c00, hwRevision: ISP_VERSION,
    }, TOPOLOGY);
    const frameRate = options.frameRate ?? 30;
    if (!(frameRate > 0 && frameRate <= 1000)) throw new RangeError(`frame rate ${frameRate}: give 0 < rate <= 1000`);
    if ((options.sensor ?? 'imx219') !== 'imx219') throw new RangeError(`sensor '${options.sensor}': only the imx219 is simulated`);
    this.model = new SensorModel(new Scene({ brightness: 50, illuminant: { r: 1, g: 1, b: 1 }, ...options.scene }));
    const none = (entity: string) => new SimulatedControls(this.node(entity), []);

    this.sensor = this.registerSubdevice(new SimulatedImx219(this.node(SENSOR), SENSOR));
    this.addSubdevice(CSI, { codes: [RAW_CODES, RAW_CODES], sizes: ISP_SIZES, propagate: { sink: 0, source: 1, sameCode: true } }, none(CSI), DEFAULT_SIZE);
    this.isp = this.addSubdevice(ISP, {
      codes: [RAW_CODES, METADATA_PAD.codes, [MbusCode.YUYV8_2X8, ...RAW_CODES], METADATA_PAD.codes], sizes: ISP_SIZES,
      propagate: { sink: IspPad.SinkVideo, source: IspPad.SourceVideo, sameCode: false }, crops: true, cropPads: [IspPad.SourceVideo], frameSync: true,
    }, none(ISP), DEFAULT_SIZE);
    this.addSubdevice(RESIZER_MAIN, { codes: [[MbusCode.YUYV8_2X8, ...RAW_CODES], [...YUV_CODES, ...RAW_CODES]], sizes: MAINPATH_SIZES, propagate: { sink: 0, source: 1, sameCode: false }, crops: true }, none(RESIZER_MAIN), DEFAULT_SIZE);
    this.addSubdevice(RESIZER_SELF, { codes: [[MbusCode.YUYV8_2X8], [...YUV_CODES]], sizes: SELFPATH_SIZES, propagate: { sink: 0, source: 1, sameCode: false }, crops: true }, none(RESIZER_SELF), DEFAULT_SIZE);
    this.mainpath = this.addVideoDevice(MAINPATH, YUV_CAPTURE_FORMATS, MAINPATH_NODE, this.mainSource(frameRate));
    this.addVideoDevice(SELFPATH, YUV_CAPTURE_FORMATS, SELFPATH_NODE, undefined);
    this.stats = this.addMetaDevice(STATS, STATS_NODE);
    const blocks = { id: CID_SUPPORTED_PARAMS_BLOCKS, name: 'Supported Params Blocks', type: ControlType.Bitmask, minimum: 0n, maximum: 0xffffffffn, step: 0n, defaultValue: BigInt(V10_SUPPORTED_BLOCKS), flags: CONTROL_FLAG_READ_ONLY };
    this.params = this.addMetaDevice(PARAMS, { ...STATS_NODE, kind: 'meta-output', formats: PARAMS_FORMATS, prepare: prepareParams }, new SimulatedControls(this.node(PARAMS), [blocks]));
    this.clock = new FrameClock(() => frameRate, (timestamp) => this.frame(timestamp));
  }

  /** Main path frames made while no buffer was queued, and frames the timer was too late for. */
  get frameCounters(): { missed: number; late: number } {
    return { missed: this.mainpath.missedFrames, late: this.clock.lateFrames };
  }

  /** The ISP configuration the parameters buffers have set (for tests and diagnostics). */
  get ispConfig(): Readonly<IspConfig> {
    return this.config;
  }

  private mainSource(frameRate: number): StreamSource {
    return {
      frameRate,
      externalClock: true,
      start: () => {
        this.checkPipeline();
        for (const entity of [SENSOR, CSI, ISP, RESIZER_MAIN]) this.subdevices.get(entity)!.streaming = true;
        this.sensor.startStreaming();
        this.config = defaultIspConfig();
        this.sequence = 0;
        this.clock.start();
      },
      controlsVersion: () => this.pictureVersion,
      render: (format: VideoFormat) => renderPicture(this.rgb!.grid, this.subdevices.get(RESIZER_MAIN)!.crop(0), format),
      stop: () => {
        this.clock.stop();
        for (const s of this.subdevices.values()) s.streaming = false;
      },
    };
  }

  /** One frame of the sensor, through the ISP to every node. */
  private frame(timestamp: bigint): void {
    const sequence = this.sequence++;
    const settings = this.sensor.startFrame();
    const params = this.params.take();
    if (params) {
      applyParams(this.config, params.prepared as Parameters<typeof applyParams>[1]);
      this.params.complete(params, sequence, timestamp);
    }
    this.isp.frameStart(sequence);
    const rgb = this.process(this.record(settings));
    const stats = this.stats.take();
    if (stats) {
      encodeStats(this.measurements(rgb, sequence), stats.memory);
      this.stats.complete(stats, sequence, timestamp);
    }
    this.mainpath.deliver(sequence, timestamp);
  }

  private record(settings: Imx219FrameSettings): RawGrid {
    const { width, height } = this.sensor.format(0);
    const bitDepth = this.sensor.bitDepth;
    const format = {
      width, height, bitDepth, bayerOrder: this.sensor.bayerOrder, blackLevel: IMX219_BLACK_LEVEL_10 >> (10 - bitDepth),
      hflip: this.sensor.ctrls.value(V4L2Cid.HFlip) !== 0, vflip: this.sensor.ctrls.value(V4L2Cid.VFlip) !== 0,
    };
    const solid = settings.testPattern === TEST_PATTERN_SOLID ? settings.patternColour : undefined;
    const key = JSON.stringify([format, settings.exposureTimeUs, settings.gain, solid]);
    if (this.raw?.key !== key) this.raw = { key, grid: this.model.record(format, settings.exposureTimeUs, settings.gain, solid) };
    return this.raw.grid;
  }

  private process(raw: RawGrid): RgbGrid {
    if (this.rgb?.raw !== raw || this.rgb.configVersion !== this.config.version) {
      this.rgb = { raw, configVersion: this.config.version, grid: processRaw(raw, this.config) };
      this.pictureVersion++;
    }
    return this.rgb.grid;
  }

  /** A frame like the last measures the same: only its frame_id differs. */
  private measurements(rgb: RgbGrid, sequence: number): StatBuffer {
    if (this.measured?.rgb !== rgb || this.measured.configVersion !== this.config.version) {
      this.measured = { rgb, configVersion: this.config.version, stats: measure(rgb, this.config, sequence) };
    }
    this.measured.stats.frame_id = sequence;
    return this.measured.stats;
  }

  /** The kernel's link validation at STREAMON: every link of the path enabled, formats agreeing across each. */
  private checkPipeline(): void {
    const sub = (name: string) => this.subdevices.get(name)!;
    for (const [sink, source] of [[CSI, SENSOR], [ISP, CSI], [RESIZER_MAIN, ISP]] as const) {
      const into = this.enabledSourceOf(sink);
      if (into?.entity !== source) throw this.pipe(`'${sink}' is not fed by '${source}' over an enabled link`);
    }
    this.agree(sub(SENSOR).format(0), sub(CSI).format(0), `'${SENSOR}':0 -> '${CSI}':0`);
    this.agree(sub(CSI).format(1), sub(ISP).format(IspPad.SinkVideo), `'${CSI}':1 -> '${ISP}':0`);
    this.agree(sub(ISP).format(IspPad.SourceVideo), sub(RESIZER_MAIN).format(0), `'${ISP}':2 -> '${RESIZER_MAIN}':0`);
    const video = this.mainpath.format();
    const code = YUV_CAPTURE_FORMATS.find((f) => f.pixelFormat === video.pixelFormat)?.mbusCode ?? -1;
    this.agree(sub(RESIZER_MAIN).format(1), { code, width: video.width, height: video.height }, `'${RESIZER_MAIN}':1 -> '${MAINPATH}'`);
    if (sub(ISP).format(IspPad.SourceVideo).code !== MbusCode.YUYV8_2X8) {
      throw new DeviceError(`${this.node(MAINPATH)}: VIDIOC_STREAMON: raw capture through the ISP is not simulated`, 'ENOTSUP', undefined, 'VIDIOC_STREAMON', this.node(MAINPATH));
    }
  }

  private agree(a: { code: number; width: number; height: number }, b: typeof a, link: string): void {
    if (a.code !== b.code || a.width !== b.width || a.height !== b.height) {
      const describe = (f: typeof a) => `0x${f.code.toString(16)}/${f.width}x${f.height}`;
      throw this.pipe(`${link} disagree: ${describe(a)} vs ${describe(b)}`);
    }
  }

  private pipe(why: string): DeviceError {
    const path = this.node(MAINPATH);
    return new DeviceError(`${path}: VIDIOC_STREAMON: Broken pipe (${why})`, 'EPIPE', 32, 'VIDIOC_STREAMON', path);
  }
}
