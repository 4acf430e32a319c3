import {
  ControlInfo, ControlInfoMap, ControlList, ControlType, ControlValue, controlIds, controls,
  type ControlId, type EventSender, type IPABuffer, type IPACameraSensorInfo, type IPAImplementation, type IPASettings,
  type IPAStream, type u32,
} from '../../../runtime';
import {
  createCameraSensorHelper, FCQueue, lineDurationFromPixelRate, MappedBuffers, Module, readTuningFile, toMicroseconds, toUint32, TuningFileError,
} from '../../../ipa';
import type { IPAConfigInfo, IPARkISP1Interface } from '../contract';
import {
  AE_MEAN_MAX_V10, AE_MEAN_MAX_V12, GAMMA_OUT_MAX_SAMPLES_V10, GAMMA_OUT_MAX_SAMPLES_V12, HIST_BIN_N_MAX_V10, HIST_BIN_N_MAX_V12,
  HISTOGRAM_WEIGHT_GRIDS_SIZE_V10, HISTOGRAM_WEIGHT_GRIDS_SIZE_V12, IspVersion, V4L2_META_FMT_RK_ISP1_EXT_PARAMS, V4L2_META_FMT_RK_ISP1_PARAMS,
} from '../uapi/constants.js';
import { readStats } from '../uapi/stats.js';
import { type Algorithm, rkisp1Algorithms, type RkISP1Module } from './algorithms';
import { emptyActiveState, emptyConfiguration, emptyFrameContext, type IPAContext, type IPAHwSettings } from './context';
import { RkISP1Params } from './params';

const EINVAL = 22;
const ENODEV = 19;

/** Maximum number of frame contexts to be held. */
const kMaxFrameContexts = 16;

/** V4L2 control ids the IPA reads and sets. */
export const V4L2_CID_EXPOSURE = 0x00980911;
export const V4L2_CID_HBLANK = 0x009e0902;
export const V4L2_CID_VBLANK = 0x009e0901;
export const V4L2_CID_ANALOGUE_GAIN = 0x009e0903;

const hwV10: IPAHwSettings = {
  numAeCells: AE_MEAN_MAX_V10, numHistogramBins: HIST_BIN_N_MAX_V10, numHistogramWeights: HISTOGRAM_WEIGHT_GRIDS_SIZE_V10,
  numGammaOutSamples: GAMMA_OUT_MAX_SAMPLES_V10, supportedBlocks: 0, compand: false,
};
const hwIMX8MP: IPAHwSettings = { ...hwV10, compand: true };
const hwV12: IPAHwSettings = {
  numAeCells: AE_MEAN_MAX_V12, numHistogramBins: HIST_BIN_N_MAX_V12, numHistogramWeights: HISTOGRAM_WEIGHT_GRIDS_SIZE_V12,
  numGammaOutSamples: GAMMA_OUT_MAX_SAMPLES_V12, supportedBlocks: 0, compand: false,
};

/** The controls the IPA itself handles (rkisp1Controls). */
function baseControls(): Map<ControlId, ControlInfo> {
  return new Map<ControlId, ControlInfo>([
    [controls.DebugMetadataEnable, new ControlInfo(ControlValue.bool(false), ControlValue.bool(true), ControlValue.bool(false))],
    [controls.NoiseReductionMode, new ControlInfo(ControlValue.i32(0), ControlValue.i32(4), ControlValue.i32(0))],
  ]);
}

/**
 * Raw (Bayer or mono) pixel formats, by their DRM fourcc as libcamera's PixelFormat carries them:
 * libcamera's ColourEncodingRAW formats. The MIPI-packed variants share the fourcc.
 */
