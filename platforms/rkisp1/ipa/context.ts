/**
 * The rkisp1 IPA's context (libcamera src/ipa/rkisp1/ipa_context.h of v0.7.1), cut to what the
 * algorithms ported so far (Agc, Awb, BlackLevelCorrection) read and write. Durations are
 * nanoseconds (ts-ipa/ipa's Duration), as libcamera's utils::Duration.
 */
import type { ControlId, ControlInfo, IPACameraSensorInfo } from '../../../runtime';
import type { CameraSensorHelper } from '../../../ipa/camera-sensor-helper';
import type { Duration } from '../../../ipa/duration';
import { FCQueue } from '../../../ipa/fc-queue';
import { Matrix } from '../../../ipa/matrix';
import { type RGB, rgb } from '../../../ipa/vector';
import type { Window } from '../uapi';

export interface IPAHwSettings {
  numAeCells: number;
  numHistogramBins: number;
  numHistogramWeights: number;
  numGammaOutSamples: number;
  supportedBlocks: number;
  compand: boolean;
}

export interface IPASessionConfiguration {
  agc: { measureWindow: Window };
  awb: { measureWindow: Window; enabled: boolean };
  compress: { supported: boolean };
  sensor: {
    minExposureTime: Duration;
    maxExposureTime: Duration;
    minAnalogueGain: number;
    maxAnalogueGain: number;
    defVBlank: number;
    lineDuration: Duration;
    size: { width: number; height: number };
  };
  raw: boolean;
  paramFormat: number;
}

export interface AwbState {
  gains: RGB;
  temperatureK: number;
}

export interface IPAActiveState {
  agc: {
    manual: { exposure: number; gain: number };
    automatic: { exposure: number; gain: number; quantizationGain: number; yTarget: number };
    autoExposureEnabled: boolean;
    autoGainEnabled: boolean;
    exposureValue: number;
    constraintMode: number;
    exposureMode: number;
    meteringMode: number;
    minFrameDuration: Duration;
    maxFrameDuration: Duration;
  };
  awb: { manual: AwbState; automatic: AwbState; autoEnabled: boolean };
  lux: { lux: number };
  wdr: { mode: number };
}

export interface IPAFrameContext {
  frame: number;
  agc: {
    exposure: number;
    gain: number;
    exposureValue: number;
    quantizationGain: number;
    vblank: number;
    yTarget: number;
    autoExposureEnabled: boolean;
    autoGainEnabled: boolean;
    constraintMode: number;
    exposureMode: number;
    meteringMode: number;
    minFrameDuration: Duration;
    maxFrameDuration: Duration;
    frameDuration: Duration;
    updateMetering: boolean;
    autoExposureModeChange: boolean;
    autoGainModeChange: boolean;
  };
  awb: { gains: RGB; autoEnabled: boolean; temperatureK: number };
  compress: { enable: boolean; gain: number };
  sensor: { exposure: number; gain: number };
  /** Value-initialised in libcamera (all zeros): its inverse is the identity, with ok false. */
  ccm: { ccm: Matrix };
  lux: { lux: number };
}

export interface IPAContext {
  hw: IPAHwSettings;
  sensorInfo: IPACameraSensorInfo;
  configuration: IPASessionConfiguration;
  activeState: IPAActiveState;
  frameContexts: FCQueue<IPAFrameContext>;
  /** libcamera's ControlInfoMap::Map the algorithms fill at init (a std::unordered_map). */
  ctrlMap: Map<ControlId, ControlInfo>;
  camHelper: CameraSensorHelper;
}

const zeroWindow = (): Window => ({ h_offs: 0, v_offs: 0, h_size: 0, v_size: 0 });

/** `context_.configuration = {}`. */
export function emptyConfiguration(): IPASessionConfiguration {
  return {
    agc: { measureWindow: zeroWindow() },
    awb: { measureWindow: zeroWindow(), enabled: false },
    compress: { supported: false },
    sensor: { minExposureTime: 0, maxExposureTime: 0, minAnalogueGain: 0, maxAnalogueGain: 0, defVBlank: 0, lineDuration: 0, size: { width: 0, height: 0 } },
    raw: false,
    paramFormat: 0,
  };
}

/** `context_.activeState = {}`. */
export function emptyActiveState(): IPAActiveState {
  return {
    agc: {
      manual: { exposure: 0, gain: 0 },
      automatic: { exposure: 0, gain: 0, quantizationGain: 0, yTarget: 0 },
      autoExposureEnabled: false,
      autoGainEnabled: false,
      exposureValue: 0,
      constraintMode: 0,
      exposureMode: 0,
      meteringMode: 0,
      minFrameDuration: 0,
      maxFrameDuration: 0,
    },
    awb: { manual: { gains: rgb(0, 0, 0), temperatureK: 0 }, automatic: { gains: rgb(0, 0, 0), temperatureK: 0 }, autoEnabled: false },
    lux: { lux: 0 },
    wdr: { mode: 0 },
  };
}

/** libcamera's value-initialised Matrix<float, 3, 3>: zeros. Matrices are immutable; one is shared. */
const ZERO_CCM = Matrix.zeros(3, 3, 'float');

/** A value-initialised frame context (FCQueue's `frameContext = {}`). */
export function emptyFrameContext(): IPAFrameContext {
  return {
    frame: 0,
    agc: {
      exposure: 0, gain: 0, exposureValue: 0, quantizationGain: 0, vblank: 0, yTarget: 0,
      autoExposureEnabled: false, autoGainEnabled: false, constraintMode: 0, exposureMode: 0, meteringMode: 0,
      minFrameDuration: 0, maxFrameDuration: 0, frameDuration: 0,
      updateMetering: false, autoExposureModeChange: false, autoGainModeChange: false,
    },
    awb: { gains: rgb(0, 0, 0), autoEnabled: false, temperatureK: 0 },
    compress: { enable: false, gain: 0 },
    sensor: { exposure: 0, gain: 0 },
    ccm: { ccm: ZERO_CCM },
    lux: { lux: 0 },
  };
}
