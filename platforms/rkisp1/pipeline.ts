/**
 * The rkisp1 pipeline handler: sensor -> (CSI receiver) -> rkisp1_isp -> rkisp1_resizer_mainpath
 * -> rkisp1_mainpath, with the ISP's parameters and statistics nodes, run as libcamera's rkisp1
 * pipeline runs it. Per frame: queueRequest and computeParams; on paramsComputed the parameters,
 * statistics and image buffers are queued; the statistics go to processStats with the sensor
 * controls in effect for their frame; setSensorControls goes through DelayedControls, written at
 * each frame start; a request completes once its image and its metadata are both in.
 */
import path from 'node:path';
import { ControlList, ControlValue, controlIds, controls, IPAProtocolError, type IPABuffer, type IPAProxy, FrameBufferPlane, SharedFD } from '../../runtime';
import { PixelFormats, type DequeuedBuffer, type MediaGraph, type VideoBuffer } from '../../runtime/v4l2';
import type { CameraOptions } from '../../camera/camera';
import type { CameraConfiguration, ConfigurationStatus } from '../../camera/configuration';
import { CameraError } from '../../camera/errors';
import { DelayedControls } from '../../camera/delayed-controls';
import { PipelineHandler } from '../../camera/pipeline-handler';
import type { Frame as CameraFrame } from '../../camera/requests';
import { v4l2ControlInfoMap } from '../../camera/sensor-controls';
import { DRM_FOURCC, defaultConfiguration, validateConfiguration } from './configuration';
import { IPARkISP1Interface } from './contract';
import { configureMainPath, configureMetaNodes, configureToIsp, initLinks, openDevices, type RkISP1Devices, type SensorLink } from './devices';
import type { RkISP1FrameParams } from './frame-params';
import { RkISP1Frames, type RkISP1FrameInfo } from './frames';
import { checkSensorControls, hardwareRevision, supportedBlocks, tuningFile } from './init';
import { sensorDelays, sensorInfo, sensorModel } from './sensor';

export const RKISP1_IPA_MODULE = path.join(__dirname, 'ipa/index.js');

export type { RkISP1FrameParams } from './frame-params';
export type Frame = CameraFrame<RkISP1FrameParams>;
export type RkISP1CameraOptions = CameraOptions;

export class RkISP1Camera extends PipelineHandler<IPARkISP1Interface, RkISP1FrameParams> {
  protected override readonly mapsCaptureBuffers = false;
  private readonly rk: RkISP1Devices;
  private readonly model: string;
  private readonly delayed: DelayedControls;
  private frames = new RkISP1Frames([], []);
  private readonly infos = new Map<number, RkISP1FrameParams>();
  /** The next request's frame number (libcamera's frame_), moved past a frame the sensor skipped. */
  private nextFrame = 0;
  private sensorControlInfo = v4l2ControlInfoMap([]);
  private paramFormat = 0;
  private paramsBytes = 0;
  /** Parameters buffers allocated: statistics buffer ids follow theirs. */
  private paramsCount = 0;

  private constructor(media: MediaGraph, devices: RkISP1Devices, opened: readonly { close(): void }[], private readonly sensorLinks: SensorLink[], ipa: IPAProxy<IPARkISP1Interface>, timeoutMs: number) {
    super(`${media.info.busInfo} ${sensorLinks[0]!.source}`, media, opened, devices.mainPath, ipa, timeoutMs);
    this.rk = devices;
    this.model = sensorModel(sensorLinks[0]!.source);
    this.delayed = new DelayedControls(devices.sensor, sensorDelays(this.model));
    ipa.on('paramsComputed', (frame, bytesused) => this.paramsComputed(frame, bytesused));
    ipa.on('setSensorControls', (frame, list) => this.setSensorControls(frame, list));
    ipa.on('metadataReady', (frame, metadata) => this.metadataReady(frame, metadata));
    ipa.on('crashed', () => this.frames.abandonAll());
    devices.params.onBuffer((done) => this.paramsDequeued(done));
    devices.stats.onBuffer((done) => this.statsDequeued(done));
  }

  /** Opens the camera on an rkisp1 media graph (which it then owns) and initialises its IPA. */
  static open(media: MediaGraph, options: RkISP1CameraOptions = {}): Promise<RkISP1Camera> {
    let links: SensorLink[] = [];
    return PipelineHandler.openWith(media, options, {
      ipa: { contract: IPARkISP1Interface, pipeline: 'rkisp1', minVersion: 1, maxVersion: 1 },
      openDevices: (graph, open) => {
        const opened = openDevices(graph, open);
        links = opened.sensorLinks;
        return opened.devices;
      },
      create: ({ media: graph, devices, opened, ipa, timeoutMs }) => new RkISP1Camera(graph, devices, opened, links, ipa, timeoutMs),
    });
  }

