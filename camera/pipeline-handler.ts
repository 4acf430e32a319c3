/**
 * The camera life cycle every platform's pipeline handler shares, as libcamera's PipelineHandler
 * and Camera hold it: devices opened and closed together, the IPA found through the IPAManager
 * (or a module file) and ended with the camera, buffers and parameter memory handed to the IPA at
 * start and taken back at stop, each step undone when a later one fails. What is a platform's
 * (its devices, formats, IPA calls and parameters) comes through the hooks.
 */
import {
  ControlList, controlIds, createProxy, DEFAULT_CALL_TIMEOUT_MS, defaultIPAManager, FrameBufferPlane, IPAError, IPAProtocolError, SharedFD,
  type ContractClass, type IPABuffer, type IPAInterface, type IPAProxy,
} from '../runtime';
import type { MediaGraph, VideoBuffer, VideoDevice } from '../runtime/v4l2';
import type { Camera, CameraOptions, LibcameraIPA } from './camera';
import type { CameraConfiguration, ConfigurationStatus } from './configuration';
import { CameraError } from './errors';
import { libcameraConfigurationFile, libcameraProxyOptions } from './libcamera-ipa';
import { ParamsBufferPool, type ParamsBufferSpec } from './params-buffers';
import { RequestQueue, type Frame } from './requests';

interface Closable {
  close(): void;
}

/** The calls the life cycle makes, which every platform's contract declares (as libcamera's mojoms all do). */
interface LifecycleCalls {
  mapBuffers(buffers: IPABuffer[]): Promise<void>;
  unmapBuffers(ids: number[]): Promise<void>;
  stop(): Promise<void>;
}

/** How a platform opens its camera: its IPA module, its devices, and the camera made of them. */
export interface PipelineSpec<T extends IPAInterface<object>, D, C> {
  ipa: { contract: ContractClass<T>; pipeline: string; minVersion: number; maxVersion: number };
  /** Sets the links and opens the devices, each through `open`, so that a failure closes those opened. */
  openDevices(media: MediaGraph, open: <X extends Closable>(device: X) => X): D;
  create(parts: { media: MediaGraph; devices: D; opened: readonly Closable[]; ipa: IPAProxy<T>; timeoutMs: number }): C;
}

/** `T` is the platform's IPA contract, `P` what its IPA decides for a frame. */
export abstract class PipelineHandler<T extends IPAInterface<object>, P> implements Camera<P> {
  protected config: CameraConfiguration | undefined;
  protected buffers: VideoBuffer[] = [];
  /** The IPA's parameter buffers, allocated at start and released at stop. */
  protected params: ParamsBufferPool | undefined;
  protected readonly requests: RequestQueue<P>;
  protected started = false;
  /** Bytes a row of the configured format, as the capture node said. */
  private stride = 0;
  private closed = false;
  /** The ids of the platform's own buffers the IPA was given. */
  private internalIds: number[] = [];
  /** libcamera's IPA, when the camera runs it (CameraOptions.libcameraIPA). */
  private libcameraIPA: LibcameraIPA | undefined;

  protected constructor(
    readonly id: string,
    readonly media: MediaGraph,
    /** Closed in reverse order with the camera. */
    private readonly devices: readonly Closable[],
    /** The capture node the application's frames come from. */
    protected readonly output: VideoDevice,
    readonly ipa: IPAProxy<T>,
    timeoutMs: number,
  ) {
    this.requests = new RequestQueue<P>({
      queueBuffer: (index) => this.output.queueBuffer(index),
      paramsTimeoutMs: timeoutMs,
      onParamsOverdue: (error) => ipa.declareHung(`${error.call} got no reply within ${error.timeoutMs} ms`),
    });
    ipa.on('crashed', (error) => {
      this.requests.failWaitingForParams(error);
      this.requests.failHeld(error);
    });
    output.onBuffer((done) => this.requests.complete(done, (index) => this.frameData(index)));
  }

  get simulated(): boolean {
    return this.media.simulated;
  }

