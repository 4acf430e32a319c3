/**
 * Constants of the Rockchip ISP1 userspace API, `linux/rkisp1-config.h` as libcamera v0.7.1
 * ships it (include/linux/rkisp1-config.h), with the generic `linux/media/v4l2-isp.h` header the
 * IPA's V4L2Params uses for the extensible format's block header.
 */

/** `enum rkisp1_cif_isp_version`. */
export enum IspVersion {
  V10 = 10,
  V11 = 11,
  V12 = 12,
  V13 = 13,
  V_IMX8MP = 14,
}

/** RKISP1_CIF_ISP_MODULE_*: the legacy format's module_en_update / module_ens / module_cfg_update bits. */
export const Module = {
  DPCC: 1 << 0,
  BLS: 1 << 1,
  SDG: 1 << 2,
  HST: 1 << 3,
  LSC: 1 << 4,
  AWB_GAIN: 1 << 5,
  FLT: 1 << 6,
  BDM: 1 << 7,
  CTK: 1 << 8,
  GOC: 1 << 9,
  CPROC: 1 << 10,
  AFC: 1 << 11,
  AWB: 1 << 12,
  IE: 1 << 13,
  AEC: 1 << 14,
  WDR: 1 << 15,
  DPF: 1 << 16,
  DPF_STRENGTH: 1 << 17,
} as const;

/** RKISP1_CIF_ISP_STAT_*: the statistics buffer's meas_type bits. */
export const Stat = {
  AWB: 1 << 0,
  AUTOEXP: 1 << 1,
  AFM: 1 << 2,
  HIST: 1 << 3,
} as const;

/** `enum rkisp1_ext_params_block_type`. */
export enum BlockType {
  BLS = 0,
  DPCC = 1,
  SDG = 2,
  AWB_GAIN = 3,
  FLT = 4,
  BDM = 5,
  CTK = 6,
  GOC = 7,
  DPF = 8,
  DPF_STRENGTH = 9,
  CPROC = 10,
  IE = 11,
  LSC = 12,
  AWB_MEAS = 13,
  HST_MEAS = 14,
  AEC_MEAS = 15,
  AFC_MEAS = 16,
  COMPAND_BLS = 17,
  COMPAND_EXPAND = 18,
  COMPAND_COMPRESS = 19,
  WDR = 20,
}

/** RKISP1_EXT_PARAMS_FL_BLOCK_* (= V4L2_ISP_PARAMS_FL_BLOCK_*). Neither bit: reconfigure, keep the state. */
export const BlockFlag = {
  DISABLE: 1 << 0,
  ENABLE: 1 << 1,
} as const;

/** RKISP1_EXT_PARAM_BUFFER_V1 (= V4L2_ISP_PARAMS_VERSION_V1). */
export const EXT_PARAMS_VERSION = 1;
/** struct v4l2_isp_params_buffer: u32 version, u32 data_size, then the blocks. */
export const EXT_PARAMS_HEADER_SIZE = 8;
/** struct v4l2_isp_params_block_header / rkisp1_ext_params_block_header: u16 type, u16 flags, u32 size. */
export const BLOCK_HEADER_SIZE = 8;
/** RKISP1_EXT_PARAMS_MAX_SIZE: every block once, the compand curve twice. */
export const EXT_PARAMS_MAX_SIZE = 4504;
/** sizeof(struct rkisp1_ext_params_cfg): the parameters buffer libcamera allocates. */
export const EXT_PARAMS_BUFFER_SIZE = EXT_PARAMS_HEADER_SIZE + EXT_PARAMS_MAX_SIZE;

/** V4L2 meta formats: the legacy fixed layout (`RK1P`) and the extensible one (`RK1E`). */
export const V4L2_META_FMT_RK_ISP1_PARAMS = fourcc('R', 'K', '1', 'P');
export const V4L2_META_FMT_RK_ISP1_STAT_3A = fourcc('R', 'K', '1', 'S');
export const V4L2_META_FMT_RK_ISP1_EXT_PARAMS = fourcc('R', 'K', '1', 'E');

function fourcc(a: string, b: string, c: string, d: string): number {
  return (a.charCodeAt(0) | (b.charCodeAt(0) << 8) | (c.charCodeAt(0) << 16) | (d.charCodeAt(0) << 24)) >>> 0;
}

export const CTK_COEFF_MAX = 0x100;
export const CTK_OFFSET_MAX = 0x800;

export const AE_MEAN_MAX_V10 = 25;
export const AE_MEAN_MAX_V12 = 81;
export const AE_MEAN_MAX = AE_MEAN_MAX_V12;

export const HIST_BIN_N_MAX_V10 = 16;
export const HIST_BIN_N_MAX_V12 = 32;
export const HIST_BIN_N_MAX = HIST_BIN_N_MAX_V12;
/**
 * Fractional bits of a histogram bin as libcamera's AGC discards them (`x >> 4`). The header's
 * comment says "bits 0-4 are the fractional part", which would be 5; libcamera uses 4.
 */
export const HIST_BIN_FRACTIONAL_BITS = 4;

