/**
 * The camera an application drives, whatever the platform underneath: libcamera's Camera, as
 * `ts-ipa capture` and the camera tests use it. A platform's pipeline handler implements it.
 */
import type { ControlList, IPAManager, Isolation, RecoveryPolicy, SandboxOptions } from '../runtime';
import type { CameraConfiguration, ConfigurationStatus } from './configuration';
import type { Frame } from './requests';

export type { CameraConfiguration, ConfigurationStatus, Size } from './configuration';
export type { Frame } from './requests';

/** `P` is what the platform's IPA decides for each frame (`Frame.params`). */
export interface Camera<P = unknown> {
  /** Names the camera among others: the media device's bus and the sensor. */
  readonly id: string;
  /** Runs on a simulated media graph, not a device. */
  readonly simulated: boolean;
  /** The configuration for the camera's default role, for the application to change and validate. */
  generateConfiguration(): CameraConfiguration;
  /** Adjusts `config` to what the camera can do, in place, and says whether it had to. */
  validate(config: CameraConfiguration): ConfigurationStatus;
  /** Sets the devices and the IPA for `config`; not while streaming. */
  configure(config: CameraConfiguration): Promise<void>;
  /** Allocates the buffers, hands them to the IPA and streams. */
  start(): Promise<void>;
  /**
   * Captures one frame with these controls for its request. Its data is valid until
   * `frame.release()`, which gives its buffer back.
   */
  capture(controls?: ControlList): Promise<Frame<P>>;
  /** Stops streaming; requests not yet completed reject. */
  stop(): Promise<void>;
  /** Stops, ends the IPA and closes the devices, which are left reusable. */
  close(): Promise<void>;
}

/** How a camera runs its IPA: every platform's pipeline handler takes these. */
export interface CameraOptions {
  /** Where the IPA should run; a module that is not trusted runs in a process whatever this says. */
  isolation?: Isolation;
  /** An IPA module file to use as it is, without the manager's search or its signature check. */
  ipaModule?: string;
  /** Finds the platform's IPA module and decides where it may run (the shared default manager). */
  manager?: IPAManager;
  /**
   * How long the IPA may take to answer (ms, default 2000 as libcamera's calls): a sync call, and
   * a frame's parameters (computeParams → paramsComputed). A frame past it fails with
   * IPATimeoutError and the IPA is hung: its worker is ended (and restarted with `recovery`).
   */
  timeoutMs?: number;
  /** The worker command in process mode (see createProxy). */
  workerCommand?: readonly [string, ...string[]];
  /** Restart a crashed IPA and set it up again (see createProxy); off by default. */
  recovery?: RecoveryPolicy;
  /** What an isolated IPA may do (see createProxy); sandboxed by default. */
  sandbox?: SandboxOptions | false;
  /**
   * Runs the platform's IPA as libcamera's own C++ module in libcamera's own worker process
   * (createProxy's `peer: 'libcamera'`) instead of ts-ipa's IPA: the same pipeline handler, the
   * same calls, libcamera's IPA answering them. It stands in for `ipaModule`, `manager`,
   * `workerCommand` and `sandbox`, which it refuses beside it, and runs in a process only.
   */
  libcameraIPA?: LibcameraIPA;
}

/** libcamera's IPA for a platform, as its install (or the prebuilt kit) lays it out. */
export interface LibcameraIPA {
  /**
   * libcamera's worker for the platform, its `<name>_ipa_proxy` (e.g. `<kit>/bin/vimc_ipa_proxy`),
   * or a command that runs it; the module path and the socket's fd are appended, as libcamera
   * starts its workers.
   */
  worker: string | readonly [string, ...string[]];
  /** The IPA module the worker loads: libcamera's `.so` (e.g. `<kit>/ipa/ipa_vimc.so`). */
  module: string;
  /**
   * The IPA's data directory (e.g. `<kit>/ipa/data/vimc`): the pipeline handler hands init the
   * configuration file it names from there, as libcamera's IPAProxy::configurationFile() finds it
   * under LIBCAMERA_IPA_CONFIG_PATH. A C++ IPA opens that file itself, from its worker.
   */
  dataDir: string;
}
