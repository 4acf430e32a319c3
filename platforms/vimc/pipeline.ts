/**
 * The vimc pipeline handler: Sensor B -> Debayer B -> Scaler -> RGB/YUV Capture, configured as
 * libcamera's vimc pipeline configures it, with the vimc IPA run once per frame through a proxy
 * (isolated in a process by default).
 */
import path from 'node:path';
import {
  ControlList, controlIds, createProxy, DEFAULT_CALL_TIMEOUT_MS, defaultIPAManager, FrameBufferPlane, IPAError, IPAProtocolError, SharedFD, SharedMemory,
  type IPAProxy,
} from '../../runtime';
import { MbusCode, PixelFormats, V4L2Cid, type MediaGraph, type Subdevice, type VideoBuffer, type VideoDevice } from '../../runtime/v4l2';
import type { Camera, CameraOptions } from '../../camera/camera';
import type { CameraConfiguration, ConfigurationStatus } from '../../camera/configuration';
import { CameraError } from '../../camera/errors';
import { RequestQueue, type Frame as CameraFrame } from '../../camera/requests';
import { v4l2ControlInfoMap } from '../../camera/sensor-controls';
import { DRM_FOURCC, validateConfiguration, defaultConfiguration } from './configuration';
import { IPAOperationCode, IPAVimcInterface, TestFlag } from './contract';
import { PARAMS_BUFFER_BYTES, PARAMS_BUFFER_ID, PARAMS_SLOTS, readParams, type FrameParams } from './params';

export const VIMC_IPA_MODULE = path.join(__dirname, 'ipa/index.js');

/** A frame from the vimc camera, with the parameters the vimc IPA decided for it. */
export type Frame = CameraFrame<FrameParams>;

/** The options every platform's camera takes (see CameraOptions); vimc has none of its own. */
export type VimcCameraOptions = CameraOptions;

export class VimcCamera implements Camera<FrameParams> {
  readonly id: string;
  private config: CameraConfiguration | undefined;
  /** Bytes a row of the configured format, as the capture node said. */
  private stride = 0;
  private buffers: VideoBuffer[] = [];
  private params: { memory: SharedMemory; view: Uint8Array } | undefined;
  private readonly requests: RequestQueue<FrameParams>;
  private applied = { brightness: -1, contrast: -1, saturation: -1 };
  /** What the sensor accepts for each control the IPA sets: its parameters are checked against it. */
  private readonly ranges: Record<'brightness' | 'contrast' | 'saturation', [number, number]>;
  private started = false;
  private closed = false;

  private constructor(
    readonly media: MediaGraph,
    private readonly sensor: Subdevice,
    private readonly debayer: Subdevice,
    private readonly scaler: Subdevice,
    private readonly video: VideoDevice,
    private readonly raw: VideoDevice,
    readonly ipa: IPAProxy<IPAVimcInterface>,
    timeoutMs: number,
  ) {
    this.id = `${media.info.busInfo} Sensor B`;
    const range = (id: number): [number, number] => {
      const control = sensor.controls().find((c) => c.id === id);
      return control ? [Number(control.minimum), Number(control.maximum)] : [0, 255];
    };
    this.ranges = { brightness: range(V4L2Cid.Brightness), contrast: range(V4L2Cid.Contrast), saturation: range(V4L2Cid.Saturation) };
    this.requests = new RequestQueue({
      queueBuffer: (index) => this.video.queueBuffer(index),
      paramsTimeoutMs: timeoutMs,
      onParamsOverdue: (error) => ipa.declareHung(`${error.call} got no reply within ${error.timeoutMs} ms`),
    });
    ipa.on('paramsComputed', (bufferId) => this.paramsComputed(bufferId));
    ipa.on('crashed', (error) => this.requests.failWaitingForParams(error));
    video.onBuffer((done) => this.requests.complete(done, (index) => this.frameData(index)));
  }

  get simulated(): boolean {
    return this.media.simulated;
  }

