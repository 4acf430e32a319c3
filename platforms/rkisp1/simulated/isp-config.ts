/**
 * The ISP's configuration as parameters buffers set it, in either format: checked when the buffer
 * is queued (the driver's buf_prepare refuses a malformed one with EINVAL, so it never reaches the
 * hardware), applied when a frame starts. The blocks the simulation models are kept as configs;
 * the others are only remembered as enabled or not.
 */
import type { MetaFormat } from '../../../runtime/v4l2';
import {
  type AecConfig, type AwbGainConfig, type AwbMeasConfig, AwbMode, BlockFlag, BlockType, type BlsConfig, decodeLegacyParams, type ExtBlock,
  ExpCtrlAutostop, ExpMeasMode, HistogramMode, type HstConfig, HISTOGRAM_WEIGHT_GRIDS_SIZE, LEGACY_BLOCKS, LEGACY_PARAMS_SIZE, type LegacyBlockType,
  type LegacyParams, parseExtParams, V4L2_META_FMT_RK_ISP1_PARAMS,
} from '../uapi';
import { DEFAULT_SIZE, V10_SUPPORTED_BLOCKS } from './topology';

interface Block<C> {
  enabled: boolean;
  config: C;
}

export interface IspConfig {
  bls: Block<BlsConfig>;
  awbGain: Block<AwbGainConfig>;
  awbMeas: Block<AwbMeasConfig>;
  aec: Block<AecConfig>;
  hst: Block<HstConfig>;
  /** Blocks the simulation does not model, by whether they were last enabled. */
  others: Map<BlockType, boolean>;
  /** Counts the changes buffers made to the modelled blocks, so that what depends on them knows to start again. */
  version: number;
}

const MODELLED: Partial<Record<BlockType, keyof Omit<IspConfig, 'others' | 'version'>>> = {
  [BlockType.BLS]: 'bls',
  [BlockType.AWB_GAIN]: 'awbGain',
  [BlockType.AWB_MEAS]: 'awbMeas',
  [BlockType.AEC_MEAS]: 'aec',
  [BlockType.HST_MEAS]: 'hst',
};

export type PreparedParams = { format: 'legacy'; params: LegacyParams } | { format: 'extensible'; blocks: ExtBlock[] };

/** The driver's buf_prepare: the legacy struct whole, or an extensible buffer the uapi parser accepts. */
export function prepareParams(bytes: Uint8Array, bytesUsed: number, format: MetaFormat): PreparedParams {
  if (format.dataFormat === V4L2_META_FMT_RK_ISP1_PARAMS) {
    if (bytesUsed !== LEGACY_PARAMS_SIZE) throw new RangeError(`legacy parameters of ${bytesUsed} bytes, struct rkisp1_params_cfg is ${LEGACY_PARAMS_SIZE}`);
    return { format: 'legacy', params: decodeLegacyParams(bytes.subarray(0, bytesUsed)) };
  }
  return { format: 'extensible', blocks: parseExtParams(bytes, bytesUsed).blocks };
}

const window = (h_offs: number, v_offs: number, h_size: number, v_size: number) => ({ h_offs, v_offs, h_size, v_size });

/**
 * What rkisp1_params_configure programs at stream start before any buffer: AWB, exposure and
 * histogram measurements on with the driver's default configs (histogram weights all 1), black
 * level subtraction and white balance gains off.
 */
export function defaultIspConfig(): IspConfig {
  const { width: w, height: h } = DEFAULT_SIZE;
  return {
    bls: { enabled: false, config: { enable_auto: 0, en_windows: 0, bls_window1: window(0, 0, 0, 0), bls_window2: window(0, 0, 0, 0), bls_samples: 0, fixed_val: { r: 0, gr: 0, gb: 0, b: 0 } } },
    awbGain: { enabled: false, config: { gain_red: 256, gain_green_r: 256, gain_blue: 256, gain_green_b: 256 } },
    awbMeas: {
      enabled: true,
      config: { awb_wnd: window(0, 0, w, h), awb_mode: AwbMode.YCBCR, max_y: 200, min_y: 30, max_csum: 20, min_c: 20, frames: 0, awb_ref_cr: 128, awb_ref_cb: 128, enable_ymax_cmp: 0 },
    },
    aec: { enabled: true, config: { mode: ExpMeasMode.MODE_0, autostop: ExpCtrlAutostop.AUTOSTOP_0, meas_window: window(w >> 2, h >> 2, w >> 1, h >> 1) } },
    hst: {
      enabled: true,
      config: { mode: HistogramMode.RGB_COMBINED, histogram_predivider: 3, meas_window: window(w >> 2, h >> 2, w >> 1, h >> 1), hist_weight: new Array<number>(HISTOGRAM_WEIGHT_GRIDS_SIZE).fill(1) },
    },
    others: new Map(),
    version: 0,
  };
}

function setBlock(config: IspConfig, type: BlockType, block: unknown, enabled: boolean | undefined): void {
  const key = MODELLED[type];
  if (!key) {
    if (enabled !== undefined) config.others.set(type, enabled);
    return;
  }
  const target = config[key] as Block<unknown>;
  if (block !== undefined) target.config = structuredClone(block);
  if (enabled !== undefined) target.enabled = enabled;
}

/**
 * Applies a buffer. Legacy: each block whose module_cfg_update bit is set takes its config, and
 * each whose module_en_update bit is set its module_ens bit. Extensible: a block flagged DISABLE
 * is switched off (its config ignored), any other takes its config, and ENABLE switches it on;
 * blocks this ISP lacks (companding, V10) are skipped, as the driver skips them.
 */
export function applyParams(config: IspConfig, prepared: PreparedParams): void {
  const before = modelledState(config);
  if (prepared.format === 'legacy') {
    const p = prepared.params;
    for (const [typeName, info] of Object.entries(LEGACY_BLOCKS)) {
      const type = Number(typeName) as LegacyBlockType;
      const update = (p.module_cfg_update & info.module) !== 0;
      const block = update ? (p[info.group] as unknown as Record<string, unknown>)[info.field] : undefined;
      const enabled = p.module_en_update & info.module ? (p.module_ens & info.module) !== 0 : undefined;
      setBlock(config, type, block, enabled);
    }
  } else {
    for (const b of prepared.blocks) {
      if (!(V10_SUPPORTED_BLOCKS & (1 << b.type))) continue;
      if (b.flags & BlockFlag.DISABLE) setBlock(config, b.type, undefined, false);
      else setBlock(config, b.type, b.config, b.flags & BlockFlag.ENABLE ? true : undefined);
    }
  }
  if (modelledState(config) !== before) config.version++;
}

/** The modelled blocks as text: an IPA resends its gains every frame, mostly unchanged. */
function modelledState(config: IspConfig): string {
  return JSON.stringify([config.bls, config.awbGain, config.awbMeas, config.aec, config.hst]);
}
