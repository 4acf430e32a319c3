/**
 * The legacy fixed parameters format (V4L2_META_FMT_RK_ISP1_PARAMS, `RK1P`):
 * `struct rkisp1_params_cfg`, 3048 bytes, align 4.
 *
 *   @0    u32 module_en_update   RKISP1_CIF_ISP_MODULE_* whose enable bit is to be applied
 *   @4    u32 module_ens         the enable bits
 *   @8    u32 module_cfg_update  RKISP1_CIF_ISP_MODULE_* whose config is to be applied
 *   @12   meas (168 bytes):   awb_meas_config @12, hst_config @32, aec_config @128, afc_config @144
 *   @180  others (2868 bytes): dpcc_config @180, bls_config @272, sdg_config @300, lsc_config @412,
 *         awb_gain_config @2792, flt_config @2800, bdm_config @2848, @2849 pad, ctk_config @2850,
 *         @2874 pad, goc_config @2876, dpf_config @2948, dpf_strength_config @3020,
 *         cproc_config @3023, ie_config @3030, @3046 pad (2)
 *
 * The compand and WDR blocks exist only in the extensible format.
 */
import { BlockType, Module } from './constants.js';
import {
  aecConfig, type AecConfig, afcConfig, type AfcConfig, awbGainConfig, type AwbGainConfig, awbMeasConfig,
  type AwbMeasConfig, bdmConfig, type BdmConfig, blsConfig, type BlsConfig, cprocConfig, type CprocConfig, ctkConfig,
  type CtkConfig, dpccConfig, type DpccConfig, dpfConfig, type DpfConfig, dpfStrengthConfig, type DpfStrengthConfig,
  fltConfig, type FltConfig, gocConfig, type GocConfig, hstConfig, type HstConfig, ieConfig, type IeConfig, lscConfig,
  type LscConfig, sdgConfig, type SdgConfig, type StructCodec,
} from './configs.js';
import type { BlockConfigs } from './ext-params.js';
import { type Bytes, setU32, u32, viewOf } from './struct.js';

export const LEGACY_PARAMS_SIZE = 3048;

export interface LegacyMeasConfig {
  awb_meas_config: AwbMeasConfig;
  hst_config: HstConfig;
  aec_config: AecConfig;
  afc_config: AfcConfig;
}

export interface LegacyOtherConfig {
  dpcc_config: DpccConfig;
  bls_config: BlsConfig;
  sdg_config: SdgConfig;
  lsc_config: LscConfig;
  awb_gain_config: AwbGainConfig;
  flt_config: FltConfig;
  bdm_config: BdmConfig;
  ctk_config: CtkConfig;
  goc_config: GocConfig;
  dpf_config: DpfConfig;
  dpf_strength_config: DpfStrengthConfig;
  cproc_config: CprocConfig;
  ie_config: IeConfig;
}

/** `struct rkisp1_params_cfg`. */
export interface LegacyParams {
  module_en_update: number;
  module_ens: number;
  module_cfg_update: number;
  meas: LegacyMeasConfig;
  others: LegacyOtherConfig;
}

/** Where each block lives in the legacy struct and its module bit (libcamera's kBlockTypeInfo). */
export interface LegacyBlockInfo {
  offset: number;
  module: number;
  group: 'meas' | 'others';
  field: keyof LegacyMeasConfig | keyof LegacyOtherConfig;
}

export type LegacyBlockType = Exclude<BlockType, BlockType.COMPAND_BLS | BlockType.COMPAND_EXPAND | BlockType.COMPAND_COMPRESS | BlockType.WDR>;

export const LEGACY_BLOCKS: { readonly [K in LegacyBlockType]: LegacyBlockInfo } = {
  [BlockType.AWB_MEAS]: { offset: 12, module: Module.AWB, group: 'meas', field: 'awb_meas_config' },
  [BlockType.HST_MEAS]: { offset: 32, module: Module.HST, group: 'meas', field: 'hst_config' },
  [BlockType.AEC_MEAS]: { offset: 128, module: Module.AEC, group: 'meas', field: 'aec_config' },
  [BlockType.AFC_MEAS]: { offset: 144, module: Module.AFC, group: 'meas', field: 'afc_config' },
  [BlockType.DPCC]: { offset: 180, module: Module.DPCC, group: 'others', field: 'dpcc_config' },
  [BlockType.BLS]: { offset: 272, module: Module.BLS, group: 'others', field: 'bls_config' },
  [BlockType.SDG]: { offset: 300, module: Module.SDG, group: 'others', field: 'sdg_config' },
  [BlockType.LSC]: { offset: 412, module: Module.LSC, group: 'others', field: 'lsc_config' },
  [BlockType.AWB_GAIN]: { offset: 2792, module: Module.AWB_GAIN, group: 'others', field: 'awb_gain_config' },
  [BlockType.FLT]: { offset: 2800, module: Module.FLT, group: 'others', field: 'flt_config' },
  [BlockType.BDM]: { offset: 2848, module: Module.BDM, group: 'others', field: 'bdm_config' },
  [BlockType.CTK]: { offset: 2850, module: Module.CTK, group: 'others', field: 'ctk_config' },
  [BlockType.GOC]: { offset: 2876, module: Module.GOC, group: 'others', field: 'goc_config' },
  [BlockType.DPF]: { offset: 2948, module: Module.DPF, group: 'others', field: 'dpf_config' },
  [BlockType.DPF_STRENGTH]: { offset: 3020, module: Module.DPF_STRENGTH, group: 'others', field: 'dpf_strength_config' },
  [BlockType.CPROC]: { offset: 3023, module: Module.CPROC, group: 'others', field: 'cproc_config' },
  [BlockType.IE]: { offset: 3030, module: Module.IE, group: 'others', field: 'ie_config' },
};

