/**
 * The rkisp1 IPA contract: the TypeScript twin of libcamera's rkisp1.mojom (module ipa.rkisp1).
 * The order of the methods is the order of their command numbers on the wire.
 */
import {
  ControlInfoMap, ControlList, IPAInterface, ipaEvents, ipaInterface, struct,
  type i32, type IPABuffer, type IPACameraSensorInfo, type IPASettings, type IPAStream, type u32,
} from '../../runtime';

@struct()
export class IPAConfigInfo {
  sensorInfo!: IPACameraSensorInfo;
  sensorControls!: ControlInfoMap;
  paramFormat!: u32;
}

@ipaEvents()
export abstract class IPARkISP1EventInterface {
  abstract paramsComputed(frame: u32, bytesused: u32): void;
  abstract setSensorControls(frame: u32, sensorControls: ControlList): void;
  abstract metadataReady(frame: u32, metadata: ControlList): void;
}

@ipaInterface('rkisp1')
export abstract class IPARkISP1Interface extends IPAInterface<IPARkISP1EventInterface> {
  abstract init(
    settings: IPASettings,
    hwRevision: u32,
    supportedBlocks: u32,
    sensorInfo: IPACameraSensorInfo,
    sensorControls: ControlInfoMap,
  ): Promise<{ ret: i32; ipaControls: ControlInfoMap }>;

  abstract start(): Promise<i32>;
  abstract stop(): Promise<void>;

  abstract configure(
    configInfo: IPAConfigInfo,
    streamConfig: Map<u32, IPAStream>,
  ): Promise<{ ret: i32; ipaControls: ControlInfoMap }>;

  abstract mapBuffers(buffers: IPABuffer[]): Promise<void>;
  abstract unmapBuffers(ids: u32[]): Promise<void>;
  abstract queueRequest(frame: u32, reqControls: ControlList): void;
  abstract computeParams(frame: u32, bufferId: u32): void;
  abstract processStats(frame: u32, bufferId: u32, sensorControls: ControlList): void;
}