  /** Opens the camera on a vimc media graph (which it then owns) and starts its IPA. */
  static async open(media: MediaGraph, options: VimcCameraOptions = {}): Promise<VimcCamera> {
    const opened: { close(): void }[] = [];
    let camera: VimcCamera | undefined;
    try {
      media.disableLinks();
      media.setLink('Debayer B', 1, 'Scaler', 0, true);
      const open = <T extends { close(): void }>(device: T) => (opened.push(device), device);
      const sensor = open(media.openSubdevice('Sensor B'));
      const debayer = open(media.openSubdevice('Debayer B'));
      const scaler = open(media.openSubdevice('Scaler'));
      const video = open(media.openVideoDevice('RGB/YUV Capture'));
      const raw = open(media.openVideoDevice('Raw Capture 1'));
      // vimc draws counters over the picture unless told not to; a camera's frames carry none.
      if (sensor.controls().some((c) => c.id === V4L2Cid.VimcShowInformation)) sensor.setControls([[V4L2Cid.VimcShowInformation, 2]]);
      const proxyOptions = { isolation: options.isolation ?? 'process', timeoutMs: options.timeoutMs, workerCommand: options.workerCommand, recovery: options.recovery, sandbox: options.sandbox } as const;
      const ipa = options.ipaModule
        ? await createProxy(IPAVimcInterface, { ...proxyOptions, module: options.ipaModule })
        : await (options.manager ?? defaultIPAManager()).createIPA(IPAVimcInterface, { ...proxyOptions, pipeline: 'vimc', minVersion: 0, maxVersion: 0 });
      camera = new VimcCamera(media, sensor, debayer, scaler, video, raw, ipa, options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
      const init = await ipa.init({ configurationFile: '', sensorModel: 'Sensor B' }, SharedFD.invalid, IPAOperationCode.IPAOperationInit, TestFlag.Flag2);
      if (init.ret !== 0) throw new CameraError(`the vimc IPA refused to start (init returned ${init.ret})`);
      return camera;
    } catch (error) {
      // Once the camera exists it owns the devices and the IPA; before, they are closed here.
      if (camera) {
        await camera.close();
      } else {
        for (const device of opened.reverse()) device.close();
        media.close();
      }
      throw error;
    }
  }

  generateConfiguration(): CameraConfiguration {
    return defaultConfiguration();
  }

  validate(config: CameraConfiguration): ConfigurationStatus {
    return validateConfiguration(config);
  }

  /** Sets every pad and node for the configuration and tells the IPA (libcamera's configure()). */
  async configure(config: CameraConfiguration): Promise<void> {
    if (this.started) throw new CameraError('configure: the camera is streaming; stop it first');
    validateConfiguration(config);
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
    const chosen = this.video.setFormat({ ...size, pixelFormat: format.fourcc });
    if (chosen.width !== size.width || chosen.height !== size.height || chosen.pixelFormat !== format.fourcc) {
      throw new CameraError(`${this.video.path}: asked for ${config.pixelFormat} ${size.width}x${size.height}, the device chose ${chosen.width}x${chosen.height}`);
    }
    this.stride = chosen.planes[0]!.bytesPerLine;
    // The raw node hangs off the same sensor: the graph is only valid if it agrees too.
    this.raw.setFormat({ ...size, pixelFormat: 0x47425247 /* GRBG */ });
    const ret = await this.ipa.configure(
      {
        model: 'Sensor B', bitsPerPixel: 8, cfaPattern: 1, activeAreaSize: size, analogCrop: { x: 0, y: 0, ...size }, outputSize: size,
        pixelRate: BigInt(size.width * size.height * 60), minLineLength: size.width, maxLineLength: size.width,
        minFrameLength: size.height, maxFrameLength: size.height,
      },
      new Map([[0, { pixelFormat: DRM_FOURCC[config.pixelFormat], size }]]),
      new Map([[0, v4l2ControlInfoMap(this.sensor.controls())]]),
    );
    if (ret !== 0) throw new CameraError(`the vimc IPA refused the configuration (configure returned ${ret})`);
    this.config = { ...config, size: { ...size } };
  }

  /** Allocates the buffers, maps them into the IPA and starts streaming. */
  async start(): Promise<void> {
    const config = this.config;
    if (!config) throw new CameraError('start: configure the camera first');
    if (this.started) return;
    this.buffers = this.video.allocateBuffers(Math.min(config.bufferCount, PARAMS_SLOTS));
    const memory = SharedMemory.create('vimc-params', PARAMS_BUFFER_BYTES);
    this.params = { memory, view: new Uint8Array(memory.map()) };
    try {
      await this.ipa.mapBuffers([
        ...this.buffers.map((b) => ({ id: b.index + 1, planes: b.planes.map((p) => new FrameBufferPlane(new SharedFD(p.fd), p.offset, p.length)) })),
        { id: PARAMS_BUFFER_ID, planes: [new FrameBufferPlane(new SharedFD(memory.fd), 0, PARAMS_BUFFER_BYTES)] },
      ]);
      const ret = await this.ipa.start();
      if (ret !== 0) throw new CameraError(`the vimc IPA did not start (start returned ${ret})`);
      this.applied = { brightness: -1, contrast: -1, saturation: -1 };
      this.requests.reset(this.buffers.length);
      this.video.streamOn();
      this.started = true;
    } catch (error) {
      await this.releaseBuffers();
      throw error;
    }
  }

  /**
   * Captures one frame with these controls: the IPA computes its parameters, the pipeline applies
   * them to the sensor, queues a buffer and resolves with the frame once the device filled it.
   * A frame's data is valid until `frame.release()`, which gives its buffer back.
   */
  capture(controls?: ControlList): Promise<Frame> {
    if (!this.started) return Promise.reject(new CameraError('capture: start the camera first'));
    return this.requests.submit((request) => {
      this.ipa.queueRequest(request.sequence, controls ?? new ControlList(controlIds));
      this.ipa.computeParams(request.sequence, request.bufferIndex + 1);
    });
  }

  /**
   * The IPA's parameters for the buffer's next frame: applied to the sensor, then the buffer
   * queued. Everything the IPA says is checked first: the buffer must be one waiting for its
   * parameters, and each value must be one the sensor takes.
   */
  private paramsComputed(bufferId: number): void {
    if (!this.started || !this.params || !(bufferId >= 1 && bufferId <= this.buffers.length) || !this.requests.waitsForParams(bufferId - 1)) {
      this.ipa.reportMisbehaviour(new IPAProtocolError(`the IPA sent paramsComputed for buffer ${bufferId}, which is not waiting for parameters`));
      return;
    }
    const params = readParams(this.params.view, bufferId);
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

  private frameData(index: number) {
    const config = this.config!;
    return { data: this.buffers[index]!.memory, width: config.size.width, height: config.size.height, pixelFormat: config.pixelFormat, stride: this.stride };
  }

  /** Stops streaming; requests not yet completed reject with CameraError. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.video.streamOff();
    this.requests.failAll(new CameraError('the camera was stopped'));
    await this.releaseBuffers();
  }

  /**
   * Takes the buffers back from the IPA and frees them. The device's buffers are freed whatever
   * the IPA answers: an IPA that fails or hangs here is the IPA's failure (reported by its proxy
   * as a crash or a timeout), not a reason to keep the buffers.
   */
  private async releaseBuffers(): Promise<void> {
    const ids = [...this.buffers.map((b) => b.index + 1), PARAMS_BUFFER_ID];
    try {
      if (!this.ipa.failure) {
        await this.ipa.unmapBuffers(ids);
        await this.ipa.stop();
      }
    } finally {
      this.video.releaseBuffers();
      this.buffers = [];
      this.params?.memory.close();
      this.params = undefined;
    }
  }

  /**
   * Stops, ends the IPA and closes every device; the devices are left reusable. It closes
   * whatever state the IPA is in: an IPA that fails to answer stop is ended all the same.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.stop();
    } catch (error) {
      // An IPA that fails to stop is ended below either way; any other failure is the caller's to know.
      if (!(error instanceof IPAError)) throw error;
    } finally {
      await this.ipa.close();
      for (const device of [this.raw, this.video, this.scaler, this.debayer, this.sensor]) device.close();
      this.media.close();
    }
  }
}