  protected async initIPA(): Promise<void> {
    const init = await this.ipa.init(
      // libcamera's C++ IPA gets its own data directory's file; ts-ipa's the package's.
      { configurationFile: this.ipaConfigurationFile(`${this.model}.yaml`, 'uncalibrated.yaml') || tuningFile(this.model), sensorModel: this.model },
      hardwareRevision(this.media), supportedBlocks(this.rk.params),
      sensorInfo(this.rk.sensor, this.model), v4l2ControlInfoMap(this.rk.sensor.controls()),
    );
    if (init.ret !== 0) throw new CameraError(`the rkisp1 IPA refused to start (init returned ${init.ret})`);
  }

  generateConfiguration(): CameraConfiguration {
    return defaultConfiguration(sensorInfo(this.rk.sensor, this.model).activeAreaSize);
  }

  validate(config: CameraConfiguration): ConfigurationStatus {
    return validateConfiguration(config);
  }

  protected async configureDevices(config: CameraConfiguration): Promise<number> {
    initLinks(this.media, this.sensorLinks);
    const ispFormat = configureToIsp(this.rk, config.size);
    const stride = configureMainPath(this.rk, ispFormat, config.size, PixelFormats[config.pixelFormat]);
    const meta = configureMetaNodes(this.rk);
    this.sensorControlInfo = v4l2ControlInfoMap(this.rk.sensor.controls());
    const configured = await this.ipa.configure(
      { sensorInfo: sensorInfo(this.rk.sensor, this.model), sensorControls: this.sensorControlInfo, paramFormat: meta.paramFormat },
      new Map([[0, { pixelFormat: DRM_FOURCC[config.pixelFormat]!, size: { ...config.size } }]]),
    );
    if (configured.ret !== 0) throw new CameraError(`the rkisp1 IPA refused the configuration (configure returned ${configured.ret})`);
    this.paramFormat = meta.paramFormat;
    this.paramsBytes = meta.paramsBytes;
    return stride;
  }

  /** The parameters buffers are the parameters node's (see allocateInternalBuffers). */
  protected paramsBuffers(): undefined {
    return undefined;
  }

  /** A parameters and a statistics buffer for each capture buffer, ids 1.. then on, as libcamera numbers them. */
  protected override allocateInternalBuffers(): IPABuffer[] {
    const count = this.buffers.length;
    const params = this.rk.params.allocateBuffers(count);
    const stats = this.rk.stats.allocateBuffers(count);
    this.paramsCount = params.length;
    const ipaBuffer = (b: VideoBuffer, id: number): IPABuffer => ({ id, planes: b.planes.map((p) => new FrameBufferPlane(new SharedFD(p.fd), p.offset, p.length)) });
    this.frames = new RkISP1Frames(params.map((b) => b.index + 1), stats.map((b) => params.length + b.index + 1));
    return [...params.map((b) => ipaBuffer(b, b.index + 1)), ...stats.map((b) => ipaBuffer(b, params.length + b.index + 1))];
  }

  protected override releaseInternalBuffers(): void {
    this.rk.params.releaseBuffers();
    this.rk.stats.releaseBuffers();
    this.paramsCount = 0;
    this.frames = new RkISP1Frames([], []);
    this.infos.clear();
  }

  protected async startIPA(): Promise<void> {
    const ret = await this.ipa.start();
    if (ret !== 0) throw new CameraError(`the rkisp1 IPA did not start (start returned ${ret})`);
    this.nextFrame = 0;
  }

  protected override startDevices(): void {
    this.rk.params.streamOn();
    this.rk.stats.streamOn();
    this.delayed.reset();
    this.rk.isp.onFrameStart((sequence) => this.frameStarted(sequence));
  }

  protected override stopDevices(): void {
    this.rk.isp.onFrameStart(undefined);
    this.rk.stats.streamOff();
    this.rk.params.streamOff();
    this.frames.clear();
    this.infos.clear();
  }

  protected queueRequest(request: { sequence: number; bufferIndex: number }, requestControls: ControlList): void {
    const info = this.frames.create(this.nextFrame, request.bufferIndex);
    if (!info) throw new CameraError(`request ${request.sequence}: no parameters or statistics buffer is free`);
    this.infos.set(info.frame, {
      frame: info.frame, paramsBufferId: info.paramsId, statsBufferId: info.statsId, bytesused: 0,
      metadata: new ControlList(controlIds), sensorControls: new Map(),
    });
    this.nextFrame++;
    this.ipa.queueRequest(info.frame, requestControls);
    this.ipa.computeParams(info.frame, info.paramsId);
  }

