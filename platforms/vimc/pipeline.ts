/**
 * The vimc pipeline handler: Sensor B -> Debayer B -> Scaler -> RGB/YUV Capture, configured as
 * libcamera's vimc pipeline configures it, with the vimc IPA run once per frame through a proxy
 * (isolated in a process by default). The life cycle is camera/pipeline-handler.ts's.
 */
import path from 'node:path';
import { SharedFD, type ControlList, type IPAProxy } from '../../runtime';
import { MbusCode, PixelFormats, V4L2Cid, type MediaGraph, type Subdevice, type VideoDevice } from '../../runtime/v4l2';
import type { CameraOptions } from '../../camera/camera';
import type { CameraConfiguration, ConfigurationStatus } from '../../camera/configuration';
import { CameraError } from '../../camera/errors';
import { PipelineHandler } from '../../camera/pipeline-handler';
import type { ParamsBufferSpec } from '../../camera/params-buffers';
import type { Frame as CameraFrame } from '../../camera/requests';
import { v4l2ControlInfoMap } from '../../camera/sensor-controls';
import { DRM_FOURCC, validateConfiguration, defaultConfiguration } from './configuration';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from './contract';
import { PARAMS_BUFFER_BYTES, PARAMS_BUFFER_ID, PARAMS_SLOTS, readParams, type FrameParams } from './params';

export const VIMC_IPA_MODULE = path.join(__dirname, 'ipa/index.js');

/** A frame from the vimc camera, with the parameters the vimc IPA decided for it. */
export type Frame = CameraFrame<FrameParams>;

/** The options every platform's camera takes (see CameraOptions); vimc has none of its own. */
export type VimcCameraOptions = CameraOptions;

interface VimcDevices {
  sensor: Subdevice;
  debayer: Subdevice;
  scaler: Subdevice;
  video: VideoDevice;
  raw: VideoDevice;
}

export class VimcCamera extends PipelineHandler<IPAVimcInterface, FrameParams> {
  private applied = { brightness: -1, contrast: -1, saturation: -1 };
  /** What the sensor accepts for each control the IPA sets: its parameters are checked against it. */
  private readonly ranges: Record<'brightness' | 'contrast' | 'saturation', [number, number]>;
  private readonly sensor: Subdevice;
  private readonly debayer: Subdevice;
  private readonly scaler: Subdevice;
  private readonly raw: VideoDevice;

  private constructor(media: MediaGraph, devices: VimcDevices, opened: readonly { close(): void }[], ipa: IPAProxy<IPAVimcInterface>, timeoutMs: number) {
    super(`${media.info.busInfo} Sensor B`, media, opened, devices.video, ipa, timeoutMs);
    ({ sensor: this.sensor, debayer: this.debayer, scaler: this.scaler, raw: this.raw } = devices);
    const range = (id: number): [number, number] => {
      const control = this.sensor.controls().find((c) => c.id === id);
      return control ? [Number(control.minimum), Number(control.maximum)] : [0, 255];
    };
    this.ranges = { brightness: range(V4L2Cid.Brightness), contrast: range(V4L2Cid.Contrast), saturation: range(V4L2Cid.Saturation) };
    ipa.on('paramsComputed', (bufferId) => this.paramsComputed(bufferId));
  }

  /** Opens the camera on a vimc media graph (which it then owns) and starts its IPA. */
  static open(media: MediaGraph, options: VimcCameraOptions = {}): Promise<VimcCamera> {
    return PipelineHandler.openWith(media, options, {
      ipa: { contract: IPAVimcInterface, pipeline: 'vimc', minVersion: 0, maxVersion: 0 },
      openDevices: (graph, open) => {
        graph.disableLinks();
        graph.setLink('Debayer B', 1, 'Scaler', 0, true);
        const devices = {
          sensor: open(graph.openSubdevice('Sensor B')),
          debayer: open(graph.openSubdevice('Debayer B')),
          scaler: open(graph.openSubdevice('Scaler')),
          video: open(graph.openVideoDevice('RGB/YUV Capture')),
          raw: open(graph.openVideoDevice('Raw Capture 1')),
        };
        // vimc draws counters over the picture unless told not to; a camera's frames carry none.
        if (devices.sensor.controls().some((c) => c.id === V4L2Cid.VimcShowInformation)) devices.sensor.setControls([[V4L2Cid.VimcShowInformation, 2]]);
        return devices;
      },
      create: ({ media: graph, devices, opened, ipa, timeoutMs }) => new VimcCamera(graph, devices, opened, ipa, timeoutMs),
    });
  }

  protected async initIPA(): Promise<void> {
    const init = await this.ipa.init({ configurationFile: this.ipaConfigurationFile('vimc.conf'), sensorModel: 'Sensor B' }, SharedFD.invalid, IPAOperationCode.IPAOperationInit, TestFlag.Flag2);
    if (init.ret !== 0) throw new CameraError(`the vimc IPA refused to start (init returned ${init.ret})`);
  }

  generateConfiguration(): CameraConfiguration {
    return defaultConfiguration();
  }

  validate(config: CameraConfiguration): ConfigurationStatus {
    return validateConfiguration(config);
  }