  /**
   * Opens a camera on `media` (which it then owns) and initialises its IPA. Before the camera
   * exists the devices opened so far and the graph are closed here on failure; after, the camera
   * closes them.
   */
  protected static async openWith<T extends IPAInterface<object>, D, C extends PipelineHandler<T, unknown>>(media: MediaGraph, options: CameraOptions, spec: PipelineSpec<T, D, C>): Promise<C> {
    const opened: Closable[] = [];
    let camera: C | undefined;
    try {
      const devices = spec.openDevices(media, (device) => (opened.push(device), device));
      const proxyOptions = { isolation: options.isolation ?? 'process', timeoutMs: options.timeoutMs, workerCommand: options.workerCommand, recovery: options.recovery, sandbox: options.sandbox } as const;
      const { contract, pipeline, minVersion, maxVersion } = spec.ipa;
      const { libcameraIPA } = options;
      const ipa = libcameraIPA
        ? await createProxy(contract, libcameraProxyOptions<T>({ ...options, libcameraIPA }))
        : options.ipaModule
          ? await createProxy(contract, { ...proxyOptions, module: options.ipaModule })
          : await (options.manager ?? defaultIPAManager()).createIPA(contract, { ...proxyOptions, pipeline, minVersion, maxVersion });
      camera = spec.create({ media, devices, opened, ipa, timeoutMs: options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS });
      camera.libcameraIPA = libcameraIPA;
      await camera.initIPA();
      return camera;
    } catch (error) {
      if (camera) {
        await camera.close();
      } else {
        for (const device of opened.reverse()) device.close();
        media.close();
      }
      throw error;
    }
  }

  /** The IPA's init; throws CameraError when it refuses. */
  protected abstract initIPA(): Promise<void>;
  /**
   * The configuration file init hands the IPA, as libcamera's IPAProxy::configurationFile() finds
   * it: `name`, else `fallback`, in libcamera's IPA's data directory; '' for ts-ipa's IPAs.
   */
  protected ipaConfigurationFile(name: string, fallback?: string): string {
    return libcameraConfigurationFile(this.libcameraIPA, name, fallback);
  }
  /** Sets every pad and node for `config` and tells the IPA; gives the output's bytes a row. */
  protected abstract configureDevices(config: CameraConfiguration): Promise<number>;
  /** The IPA's start; throws CameraError when it refuses. */
  protected abstract startIPA(): Promise<void>;
  /** Hands a request to the IPA: its controls, and the buffer whose parameters it is to compute. */
  protected abstract queueRequest(request: { sequence: number; bufferIndex: number }, controls: ControlList): void;
  /**
   * The parameter buffers to share with the IPA for this many capture buffers; their ids must not
   * be a capture buffer's (those are their index + 1). None for a platform whose parameters
   * buffers are a device's (see `allocateInternalBuffers`).
   */
  protected abstract paramsBuffers(captureBuffers: number): ParamsBufferSpec | undefined;
  /** Whether the IPA gets the capture buffers too (vimc's reads them; libcamera's rkisp1 IPA sees only its own). */
  protected readonly mapsCaptureBuffers: boolean = true;
  /**
   * A platform's own buffers for the IPA, allocated at start after the capture buffers (an ISP's
   * parameters and statistics nodes'); released by `releaseInternalBuffers`, whatever happens.
   */
  protected allocateInternalBuffers(): IPABuffer[] {
    return [];
  }
  protected releaseInternalBuffers(): void {}
  /** Starts the platform's other devices, before the capture node streams. */
  protected startDevices(): void {}
  /** Stops them, after the capture node; requests in flight are failed next. */
  protected stopDevices(): void {}
  /** How many capture buffers to allocate for `config`. */
  protected bufferCount(config: CameraConfiguration): number {
    return config.bufferCount;
  }

  abstract generateConfiguration(): CameraConfiguration;
  abstract validate(config: CameraConfiguration): ConfigurationStatus;

  /** The proxy's calls are a mapped type over T, which TypeScript cannot look into while T is open. */
  private get lifecycle(): LifecycleCalls {
    return this.ipa as unknown as LifecycleCalls;
  }