export const AFM_MAX_WINDOWS = 3;
export const DEGAMMA_CURVE_SIZE = 17;
export const BDM_MAX_TH = 0xff;

export const BLS_START_H_MAX = 0xfff;
export const BLS_STOP_H_MAX = 0xfff;
export const BLS_START_V_MAX = 0xfff;
export const BLS_STOP_V_MAX = 0xfff;
export const BLS_SAMPLES_MAX = 0x12;
export const BLS_FIX_SUB_MAX = 0xfff;
export const BLS_FIX_SUB_MIN = 0xfffff000;
export const BLS_FIX_MASK = 0x1fff;

export const AWB_MAX_GRID = 1;
export const AWB_MAX_FRAMES = 7;

export const GAMMA_OUT_MAX_SAMPLES_V10 = 17;
export const GAMMA_OUT_MAX_SAMPLES_V12 = 34;
export const GAMMA_OUT_MAX_SAMPLES = GAMMA_OUT_MAX_SAMPLES_V12;

export const LSC_SECTORS_TBL_SIZE = 8;
export const LSC_SAMPLES_MAX = 17;

export const HISTOGRAM_WEIGHT_GRIDS_SIZE_V10 = 25;
export const HISTOGRAM_WEIGHT_GRIDS_SIZE_V12 = 81;
export const HISTOGRAM_WEIGHT_GRIDS_SIZE = HISTOGRAM_WEIGHT_GRIDS_SIZE_V12;

export const DPCC_METHODS_MAX = 3;
export const DPF_MAX_NLF_COEFFS = 17;
export const DPF_MAX_SPATIAL_COEFFS = 6;
export const COMPAND_NUM_POINTS = 64;
export const WDR_CURVE_NUM_INTERV = 32;
export const WDR_CURVE_NUM_COEFF = WDR_CURVE_NUM_INTERV + 1;
export const WDR_CURVE_NUM_DY_REGS = 4;

/** `enum rkisp1_cif_isp_histogram_mode`. */
export enum HistogramMode {
  DISABLE = 0,
  RGB_COMBINED = 1,
  R_HISTOGRAM = 2,
  G_HISTOGRAM = 3,
  B_HISTOGRAM = 4,
  Y_HISTOGRAM = 5,
}

/** `enum rkisp1_cif_isp_awb_mode_type`. */
export enum AwbMode {
  MANUAL = 0,
  RGB = 1,
  YCBCR = 2,
}

/** `enum rkisp1_cif_isp_flt_mode`. */
export enum FltMode {
  STATIC = 0,
  DYNAMIC = 1,
}

/** `enum rkisp1_cif_isp_exp_ctrl_autostop`. */
export enum ExpCtrlAutostop {
  AUTOSTOP_0 = 0,
  AUTOSTOP_1 = 1,
}

/** `enum rkisp1_cif_isp_exp_meas_mode`: 0 is Y = 16 + 0.25R + 0.5G + 0.1094B, 1 is (R + G + B) x 85/256. */
export enum ExpMeasMode {
  MODE_0 = 0,
  MODE_1 = 1,
}

/** `enum rkisp1_cif_isp_goc_mode`. */
export enum GocMode {
  LOGARITHMIC = 0,
  EQUIDISTANT = 1,
}

/** `enum rkisp1_cif_isp_dpf_gain_usage`. */
export enum DpfGainUsage {
  DISABLED = 0,
  NF_GAINS = 1,
  LSC_GAINS = 2,
  NF_LSC_GAINS = 3,
  AWB_GAINS = 4,
  AWB_LSC_GAINS = 5,
  MAX = 6,
}

/** `enum rkisp1_cif_isp_dpf_rb_filtersize`. */
export enum DpfRbFilterSize {
  SIZE_13x9 = 0,
  SIZE_9x9 = 1,
}

/** `enum rkisp1_cif_isp_dpf_nll_scale_mode`. */
export enum DpfNllScaleMode {
  LINEAR = 0,
  LOGARITHMIC = 1,
}

/** Entries the hardware revision really uses of the arrays sized for the largest one. */
export interface RevisionSizes {
  aeMeans: number;
  histogramBins: number;
  histogramWeights: number;
  gammaOutSamples: number;
}

/** V12 and V13 have the larger grids; V10, V11 and i.MX8MP the smaller (as the header's enum says). */
export function revisionSizes(version: IspVersion): RevisionSizes {
  const large = version === IspVersion.V12 || version === IspVersion.V13;
  return large
    ? { aeMeans: AE_MEAN_MAX_V12, histogramBins: HIST_BIN_N_MAX_V12, histogramWeights: HISTOGRAM_WEIGHT_GRIDS_SIZE_V12, gammaOutSamples: GAMMA_OUT_MAX_SAMPLES_V12 }
    : { aeMeans: AE_MEAN_MAX_V10, histogramBins: HIST_BIN_N_MAX_V10, histogramWeights: HISTOGRAM_WEIGHT_GRIDS_SIZE_V10, gammaOutSamples: GAMMA_OUT_MAX_SAMPLES_V10 };
}