  private misbehaved(message: string): void {
    this.ipa.reportMisbehaviour(new IPAProtocolError(`the IPA sent ${message}`));
  }

  /** The parameters are written: they, the statistics buffer and the image buffer go to the devices. */
  private paramsComputed(frame: number, bytesused: number): void {
    // Events the IPA sent before it was stopped may still arrive: of a session gone, not wrong.
    if (!this.started) return;
    const info = this.frames.find(frame);
    if (!info || info.paramsComputed || !this.requests.waitsForParams(info.bufferIndex)) {
      return this.misbehaved(`paramsComputed for frame ${frame}, which is not waiting for parameters`);
    }
    info.paramsComputed = true;
    if (!(bytesused >= 1 && bytesused <= this.paramsBytes)) {
      this.misbehaved(`paramsComputed for frame ${frame} with ${bytesused} bytes, outside the parameters buffer's 1 to ${this.paramsBytes}`);
      return this.failRequest(info, new CameraError(`the IPA's parameters for frame ${frame} do not fit their buffer (${bytesused} bytes of ${this.paramsBytes})`));
    }
    const params = this.infos.get(frame)!;
    params.bytesused = bytesused;
    try {
      this.rk.params.queueBuffer(info.paramsId - 1, bytesused);
      info.paramsQueued = true;
      this.rk.stats.queueBuffer(info.statsId - 1 - this.paramsCount);
      info.statsQueued = true;
    } catch (error) {
      return this.failRequest(info, error as Error);
    }
    this.requests.paramsReady(info.bufferIndex, params, true);
  }

  /** A request fails before it completes; its buffers are freed once the devices gave them back. */
  private failRequest(info: RkISP1FrameInfo, error: Error): void {
    info.abandoned = true;
    // Freed first: failing the request starts the next one waiting, which takes buffers.
    if (!info.paramsQueued && !info.statsQueued) this.frames.drop(info);
    else this.frames.settle(info);
    if (!this.frames.find(info.frame)) this.infos.delete(info.frame);
    this.requests.failParams(info.bufferIndex, error);
  }

  private paramsDequeued(done: DequeuedBuffer): void {
    const info = this.frames.findByParams(done.index + 1);
    if (!info) return;
    info.paramsBack = true;
    this.progress(info);
  }

  /** The ISP's statistics of a frame: to the IPA, with the sensor controls that frame was made with. */
  private statsDequeued(done: DequeuedBuffer): void {
    const info = this.frames.findByStats(done.index + 1 + this.paramsCount);
    if (!info) return;
    info.statsBack = true;
    if (this.nextFrame <= done.sequence) this.nextFrame = done.sequence + 1;
    const params = this.infos.get(info.frame)!;
    if (info.abandoned || this.ipa.failure) return this.progress(info);
    const inEffect = new ControlList(this.sensorControlInfo);
    for (const [id, value] of this.delayed.get(done.sequence)) {
      if (value === undefined) continue;
      params.sensorControls.set(id, Number(value));
      inEffect.setValue(id, ControlValue.i32(Number(value)));
    }
    params.metadata.set(controls.SensorTimestamp, done.timestamp);
    info.statsSent = true;
    this.ipa.processStats(info.frame, info.statsId, inEffect);
  }

  private setSensorControls(frame: number, list: ControlList): void {
    if (!this.started) return;
    const refused = checkSensorControls(list, this.sensorControlInfo, this.delayed);
    if (refused) return this.misbehaved(`setSensorControls for frame ${frame} ${refused}`);
    this.delayed.push([...list].map(([id, value]) => [id, Number(value.value)] as const));
  }

  private metadataReady(frame: number, metadata: ControlList): void {
    if (!this.started) return;
    const info = this.frames.find(frame);
    if (!info || !info.statsSent || info.metadata || info.abandoned) return this.misbehaved(`metadataReady for frame ${frame}, whose statistics it was not processing`);
    const merged = this.infos.get(frame)!.metadata;
    for (const [id, value] of metadata) merged.setValue(id, value);
    info.metadata = true;
    this.progress(info);
  }

  /** libcamera's tryCompleteRequest: the request completes once its metadata and parameters are back. */
  private progress(info: RkISP1FrameInfo): void {
    if (!info.abandoned && this.frames.complete(info)) this.requests.completeHeld(info.bufferIndex);
    if (this.frames.settle(info)) this.infos.delete(info.frame);
  }

  /** The ISP started a frame: the sensor controls due now are written (DelayedControls::applyControls). */
  private frameStarted(sequence: number): void {
    try {
      this.delayed.applyControls(sequence);
    } catch (error) {
      process.emitWarning(`rkisp1: writing the sensor controls at frame ${sequence} failed: ${(error as Error).message}`);
    }
  }
}