  /** libcamera's configure(): not while streaming. */
  async configure(config: CameraConfiguration): Promise<void> {
    if (this.started) throw new CameraError('configure: the camera is streaming; stop it first');
    this.validate(config);
    this.stride = await this.configureDevices(config);
    this.config = { ...config, size: { ...config.size } };
  }

  /** Allocates the buffers, maps them and the parameter memory into the IPA and starts streaming. */
  async start(): Promise<void> {
    const config = this.config;
    if (!config) throw new CameraError('start: configure the camera first');
    if (this.started) return;
    this.buffers = this.output.allocateBuffers(this.bufferCount(config));
    try {
      const spec = this.paramsBuffers(this.buffers.length);
      this.params = spec && ParamsBufferPool.allocate(spec);
      const captureBuffers = this.mapsCaptureBuffers ? this.buffers : [];
      this.internalIds = [];
      const internal = this.allocateInternalBuffers();
      this.internalIds = internal.map((b) => b.id);
      await this.lifecycle.mapBuffers([
        ...captureBuffers.map((b) => ({ id: b.index + 1, planes: b.planes.map((p) => new FrameBufferPlane(new SharedFD(p.fd), p.offset, p.length)) })),
        ...(this.params?.ipaBuffers() ?? []),
        ...internal,
      ]);
      await this.startIPA();
      this.requests.reset(this.buffers.length);
      this.startDevices();
      try {
        this.output.streamOn();
      } catch (error) {
        this.stopDevices();
        throw error;
      }
      this.started = true;
    } catch (error) {
      await this.releaseBuffers();
      throw error;
    }
  }

  /**
   * Captures one frame with these controls: the IPA computes its parameters, the pipeline applies
   * them and queues a buffer, and the frame resolves once the device filled it.
   */
  capture(controls?: ControlList): Promise<Frame<P>> {
    if (!this.started) return Promise.reject(new CameraError('capture: start the camera first'));
    return this.requests.submit((request) => this.queueRequest(request, controls ?? new ControlList(controlIds)));
  }

  /**
   * The parameter buffers, if capture buffer `bufferId` is waiting for its parameters; else the
   * IPA misbehaved, which is reported, and nothing is returned.
   */
  protected paramsArrived(bufferId: number): ParamsBufferPool | undefined {
    if (!this.started || !this.params || !(bufferId >= 1 && bufferId <= this.buffers.length) || !this.requests.waitsForParams(bufferId - 1)) {
      this.ipa.reportMisbehaviour(new IPAProtocolError(`the IPA sent paramsComputed for buffer ${bufferId}, which is not waiting for parameters`));
      return undefined;
    }
    return this.params;
  }

  private frameData(index: number) {
    const config = this.config!;
    return { data: this.buffers[index]!.memory, width: config.size.width, height: config.size.height, pixelFormat: config.pixelFormat, stride: this.stride };
  }

  /** Stops streaming; requests not yet completed reject with CameraError. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.output.streamOff();
    this.stopDevices();
    this.requests.failAll(new CameraError('the camera was stopped'));
    await this.releaseBuffers();
  }

  /**
   * Takes the buffers back from the IPA and frees them. The device's buffers are freed whatever
   * the IPA answers: an IPA that fails or hangs here is the IPA's failure (reported by its proxy
   * as a crash or a timeout), not a reason to keep the buffers.
   */
  private async releaseBuffers(): Promise<void> {
    const ids = [...(this.mapsCaptureBuffers ? this.buffers.map((b) => b.index + 1) : []), ...(this.params?.ids ?? []), ...this.internalIds];
    try {
      if (!this.ipa.failure) {
        await this.lifecycle.unmapBuffers(ids);
        await this.lifecycle.stop();
      }
    } finally {
      this.output.releaseBuffers();
      this.buffers = [];
      this.releaseInternalBuffers();
      this.internalIds = [];
      this.params?.release();
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
      for (const device of [...this.devices].reverse()) device.close();
      this.media.close();
    }
  }
}
