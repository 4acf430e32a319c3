/**
 * The Raspberry Pi IPA contract: the TypeScript twin of libcamera's raspberrypi.mojom (module
 * ipa.RPi, served to the rpi/vc4 and rpi/pisp pipelines). The order of the methods is the order of
 * their command numbers on the wire.
 */
import {
  ControlInfoMap, ControlList, IPAInterface, ipaEvents, ipaInterface, SharedFD, struct,
  type f32, type i32, type IPABuffer, type IPACameraSensorInfo, type IPASettings, type u32,
} from '../../runtime';

/** Largest lens shading table, in bytes. */
export const MaxLsGridSize: u32 = 0x8000;

@struct()
export class SensorConfig {
  sensorMetadata!: u32;
}

@struct()
export class InitParams {
  lensPresent!: boolean;
  sensorInfo!: IPACameraSensorInfo;
  controllerMinFrameDurationUs!: f32;
  fe!: SharedFD;
  be!: SharedFD;
}

@struct()
export class InitResult {
  sensorConfig!: SensorConfig;
  controlInfo!: ControlInfoMap;
}

@struct()
export class BufferIds {
  bayer!: u32;
  embedded!: u32;
  stats!: u32;
}

@struct()
export class ConfigParams {
  transform!: u32;
  sensorControls!: ControlInfoMap;
  ispControls!: ControlInfoMap;
  lensControls!: ControlInfoMap;
  lsTableHandle!: SharedFD;
}

@struct()
export class ConfigResult {
  modeSensitivity!: f32;
  controlInfo!: ControlInfoMap;
  sensorControls!: ControlList;
  lensControls!: ControlList;
}

@struct()
export class StartResult {
  controls!: ControlList;
  startupFrameCount!: i32;
  invalidFrameCount!: i32;
}

@struct()
export class PrepareParams {
  buffers!: BufferIds;
  sensorControls!: ControlList;
  requestControls!: ControlList;
  ipaContext!: u32;
  delayContext!: u32;
}

@struct()
export class ProcessParams {
  buffers!: BufferIds;
  ipaContext!: u32;
}

@ipaEvents()
export abstract class IPARPiEventInterface {
  abstract prepareIspComplete(buffers: BufferIds, stitchSwapBuffers: boolean): void;
  abstract processStatsComplete(buffers: BufferIds): void;
  abstract metadataReady(metadata: ControlList): void;
  abstract setIspControls(controls: ControlList): void;
  abstract setDelayedControls(controls: ControlList, delayContext: u32): void;
  abstract setLensControls(controls: ControlList): void;
  abstract setCameraTimeout(maxFrameLengthMs: u32): void;
}

@ipaInterface('RPi')
export abstract class IPARPiInterface extends IPAInterface<IPARPiEventInterface> {
  abstract init(settings: IPASettings, params: InitParams): Promise<{ ret: i32; result: InitResult }>;
  abstract start(controls: ControlList): Promise<StartResult>;
  abstract stop(): Promise<void>;
  abstract configure(sensorInfo: IPACameraSensorInfo, params: ConfigParams): Promise<{ ret: i32; result: ConfigResult }>;
  abstract mapBuffers(buffers: IPABuffer[]): Promise<void>;
  abstract unmapBuffers(ids: u32[]): Promise<void>;
  abstract prepareIsp(params: PrepareParams): void;
  abstract processStats(params: ProcessParams): void;
}
