/**
 * The vimc IPA contract: the TypeScript twin of libcamera's vimc.mojom (module ipa.vimc). The
 * order of the methods is the order of their command numbers on the wire.
 */
import {
  ControlInfoMap, ControlList, IPAInterface, ipaEvents, ipaInterface,
  type Flags, type i32, type IPABuffer, type IPACameraSensorInfo, type IPASettings, type IPAStream,
  type SharedFD, type u32,
} from '../../runtime';

export enum IPAOperationCode {
  IPAOperationNone = 0,
  IPAOperationInit = 1,
  IPAOperationStart = 2,
  IPAOperationStop = 3,
}

export enum TestFlag {
  Flag1 = 0x1,
  Flag2 = 0x2,
  Flag3 = 0x4,
  Flag4 = 0x8,
}

@ipaEvents()
export abstract class IPAVimcEventInterface {
  abstract paramsComputed(bufferId: u32, flags: Flags<TestFlag>): void;
}

@ipaInterface('vimc')
export abstract class IPAVimcInterface extends IPAInterface<IPAVimcEventInterface> {
  abstract init(
    settings: IPASettings,
    traceFd: SharedFD,
    code: IPAOperationCode,
    inFlags: Flags<TestFlag>,
  ): Promise<{ ret: i32; outFlags: Flags<TestFlag> }>;

  abstract configure(
    sensorInfo: IPACameraSensorInfo,
    streamConfig: Map<u32, IPAStream>,
    entityControls: Map<u32, ControlInfoMap>,
  ): Promise<i32>;

  abstract start(): Promise<i32>;
  abstract stop(): Promise<void>;
  abstract mapBuffers(buffers: IPABuffer[]): Promise<void>;
  abstract unmapBuffers(ids: u32[]): Promise<void>;
  abstract queueRequest(frame: u32, controls: ControlList): void;
  abstract computeParams(frame: u32, bufferId: u32): void;
}