const RAW_FOURCCS = new Set(
  ['RGGB', 'GRBG', 'GBRG', 'BA81', 'RG10', 'BA10', 'GB10', 'BG10', 'RG12', 'BA12', 'GB12', 'BG12', 'RG14', 'BA14', 'GB14', 'BG14',
    'RG16', 'GR16', 'GB16', 'BYR2', 'R8  ', 'R10 ', 'R12 ', 'R16 '].map((s) => (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0),
);

/**
 * libcamera's rkisp1 IPA (src/ipa/rkisp1/rkisp1.cpp of v0.7.1) with the algorithms its
 * uncalibrated tuning runs: Agc, Awb (grey world) and BlackLevelCorrection, in the extensible or
 * the legacy parameters format.
 */
export class RkISP1IPA implements IPAImplementation<IPARkISP1Interface> {
  private readonly module = new Module<RkISP1Module>(rkisp1Algorithms);
  private readonly buffers = new MappedBuffers();
  private sensorControls: ControlInfoMap | undefined;
  private context: IPAContext | undefined;

  constructor(private readonly events: EventSender<IPARkISP1Interface>) {}

  private get algorithms(): readonly Algorithm[] {
    return this.module.algorithms as readonly Algorithm[];
  }

  init(settings: IPASettings, hwRevision: u32, supportedBlocks: u32, sensorInfo: IPACameraSensorInfo, sensorControls: ControlInfoMap) {
    const empty = new ControlInfoMap([], controlIds);
    let hw: IPAHwSettings;
    switch (hwRevision) {
      case IspVersion.V10: hw = { ...hwV10 }; break;
      case IspVersion.V_IMX8MP: hw = { ...hwIMX8MP }; break;
      case IspVersion.V12: hw = { ...hwV12 }; break;
      default: return { ret: -ENODEV, ipaControls: empty };
    }
    hw.supportedBlocks = supportedBlocks;

    const camHelper = createCameraSensorHelper(settings.sensorModel);
    if (!camHelper) return { ret: -ENODEV, ipaControls: empty };

    const configuration = emptyConfiguration();
    configuration.sensor.lineDuration = lineDurationFromPixelRate(sensorInfo.minLineLength, Number(sensorInfo.pixelRate));
    const context: IPAContext = {
      hw, sensorInfo, configuration, activeState: emptyActiveState(),
      frameContexts: new FCQueue(kMaxFrameContexts, emptyFrameContext),
      ctrlMap: new Map(), camHelper,
    };

    let data: unknown;
    try {
      data = readTuningFile(settings.configurationFile);
    } catch (error) {
      if (error instanceof TuningFileError) return { ret: error.errno, ipaControls: empty };
      throw error;
    }
    const dict = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
    const version = dict?.['version'] ?? 0;
    if (version !== 1 || !dict || !('algorithms' in dict)) return { ret: -EINVAL, ipaControls: empty };

    // A tuning file libcamera would refuse throws (a TuningError naming the key); so does an
    // algorithm's init error. Both reach the pipeline handler as the call's failure.
    this.module.createAlgorithms(context, dict['algorithms']);
    this.context = context;
    return { ret: 0, ipaControls: this.updateControls(context, sensorInfo, sensorControls) };
  }

  start() {
    return 0;
  }

  stop() {
    this.context?.frameContexts.clear();
  }

  configure(ipaConfig: IPAConfigInfo, streamConfig: Map<u32, IPAStream>) {
    const context = this.requireContext();
    this.sensorControls = ipaConfig.sensorControls;
    const sensorControls = ipaConfig.sensorControls;
    const intOf = (id: number, which: 'min' | 'max' | 'def') => Number(sensorControls.get(id)![which].value);
    const minExposure = intOf(V4L2_CID_EXPOSURE, 'min');
    const maxExposure = intOf(V4L2_CID_EXPOSURE, 'max');
    const minGain = intOf(V4L2_CID_ANALOGUE_GAIN, 'min');
    const maxGain = intOf(V4L2_CID_ANALOGUE_GAIN, 'max');

    context.configuration = emptyConfiguration();
    context.activeState = emptyActiveState();
    context.frameContexts.clear();
    context.configuration.paramFormat = ipaConfig.paramFormat;
    // The extensible format and the legacy fixed one (libcamera fails later, in computeParams, on another).
    if (ipaConfig.paramFormat !== V4L2_META_FMT_RK_ISP1_EXT_PARAMS && ipaConfig.paramFormat !== V4L2_META_FMT_RK_ISP1_PARAMS) {
      return { ret: -EINVAL, ipaControls: new ControlInfoMap([], controlIds) };
    }

    const info = ipaConfig.sensorInfo;
    const sensor = context.configuration.sensor;
    sensor.defVBlank = intOf(V4L2_CID_VBLANK, 'def');
    sensor.size = { width: info.outputSize.width, height: info.outputSize.height };
    sensor.lineDuration = lineDurationFromPixelRate(info.minLineLength, Number(info.pixelRate));

    const ipaControls = this.updateControls(context, info, sensorControls);

    sensor.minExposureTime = minExposure * sensor.lineDuration;
    sensor.maxExposureTime = maxExposure * sensor.lineDuration;
    sensor.minAnalogueGain = context.camHelper.gain(minGain);
    sensor.maxAnalogueGain = context.camHelper.gain(maxGain);

    context.configuration.raw = [...streamConfig.values()].some((cfg) => RAW_FOURCCS.has(cfg.pixelFormat >>> 0));

    for (const algo of this.algorithms) {
      algo.disabled = context.configuration.raw && !algo.supportsRaw;
      if (algo.disabled) continue;
      const ret = algo.configure(context, info) ?? 0;
      if (ret) return { ret, ipaControls };
    }
    return { ret: 0, ipaControls };
  }

  mapBuffers(buffers: IPABuffer[]) {
    this.buffers.map(buffers);
  }

  unmapBuffers(ids: u32[]) {
    this.buffers.unmap(ids);
  }

  queueRequest(frame: u32, reqControls: ControlList) {
    const context = this.requireContext();
    const frameContext = context.frameContexts.alloc(frame);
    for (const algo of this.algorithms) {
      if (algo.disabled) continue;
      algo.queueRequest(context, frame, frameContext, reqControls);
    }
  }

  computeParams(frame: u32, bufferId: u32) {
    const context = this.requireContext();
    const frameContext = context.frameContexts.get(frame);
    const params = new RkISP1Params(context.configuration.paramFormat, this.buffer(bufferId));
    // As libcamera: every algorithm prepares, disabled or not.
    for (const algo of this.algorithms) algo.prepare(context, frame, frameContext, params);
    this.events.paramsComputed(frame, params.bytesused);
  }

  processStats(frame: u32, bufferId: u32, sensorControls: ControlList) {
    const context = this.requireContext();
    const frameContext = context.frameContexts.get(frame);
    // In raw capture mode the ISP is bypassed: no statistics.
    const stats = context.configuration.raw ? null : readStats(this.buffer(bufferId), context.hw.numAeCells === AE_MEAN_MAX_V12 ? IspVersion.V12 : IspVersion.V10);

    frameContext.sensor.exposure = Number(sensorControls.getValue(V4L2_CID_EXPOSURE)?.value ?? 0);
    frameContext.sensor.gain = context.camHelper.gain(Number(sensorControls.getValue(V4L2_CID_ANALOGUE_GAIN)?.value ?? 0));

    const metadata = new ControlList(controlIds);
    for (const algo of this.algorithms) {
      if (algo.disabled) continue;
      algo.process(context, frame, frameContext, stats, metadata);
    }
    this.setControls(frame);
    this.events.metadataReady(frame, metadata);
  }

  private setControls(frame: number): void {
    const context = this.requireContext();
    const frameContext = context.frameContexts.get(frame);
    const exposure = frameContext.agc.exposure;
    const gain = context.camHelper.gainCode(frameContext.agc.gain);
    const vblank = frameContext.agc.vblank;
    const list = new ControlList(this.sensorControls);
    // static_cast<int32_t> of uint32 values.
    list.setValue(V4L2_CID_EXPOSURE, ControlValue.i32(exposure | 0));
    list.setValue(V4L2_CID_ANALOGUE_GAIN, ControlValue.i32(gain | 0));
    list.setValue(V4L2_CID_VBLANK, ControlValue.i32(vblank | 0));
    this.events.setSensorControls(frame, list);
  }

  /** The IPA's controls: its own, the sensor-derived exposure, gain and frame duration limits, and the algorithms'. */
  private updateControls(context: IPAContext, sensorInfo: IPACameraSensorInfo, sensorControls: ControlInfoMap): ControlInfoMap {
    const ctrlMap = baseControls();
    const int = (id: number, which: 'min' | 'max' | 'def') => Number(sensorControls.get(id)![which].value);

    // Exposure time limits in microseconds, converted to int32_t.
    const lineDuration = toMicroseconds(context.configuration.sensor.lineDuration);
    const exposureUs = (which: 'min' | 'max' | 'def') => Math.trunc(int(V4L2_CID_EXPOSURE, which) * lineDuration) | 0;
    if (!ctrlMap.has(controls.ExposureTime)) {
      ctrlMap.set(controls.ExposureTime, new ControlInfo(ControlValue.i32(exposureUs('min')), ControlValue.i32(exposureUs('max')), ControlValue.i32(exposureUs('def'))));
    }
    const gain = (which: 'min' | 'max' | 'def') => Math.fround(context.camHelper.gain(int(V4L2_CID_ANALOGUE_GAIN, which)));
    if (!ctrlMap.has(controls.AnalogueGain)) {
      ctrlMap.set(controls.AnalogueGain, new ControlInfo(ControlValue.float(gain('min')), ControlValue.float(gain('max')), ControlValue.float(gain('def'))));
    }

    // Frame duration limits from a fixed line length and the vertical blanking range (uint32/uint64 arithmetic).
    const hblank = toUint32(int(V4L2_CID_HBLANK, 'def'));
    const lineLength = BigInt((sensorInfo.outputSize.width + hblank) >>> 0);
    const height = sensorInfo.outputSize.height;
    const heights = (['min', 'max', 'def'] as const).map((w) => BigInt((int(V4L2_CID_VBLANK, w) + height) >>> 0));
    const perUs = BigInt(sensorInfo.pixelRate) / 1000000n;
    const [minDuration, maxDuration, defDuration] = heights.map((h) => (lineLength * h) / perUs) as [bigint, bigint, bigint];
    context.ctrlMap.set(controls.FrameDurationLimits, new ControlInfo(ControlValue.i64(minDuration), ControlValue.i64(maxDuration), ControlValue.array(ControlType.Integer64, [defDuration, defDuration])));

    // ctrlMap.insert(): what is already there stays.
    for (const [id, info] of context.ctrlMap) if (!ctrlMap.has(id)) ctrlMap.set(id, info);
    return new ControlInfoMap(ctrlMap, controlIds);
  }

  private buffer(id: number): Uint8Array {
    const buffer = this.buffers.get(id);
    if (!buffer) throw new RangeError(`buffer ${id} is not mapped (std::map::at)`);
    return buffer;
  }

  private requireContext(): IPAContext {
    if (!this.context) throw new Error('the rkisp1 IPA is not initialised');
    return this.context;
  }
}