  /** Sets every pad and node for the configuration and tells the IPA (libcamera's configure()). */
  protected async configureDevices(config: CameraConfiguration): Promise<number> {
    const { size } = config;
    const format = PixelFormats[config.pixelFormat];
    // The sensor runs at the output size: the scaler passes it through (libcamera's runs the
    // sensor at 1920x1080 and scales, which costs a software-emulated vimc dearly).
    const sensorFormat = { code: MbusCode.SGRBG8_1X8, ...size };
    this.sensor.setFormat(0, sensorFormat);
    this.debayer.setFormat(0, sensorFormat);
    this.debayer.setFormat(1, { code: format.mbusCode, ...size });
    this.scaler.setFormat(0, { code: format.mbusCode, ...size });
    this.scaler.setCrop(0, { left: 0, top: 0, ...size });
    this.scaler.setFormat(1, { code: format.mbusCode, ...size });
    const chosen = this.output.setFormat({ ...size, pixelFormat: format.fourcc });
    if (chosen.width !== size.width || chosen.height !== size.height || chosen.pixelFormat !== format.fourcc) {
      throw new CameraError(`${this.output.path}: asked for ${config.pixelFormat} ${size.width}x${size.height}, the device chose ${chosen.width}x${chosen.height}`);
    }
    // The raw node hangs off the same sensor: the graph is only valid if it agrees too.
    this.raw.setFormat({ ...size, pixelFormat: 0x47425247 /* GRBG */ });
    const ret = await this.ipa.configure(
      {
        model: 'Sensor B', bitsPerPixel: 8, cfaPattern: 1, activeAreaSize: size, analogCrop: { x: 0, y: 0, ...size }, outputSize: size,
        pixelRate: BigInt(size.width * size.height * 60), minLineLength: size.width, maxLineLength: size.width,
        minFrameLength: size.height, maxFrameLength: size.height,
      },
      new Map([[0, { pixelFormat: DRM_FOURCC[config.pixelFormat]!, size }]]),
      new Map([[0, v4l2ControlInfoMap(this.sensor.controls())]]),
    );
    if (ret !== 0) throw new CameraError(`the vimc IPA refused the configuration (configure returned ${ret})`);
    return chosen.planes[0]!.bytesPerLine;
  }

  /**
   * One parameters buffer with a 32-byte slot per capture buffer, whatever the number of capture
   * buffers: vimc's computeParams names the capture buffer, so there is no buffer to take a request.
   */
  protected paramsBuffers(): ParamsBufferSpec {
    return { name: 'vimc-params', firstId: PARAMS_BUFFER_ID, count: 1, bytes: PARAMS_BUFFER_BYTES };
  }

  /** As many buffers as the parameter memory has slots for. */
  protected override bufferCount(config: CameraConfiguration): number {
    return Math.min(config.bufferCount, PARAMS_SLOTS);
  }

  protected async startIPA(): Promise<void> {
    const ret = await this.ipa.start();
    if (ret !== 0) throw new CameraError(`the vimc IPA did not start (start returned ${ret})`);
    this.applied = { brightness: -1, contrast: -1, saturation: -1 };
  }

  protected queueRequest(request: { sequence: number; bufferIndex: number }, controls: ControlList): void {
    this.ipa.queueRequest(request.sequence, controls);
    this.ipa.computeParams(request.sequence, request.bufferIndex + 1);
  }

  /**
   * The IPA's parameters for the buffer's next frame: applied to the sensor, then the buffer
   * queued. Everything the IPA says is checked first: the buffer must be one waiting for its
   * parameters, and each value must be one the sensor takes.
   */
  private paramsComputed(bufferId: number): void {
    const buffer = this.paramsArrived(bufferId)?.get(PARAMS_BUFFER_ID);
    if (!buffer) return;
    const params = readParams(buffer.view, bufferId);
    const refused = this.outOfRange(params);
    if (refused) {
      this.requests.failParams(bufferId - 1, new CameraError(`the IPA asked for ${refused} for request ${params.frame}`));
      return;
    }
    const wanted = { brightness: params.brightness, contrast: params.contrast, saturation: params.saturation };
    const changes: [number, number][] = [];
    if (wanted.brightness !== this.applied.brightness) changes.push([V4L2Cid.Brightness, wanted.brightness]);
    if (wanted.contrast !== this.applied.contrast) changes.push([V4L2Cid.Contrast, wanted.contrast]);
    if (wanted.saturation !== this.applied.saturation) changes.push([V4L2Cid.Saturation, wanted.saturation]);
    if (changes.length > 0) {
      this.sensor.setControls(changes);
      this.applied = wanted;
    }
    this.requests.paramsReady(bufferId - 1, params);
  }

  /** The first parameter the sensor would not take, described; undefined when all are in range. */
  private outOfRange(params: FrameParams): string | undefined {
    for (const key of ['brightness', 'contrast', 'saturation'] as const) {
      const [min, max] = this.ranges[key];
      if (!(params[key] >= min && params[key] <= max)) return `${key} ${params[key]}, outside the sensor's [${min}, ${max}],`;
    }
    return undefined;
  }
}