const MEAS: { [K in keyof LegacyMeasConfig]: [number, StructCodec<LegacyMeasConfig[K]>] } = {
  awb_meas_config: [12, awbMeasConfig],
  hst_config: [32, hstConfig],
  aec_config: [128, aecConfig],
  afc_config: [144, afcConfig],
};

const OTHERS: { [K in keyof LegacyOtherConfig]: [number, StructCodec<LegacyOtherConfig[K]>] } = {
  dpcc_config: [180, dpccConfig],
  bls_config: [272, blsConfig],
  sdg_config: [300, sdgConfig],
  lsc_config: [412, lscConfig],
  awb_gain_config: [2792, awbGainConfig],
  flt_config: [2800, fltConfig],
  bdm_config: [2848, bdmConfig],
  ctk_config: [2850, ctkConfig],
  goc_config: [2876, gocConfig],
  dpf_config: [2948, dpfConfig],
  dpf_strength_config: [3020, dpfStrengthConfig],
  cproc_config: [3023, cprocConfig],
  ie_config: [3030, ieConfig],
};

export class LegacyParamsSizeError extends Error {
  constructor(readonly size: number) {
    super(`rkisp1 legacy parameters: ${size} bytes, struct rkisp1_params_cfg is ${LEGACY_PARAMS_SIZE}`);
    this.name = 'LegacyParamsSizeError';
  }
}

export function decodeLegacyParams(bytes: Bytes): LegacyParams {
  if (bytes.byteLength < LEGACY_PARAMS_SIZE) throw new LegacyParamsSizeError(bytes.byteLength);
  const v = viewOf(bytes);
  const meas = {} as Record<string, unknown>;
  for (const [name, [off, codec]] of Object.entries(MEAS)) meas[name] = codec.decode(v, off);
  const others = {} as Record<string, unknown>;
  for (const [name, [off, codec]] of Object.entries(OTHERS)) others[name] = codec.decode(v, off);
  return {
    module_en_update: u32(v, 0),
    module_ens: u32(v, 4),
    module_cfg_update: u32(v, 8),
    meas: meas as unknown as LegacyMeasConfig,
    others: others as unknown as LegacyOtherConfig,
  };
}

/** Writes the whole struct into the first 3048 bytes of `bytes` (padding zeroed). */
export function encodeLegacyParams(p: LegacyParams, bytes: Bytes = new Uint8Array(LEGACY_PARAMS_SIZE)): Bytes {
  if (bytes.byteLength < LEGACY_PARAMS_SIZE) throw new LegacyParamsSizeError(bytes.byteLength);
  bytes.fill(0, 0, LEGACY_PARAMS_SIZE);
  const v = viewOf(bytes);
  setU32(v, 0, p.module_en_update);
  setU32(v, 4, p.module_ens);
  setU32(v, 8, p.module_cfg_update);
  for (const [name, [off, codec]] of Object.entries(MEAS)) {
    (codec as StructCodec<unknown>).encode(v, off, p.meas[name as keyof LegacyMeasConfig]);
  }
  for (const [name, [off, codec]] of Object.entries(OTHERS)) {
    (codec as StructCodec<unknown>).encode(v, off, p.others[name as keyof LegacyOtherConfig]);
  }
  return bytes;
}

export function isLegacyBlockType(type: BlockType): type is LegacyBlockType {
  return type in LEGACY_BLOCKS;
}

/**
 * Fills a legacy buffer the way libcamera's RkISP1Params does for the fixed format: the
 * constructor zeroes the buffer (bytesused is always 3048); each block written sets its module
 * bit in module_cfg_update and module_en_update and writes its config at the fixed offset;
 * `enabled` true/false sets or clears its bit in module_ens. A block written without
 * `enabled` keeps module_ens's bit as it is, which (as in libcamera) means the update disables it
 * unless it was enabled before.
 */
export class LegacyParamsBuilder {
  readonly buffer: Bytes;
  private readonly view: DataView;

  constructor(buffer: Bytes = new Uint8Array(LEGACY_PARAMS_SIZE)) {
    if (buffer.byteLength < LEGACY_PARAMS_SIZE) throw new LegacyParamsSizeError(buffer.byteLength);
    this.buffer = buffer;
    this.view = viewOf(buffer);
    buffer.fill(0);
  }

  set<K extends LegacyBlockType>(type: K, config: BlockConfigs[K], enabled?: boolean): this {
    const info = LEGACY_BLOCKS[type];
    const codec = (info.group === 'meas' ? MEAS : OTHERS)[info.field as never] as [number, StructCodec<BlockConfigs[K]>];
    setU32(this.view, 8, (u32(this.view, 8) | info.module) >>> 0);
    setU32(this.view, 0, (u32(this.view, 0) | info.module) >>> 0);
    this.buffer.fill(0, info.offset, info.offset + codec[1].size);
    codec[1].encode(this.view, info.offset, config);
    if (enabled !== undefined) this.setEnabled(type, enabled);
    return this;
  }

  setEnabled(type: LegacyBlockType, enabled: boolean): this {
    const bit = LEGACY_BLOCKS[type].module;
    const ens = u32(this.view, 4);
    setU32(this.view, 4, (enabled ? ens | bit : ens & ~bit) >>> 0);
    return this;
  }

  get bytesused(): number {
    return LEGACY_PARAMS_SIZE;
  }

  bytes(): Bytes {
    return this.buffer.subarray(0, LEGACY_PARAMS_SIZE);
  }
}
