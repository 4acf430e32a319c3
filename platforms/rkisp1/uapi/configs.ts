/**
 * The ISP block configurations, `struct rkisp1_cif_isp_*_config`, shared by the extensible
 * format (each after an 8-byte block header) and the legacy `rkisp1_params_cfg` (at fixed
 * offsets). Field names are the C names. Offsets are from the start of each struct; "pad" is C
 * padding, written as zero. Arrays decode at their C length and encode from up to that many
 * values (V10 fills the first 25 histogram weights, 17 gamma samples).
 */
import {
  AFM_MAX_WINDOWS, COMPAND_NUM_POINTS, DEGAMMA_CURVE_SIZE, DPCC_METHODS_MAX, DPF_MAX_NLF_COEFFS,
  DPF_MAX_SPATIAL_COEFFS, GAMMA_OUT_MAX_SAMPLES, HISTOGRAM_WEIGHT_GRIDS_SIZE, LSC_SAMPLES_MAX,
  LSC_SECTORS_TBL_SIZE, WDR_CURVE_NUM_COEFF, WDR_CURVE_NUM_DY_REGS,
} from './constants.js';
import {
  readArray, readMatrix, readWindow, s16, setS16, setU16, setU32, setU8, u16, u32, u8, type Window,
  WINDOW_SIZE, writeArray, writeMatrix, writeWindow,
} from './struct.js';

/** Reads and writes one C struct at a byte offset of a DataView. */
export interface StructCodec<T> {
  /** sizeof the C struct, trailing padding included. */
  readonly size: number;
  decode(v: DataView, off: number): T;
  /** Writes into bytes that are zero (padding is not written). */
  encode(v: DataView, off: number, value: T): void;
}

// ---- BLS: struct rkisp1_cif_isp_bls_config, 28 bytes, align 2 ----
// @0 u8 enable_auto, @1 u8 en_windows, @2 bls_window1, @10 bls_window2, @18 u8 bls_samples, @19 pad,
// @20 fixed_val { s16 r, @22 gr, @24 gb, @26 b }
export interface BlsConfig {
  enable_auto: number;
  en_windows: number;
  bls_window1: Window;
  bls_window2: Window;
  bls_samples: number;
  fixed_val: { r: number; gr: number; gb: number; b: number };
}
export const blsConfig: StructCodec<BlsConfig> = {
  size: 28,
  decode: (v, o) => ({
    enable_auto: u8(v, o),
    en_windows: u8(v, o + 1),
    bls_window1: readWindow(v, o + 2),
    bls_window2: readWindow(v, o + 10),
    bls_samples: u8(v, o + 18),
    fixed_val: { r: s16(v, o + 20), gr: s16(v, o + 22), gb: s16(v, o + 24), b: s16(v, o + 26) },
  }),
  encode: (v, o, c) => {
    setU8(v, o, c.enable_auto);
    setU8(v, o + 1, c.en_windows);
    writeWindow(v, o + 2, c.bls_window1);
    writeWindow(v, o + 10, c.bls_window2);
    setU8(v, o + 18, c.bls_samples);
    setS16(v, o + 20, c.fixed_val.r);
    setS16(v, o + 22, c.fixed_val.gr);
    setS16(v, o + 24, c.fixed_val.gb);
    setS16(v, o + 26, c.fixed_val.b);
  },
};

// ---- DPCC: struct rkisp1_cif_isp_dpcc_config, 92 bytes, align 4 ----
// @0 u32 mode, @4 u32 output_mode, @8 u32 set_use, @12 methods[3] (24 bytes each: u32 method,
// line_thresh, line_mad_fac, pg_fac, rnd_thresh, rg_fac), @84 u32 ro_limits, @88 u32 rnd_offs
export interface DpccMethodsConfig {
  method: number;
  line_thresh: number;
  line_mad_fac: number;
  pg_fac: number;
  rnd_thresh: number;
  rg_fac: number;
}
export interface DpccConfig {
  mode: number;
  output_mode: number;
  set_use: number;
  methods: DpccMethodsConfig[];
  ro_limits: number;
  rnd_offs: number;
}
const DPCC_METHOD_FIELDS = ['method', 'line_thresh', 'line_mad_fac', 'pg_fac', 'rnd_thresh', 'rg_fac'] as const;
export const dpccConfig: StructCodec<DpccConfig> = {
  size: 92,
  decode: (v, o) => {
    const methods: DpccMethodsConfig[] = [];
    for (let i = 0; i < DPCC_METHODS_MAX; i++) {
      const m = readArray(v, o + 12 + i * 24, 'u32', 6);
      methods.push({ method: m[0]!, line_thresh: m[1]!, line_mad_fac: m[2]!, pg_fac: m[3]!, rnd_thresh: m[4]!, rg_fac: m[5]! });
    }
    return { mode: u32(v, o), output_mode: u32(v, o + 4), set_use: u32(v, o + 8), methods, ro_limits: u32(v, o + 84), rnd_offs: u32(v, o + 88) };
  },
  encode: (v, o, c) => {
    setU32(v, o, c.mode);
    setU32(v, o + 4, c.output_mode);
    setU32(v, o + 8, c.set_use);
    if (c.methods.length > DPCC_METHODS_MAX) throw new RangeError(`dpcc methods: ${c.methods.length} sets for ${DPCC_METHODS_MAX}`);
    c.methods.forEach((m, i) => writeArray(v, o + 12 + i * 24, 'u32', 6, DPCC_METHOD_FIELDS.map((f) => m[f]), `dpcc methods[${i}]`));
    setU32(v, o + 84, c.ro_limits);
    setU32(v, o + 88, c.rnd_offs);
  },
};

// ---- SDG: struct rkisp1_cif_isp_sdg_config, 112 bytes, align 4 ----
// @0 curve_r.gamma_y u16[17], @34 curve_g.gamma_y, @68 curve_b.gamma_y, @102 pad (2),
// @104 xa_pnts { u32 gamma_dx0, @108 u32 gamma_dx1 }
export interface SdgConfig {
  curve_r: { gamma_y: number[] };
  curve_g: { gamma_y: number[] };
  curve_b: { gamma_y: number[] };
  xa_pnts: { gamma_dx0: number; gamma_dx1: number };
}
export const sdgConfig: StructCodec<SdgConfig> = {
  size: 112,
  decode: (v, o) => ({
    curve_r: { gamma_y: readArray(v, o, 'u16', DEGAMMA_CURVE_SIZE) },
    curve_g: { gamma_y: readArray(v, o + 34, 'u16', DEGAMMA_CURVE_SIZE) },
    curve_b: { gamma_y: readArray(v, o + 68, 'u16', DEGAMMA_CURVE_SIZE) },
    xa_pnts: { gamma_dx0: u32(v, o + 104), gamma_dx1: u32(v, o + 108) },
  }),
  encode: (v, o, c) => {
    writeArray(v, o, 'u16', DEGAMMA_CURVE_SIZE, c.curve_r.gamma_y, 'sdg curve_r');
    writeArray(v, o + 34, 'u16', DEGAMMA_CURVE_SIZE, c.curve_g.gamma_y, 'sdg curve_g');
    writeArray(v, o + 68, 'u16', DEGAMMA_CURVE_SIZE, c.curve_b.gamma_y, 'sdg curve_b');
    setU32(v, o + 104, c.xa_pnts.gamma_dx0);
    setU32(v, o + 108, c.xa_pnts.gamma_dx1);
  },
};

// ---- LSC: struct rkisp1_cif_isp_lsc_config, 2380 bytes, align 2 ----
// @0 r_data_tbl u16[17][17], @578 gr_data_tbl, @1156 gb_data_tbl, @1734 b_data_tbl,
// @2312 x_grad_tbl u16[8], @2328 y_grad_tbl, @2344 x_size_tbl, @2360 y_size_tbl,
// @2376 u16 config_width, @2378 u16 config_height
export interface LscConfig {
  r_data_tbl: number[][];
  gr_data_tbl: number[][];
  gb_data_tbl: number[][];
  b_data_tbl: number[][];
  x_grad_tbl: number[];
  y_grad_tbl: number[];
  x_size_tbl: number[];
  y_size_tbl: number[];
  config_width: number;
  config_height: number;
}
const LSC_TABLE = LSC_SAMPLES_MAX * LSC_SAMPLES_MAX * 2;
const LSC_TABLES = ['r_data_tbl', 'gr_data_tbl', 'gb_data_tbl', 'b_data_tbl'] as const;
const LSC_SECTORS = ['x_grad_tbl', 'y_grad_tbl', 'x_size_tbl', 'y_size_tbl'] as const;
export const lscConfig: StructCodec<LscConfig> = {
  size: 2380,
  decode: (v, o) => {
    const t = (i: number) => readMatrix(v, o + i * LSC_TABLE, 'u16', LSC_SAMPLES_MAX, LSC_SAMPLES_MAX);
    const s = (i: number) => readArray(v, o + 4 * LSC_TABLE + i * LSC_SECTORS_TBL_SIZE * 2, 'u16', LSC_SECTORS_TBL_SIZE);
    return {
      r_data_tbl: t(0), gr_data_tbl: t(1), gb_data_tbl: t(2), b_data_tbl: t(3),
      x_grad_tbl: s(0), y_grad_tbl: s(1), x_size_tbl: s(2), y_size_tbl: s(3),
      config_width: u16(v, o + 2376), config_height: u16(v, o + 2378),
    };
  },
  encode: (v, o, c) => {
    LSC_TABLES.forEach((name, i) => writeMatrix(v, o + i * LSC_TABLE, 'u16', LSC_SAMPLES_MAX, LSC_SAMPLES_MAX, c[name], `lsc ${name}`));
    LSC_SECTORS.forEach((name, i) =>
      writeArray(v, o + 4 * LSC_TABLE + i * LSC_SECTORS_TBL_SIZE * 2, 'u16', LSC_SECTORS_TBL_SIZE, c[name], `lsc ${name}`));
    setU16(v, o + 2376, c.config_width);
    setU16(v, o + 2378, c.config_height);
  },
};

// ---- AWB gain: struct rkisp1_cif_isp_awb_gain_config, 8 bytes, align 2 ----
// @0 u16 gain_red, @2 u16 gain_green_r, @4 u16 gain_blue, @6 u16 gain_green_b (8 fractional bits)
export interface AwbGainConfig {
  gain_red: number;
  gain_green_r: number;
  gain_blue: number;
  gain_green_b: number;
}
export const awbGainConfig: StructCodec<AwbGainConfig> = {
  size: 8,
  decode: (v, o) => ({ gain_red: u16(v, o), gain_green_r: u16(v, o + 2), gain_blue: u16(v, o + 4), gain_green_b: u16(v, o + 6) }),
  encode: (v, o, c) => {
    setU16(v, o, c.gain_red);
    setU16(v, o + 2, c.gain_green_r);
    setU16(v, o + 4, c.gain_blue);
    setU16(v, o + 6, c.gain_green_b);
  },
};

// ---- FLT: struct rkisp1_cif_isp_flt_config, 48 bytes, align 4 ----
// @0 u32 mode, @4 u8 grn_stage1, @5 u8 chr_h_mode, @6 u8 chr_v_mode, @7 pad, then u32 from @8:
// thresh_bl0, thresh_bl1, thresh_sh0, thresh_sh1, lum_weight, fac_sh1, fac_sh0, fac_mid, fac_bl0, fac_bl1 (@44)
export interface FltConfig {
  mode: number;
  grn_stage1: number;
  chr_h_mode: number;
  chr_v_mode: number;
  thresh_bl0: number;
  thresh_bl1: number;
  thresh_sh0: number;
  thresh_sh1: number;
  lum_weight: number;
  fac_sh1: number;
  fac_sh0: number;
  fac_mid: number;
  fac_bl0: number;
  fac_bl1: number;
}
const FLT_U32 = ['thresh_bl0', 'thresh_bl1', 'thresh_sh0', 'thresh_sh1', 'lum_weight', 'fac_sh1', 'fac_sh0', 'fac_mid', 'fac_bl0', 'fac_bl1'] as const;
export const fltConfig: StructCodec<FltConfig> = {
  size: 48,
  decode: (v, o) => {
    const c = { mode: u32(v, o), grn_stage1: u8(v, o + 4), chr_h_mode: u8(v, o + 5), chr_v_mode: u8(v, o + 6) } as FltConfig;
    FLT_U32.forEach((name, i) => (c[name] = u32(v, o + 8 + i * 4)));
    return c;
  },
  encode: (v, o, c) => {
    setU32(v, o, c.mode);
    setU8(v, o + 4, c.grn_stage1);
    setU8(v, o + 5, c.chr_h_mode);
    setU8(v, o + 6, c.chr_v_mode);
    FLT_U32.forEach((name, i) => setU32(v, o + 8 + i * 4, c[name]));
  },
};

// ---- BDM: struct rkisp1_cif_isp_bdm_config, 1 byte: @0 u8 demosaic_th ----
export interface BdmConfig {
  demosaic_th: number;
}
export const bdmConfig: StructCodec<BdmConfig> = {
  size: 1,
  decode: (v, o) => ({ demosaic_th: u8(v, o) }),
  encode: (v, o, c) => setU8(v, o, c.demosaic_th),
};

// ---- CTK: struct rkisp1_cif_isp_ctk_config, 24 bytes, align 2 ----
// @0 coeff u16[3][3] (11-bit signed fixed point as the register holds it), @18 ct_offset u16[3]
export interface CtkConfig {
  coeff: number[][];
  ct_offset: number[];
}
export const ctkConfig: StructCodec<CtkConfig> = {
  size: 24,
  decode: (v, o) => ({ coeff: readMatrix(v, o, 'u16', 3, 3), ct_offset: readArray(v, o + 18, 'u16', 3) }),
  encode: (v, o, c) => {
    writeMatrix(v, o, 'u16', 3, 3, c.coeff, 'ctk coeff');
    writeArray(v, o + 18, 'u16', 3, c.ct_offset, 'ctk ct_offset');
  },
};

// ---- GOC: struct rkisp1_cif_isp_goc_config, 72 bytes, align 4 ----
// @0 u32 mode, @4 gamma_y u16[34] (V10 uses 17)
export interface GocConfig {
  mode: number;
  gamma_y: number[];
}
export const gocConfig: StructCodec<GocConfig> = {
  size: 72,
  decode: (v, o) => ({ mode: u32(v, o), gamma_y: readArray(v, o + 4, 'u16', GAMMA_OUT_MAX_SAMPLES) }),
  encode: (v, o, c) => {
    setU32(v, o, c.mode);
    writeArray(v, o + 4, 'u16', GAMMA_OUT_MAX_SAMPLES, c.gamma_y, 'goc gamma_y');
  },
};

// ---- DPF: struct rkisp1_cif_isp_dpf_config, 72 bytes, align 4 ----
// @0 gain { u32 mode, @4 u16 nf_r_gain, @6 nf_b_gain, @8 nf_gr_gain, @10 nf_gb_gain }
// @12 g_flt { u8 spatial_coeff[6], @18 u8 gr_enable, @19 u8 gb_enable }
// @20 rb_flt { u32 fltsize, @24 u8 spatial_coeff[6], @30 u8 r_enable, @31 u8 b_enable }
// @32 nll { u16 coeff[17], @66 pad (2), @68 u32 scale_mode }
export interface DpfConfig {
  gain: { mode: number; nf_r_gain: number; nf_b_gain: number; nf_gr_gain: number; nf_gb_gain: number };
  g_flt: { spatial_coeff: number[]; gr_enable: number; gb_enable: number };
  rb_flt: { fltsize: number; spatial_coeff: number[]; r_enable: number; b_enable: number };
  nll: { coeff: number[]; scale_mode: number };
}
export const dpfConfig: StructCodec<DpfConfig> = {
  size: 72,
  decode: (v, o) => ({
    gain: { mode: u32(v, o), nf_r_gain: u16(v, o + 4), nf_b_gain: u16(v, o + 6), nf_gr_gain: u16(v, o + 8), nf_gb_gain: u16(v, o + 10) },
    g_flt: { spatial_coeff: readArray(v, o + 12, 'u8', DPF_MAX_SPATIAL_COEFFS), gr_enable: u8(v, o + 18), gb_enable: u8(v, o + 19) },
    rb_flt: { fltsize: u32(v, o + 20), spatial_coeff: readArray(v, o + 24, 'u8', DPF_MAX_SPATIAL_COEFFS), r_enable: u8(v, o + 30), b_enable: u8(v, o + 31) },
    nll: { coeff: readArray(v, o + 32, 'u16', DPF_MAX_NLF_COEFFS), scale_mode: u32(v, o + 68) },
  }),
  encode: (v, o, c) => {
    setU32(v, o, c.gain.mode);
    setU16(v, o + 4, c.gain.nf_r_gain);
    setU16(v, o + 6, c.gain.nf_b_gain);
    setU16(v, o + 8, c.gain.nf_gr_gain);
    setU16(v, o + 10, c.gain.nf_gb_gain);
    writeArray(v, o + 12, 'u8', DPF_MAX_SPATIAL_COEFFS, c.g_flt.spatial_coeff, 'dpf g_flt spatial_coeff');
    setU8(v, o + 18, c.g_flt.gr_enable);
    setU8(v, o + 19, c.g_flt.gb_enable);
    setU32(v, o + 20, c.rb_flt.fltsize);
    writeArray(v, o + 24, 'u8', DPF_MAX_SPATIAL_COEFFS, c.rb_flt.spatial_coeff, 'dpf rb_flt spatial_coeff');
    setU8(v, o + 30, c.rb_flt.r_enable);
    setU8(v, o + 31, c.rb_flt.b_enable);
    writeArray(v, o + 32, 'u16', DPF_MAX_NLF_COEFFS, c.nll.coeff, 'dpf nll coeff');
    setU32(v, o + 68, c.nll.scale_mode);
  },
};

// ---- DPF strength: struct rkisp1_cif_isp_dpf_strength_config, 3 bytes: @0 u8 r, @1 g, @2 b ----
export interface DpfStrengthConfig {
  r: number;
  g: number;
  b: number;
}
export const dpfStrengthConfig: StructCodec<DpfStrengthConfig> = {
  size: 3,
  decode: (v, o) => ({ r: u8(v, o), g: u8(v, o + 1), b: u8(v, o + 2) }),
  encode: (v, o, c) => {
    setU8(v, o, c.r);
    setU8(v, o + 1, c.g);
    setU8(v, o + 2, c.b);
  },
};

// ---- CPROC: struct rkisp1_cif_isp_cproc_config, 7 bytes, all u8 ----
// @0 c_out_range, @1 y_in_range, @2 y_out_range, @3 contrast, @4 brightness, @5 sat, @6 hue
export interface CprocConfig {
  c_out_range: number;
  y_in_range: number;
  y_out_range: number;
  contrast: number;
  brightness: number;
  sat: number;
  hue: number;
}
const CPROC_FIELDS = ['c_out_range', 'y_in_range', 'y_out_range', 'contrast', 'brightness', 'sat', 'hue'] as const;
export const cprocConfig: StructCodec<CprocConfig> = {
  size: 7,
  decode: (v, o) => {
    const c = {} as CprocConfig;
    CPROC_FIELDS.forEach((name, i) => (c[name] = u8(v, o + i)));
    return c;
  },
  encode: (v, o, c) => CPROC_FIELDS.forEach((name, i) => setU8(v, o + i, c[name])),
};

// ---- IE: struct rkisp1_cif_isp_ie_config, 16 bytes, all u16 ----
// @0 effect, @2 color_sel, @4 eff_mat_1, @6 eff_mat_2, @8 eff_mat_3, @10 eff_mat_4, @12 eff_mat_5, @14 eff_tint
export interface IeConfig {
  effect: number;
  color_sel: number;
  eff_mat_1: number;
  eff_mat_2: number;
  eff_mat_3: number;
  eff_mat_4: number;
  eff_mat_5: number;
  eff_tint: number;
}
const IE_FIELDS = ['effect', 'color_sel', 'eff_mat_1', 'eff_mat_2', 'eff_mat_3', 'eff_mat_4', 'eff_mat_5', 'eff_tint'] as const;
export const ieConfig: StructCodec<IeConfig> = {
  size: 16,
  decode: (v, o) => {
    const c = {} as IeConfig;
    IE_FIELDS.forEach((name, i) => (c[name] = u16(v, o + i * 2)));
    return c;
  },
  encode: (v, o, c) => IE_FIELDS.forEach((name, i) => setU16(v, o + i * 2, c[name])),
};

// ---- AWB meas: struct rkisp1_cif_isp_awb_meas_config, 20 bytes, align 4 ----
// @0 awb_wnd, @8 u32 awb_mode, then u8: @12 max_y, @13 min_y, @14 max_csum, @15 min_c, @16 frames,
// @17 awb_ref_cr, @18 awb_ref_cb, @19 enable_ymax_cmp
export interface AwbMeasConfig {
  awb_wnd: Window;
  awb_mode: number;
  max_y: number;
  min_y: number;
  max_csum: number;
  min_c: number;
  frames: number;
  awb_ref_cr: number;
  awb_ref_cb: number;
  enable_ymax_cmp: number;
}
const AWB_MEAS_U8 = ['max_y', 'min_y', 'max_csum', 'min_c', 'frames', 'awb_ref_cr', 'awb_ref_cb', 'enable_ymax_cmp'] as const;
export const awbMeasConfig: StructCodec<AwbMeasConfig> = {
  size: 20,
  decode: (v, o) => {
    const c = { awb_wnd: readWindow(v, o), awb_mode: u32(v, o + 8) } as AwbMeasConfig;
    AWB_MEAS_U8.forEach((name, i) => (c[name] = u8(v, o + 12 + i)));
    return c;
  },
  encode: (v, o, c) => {
    writeWindow(v, o, c.awb_wnd);
    setU32(v, o + 8, c.awb_mode);
    AWB_MEAS_U8.forEach((name, i) => setU8(v, o + 12 + i, c[name]));
  },
};

// ---- HST meas: struct rkisp1_cif_isp_hst_config, 96 bytes, align 4 ----
// @0 u32 mode, @4 u8 histogram_predivider, @5 pad, @6 meas_window, @14 hist_weight u8[81] (V10 uses 25), @95 pad
export interface HstConfig {
  mode: number;
  histogram_predivider: number;
  meas_window: Window;
  hist_weight: number[];
}
export const hstConfig: StructCodec<HstConfig> = {
  size: 96,
  decode: (v, o) => ({
    mode: u32(v, o),
    histogram_predivider: u8(v, o + 4),
    meas_window: readWindow(v, o + 6),
    hist_weight: readArray(v, o + 14, 'u8', HISTOGRAM_WEIGHT_GRIDS_SIZE),
  }),
  encode: (v, o, c) => {
    setU32(v, o, c.mode);
    setU8(v, o + 4, c.histogram_predivider);
    writeWindow(v, o + 6, c.meas_window);
    writeArray(v, o + 14, 'u8', HISTOGRAM_WEIGHT_GRIDS_SIZE, c.hist_weight, 'hst hist_weight');
  },
};

// ---- AEC meas: struct rkisp1_cif_isp_aec_config, 16 bytes: @0 u32 mode, @4 u32 autostop, @8 meas_window ----
export interface AecConfig {
  mode: number;
  autostop: number;
  meas_window: Window;
}
export const aecConfig: StructCodec<AecConfig> = {
  size: 16,
  decode: (v, o) => ({ mode: u32(v, o), autostop: u32(v, o + 4), meas_window: readWindow(v, o + 8) }),
  encode: (v, o, c) => {
    setU32(v, o, c.mode);
    setU32(v, o + 4, c.autostop);
    writeWindow(v, o + 8, c.meas_window);
  },
};

// ---- AFC meas: struct rkisp1_cif_isp_afc_config, 36 bytes, align 4 ----
// @0 u8 num_afm_win, @1 pad, @2 afm_win[3] (8 bytes each), @26 pad (2), @28 u32 thres, @32 u32 var_shift
export interface AfcConfig {
  num_afm_win: number;
  afm_win: Window[];
  thres: number;
  var_shift: number;
}
export const afcConfig: StructCodec<AfcConfig> = {
  size: 36,
  decode: (v, o) => {
    const afm_win: Window[] = [];
    for (let i = 0; i < AFM_MAX_WINDOWS; i++) afm_win.push(readWindow(v, o + 2 + i * WINDOW_SIZE));
    return { num_afm_win: u8(v, o), afm_win, thres: u32(v, o + 28), var_shift: u32(v, o + 32) };
  },
  encode: (v, o, c) => {
    setU8(v, o, c.num_afm_win);
    if (c.afm_win.length > AFM_MAX_WINDOWS) throw new RangeError(`afc afm_win: ${c.afm_win.length} windows for ${AFM_MAX_WINDOWS}`);
    c.afm_win.forEach((w, i) => writeWindow(v, o + 2 + i * WINDOW_SIZE, w));
    setU32(v, o + 28, c.thres);
    setU32(v, o + 32, c.var_shift);
  },
};

// ---- Compand BLS: struct rkisp1_cif_isp_compand_bls_config, 16 bytes: u32 r @0, gr @4, gb @8, b @12 ----
export interface CompandBlsConfig {
  r: number;
  gr: number;
  gb: number;
  b: number;
}
export const compandBlsConfig: StructCodec<CompandBlsConfig> = {
  size: 16,
  decode: (v, o) => ({ r: u32(v, o), gr: u32(v, o + 4), gb: u32(v, o + 8), b: u32(v, o + 12) }),
  encode: (v, o, c) => {
    setU32(v, o, c.r);
    setU32(v, o + 4, c.gr);
    setU32(v, o + 8, c.gb);
    setU32(v, o + 12, c.b);
  },
};

// ---- Compand curve (expand and compress): struct rkisp1_cif_isp_compand_curve_config, 576 bytes ----
// @0 px u8[64], @64 x u32[64], @320 y u32[64]
export interface CompandCurveConfig {
  px: number[];
  x: number[];
  y: number[];
}
export const compandCurveConfig: StructCodec<CompandCurveConfig> = {
  size: 576,
  decode: (v, o) => ({
    px: readArray(v, o, 'u8', COMPAND_NUM_POINTS),
    x: readArray(v, o + 64, 'u32', COMPAND_NUM_POINTS),
    y: readArray(v, o + 320, 'u32', COMPAND_NUM_POINTS),
  }),
  encode: (v, o, c) => {
    writeArray(v, o, 'u8', COMPAND_NUM_POINTS, c.px, 'compand px');
    writeArray(v, o + 64, 'u32', COMPAND_NUM_POINTS, c.x, 'compand x');
    writeArray(v, o + 320, 'u32', COMPAND_NUM_POINTS, c.y, 'compand y');
  },
};

// ---- WDR: struct rkisp1_cif_isp_wdr_config, 100 bytes, align 4 ----
// @0 tone_curve { u32 dY[4], @16 u16 ym[33], @82 pad (2) }, @84 iref_config { u8 rgb_factor,
// @85 use_y9_8, @86 use_rgb7_8, @87 disable_transient }, @88 u16 rgb_offset, @90 u16 luma_offset,
// @92 u16 dmin_thresh, @94 u8 dmin_strength, @95 u8 use_rgb_colorspace, @96 u8 bypass_chroma_mapping,
// @97 u8 use_iref, @98 pad (2)
export interface WdrConfig {
  tone_curve: { dY: number[]; ym: number[] };
  iref_config: { rgb_factor: number; use_y9_8: number; use_rgb7_8: number; disable_transient: number };
  rgb_offset: number;
  luma_offset: number;
  dmin_thresh: number;
  dmin_strength: number;
  use_rgb_colorspace: number;
  bypass_chroma_mapping: number;
  use_iref: number;
}
export const wdrConfig: StructCodec<WdrConfig> = {
  size: 100,
  decode: (v, o) => ({
    tone_curve: { dY: readArray(v, o, 'u32', WDR_CURVE_NUM_DY_REGS), ym: readArray(v, o + 16, 'u16', WDR_CURVE_NUM_COEFF) },
    iref_config: { rgb_factor: u8(v, o + 84), use_y9_8: u8(v, o + 85), use_rgb7_8: u8(v, o + 86), disable_transient: u8(v, o + 87) },
    rgb_offset: u16(v, o + 88),
    luma_offset: u16(v, o + 90),
    dmin_thresh: u16(v, o + 92),
    dmin_strength: u8(v, o + 94),
    use_rgb_colorspace: u8(v, o + 95),
    bypass_chroma_mapping: u8(v, o + 96),
    use_iref: u8(v, o + 97),
  }),
  encode: (v, o, c) => {
    writeArray(v, o, 'u32', WDR_CURVE_NUM_DY_REGS, c.tone_curve.dY, 'wdr dY');
    writeArray(v, o + 16, 'u16', WDR_CURVE_NUM_COEFF, c.tone_curve.ym, 'wdr ym');
    setU8(v, o + 84, c.iref_config.rgb_factor);
    setU8(v, o + 85, c.iref_config.use_y9_8);
    setU8(v, o + 86, c.iref_config.use_rgb7_8);
    setU8(v, o + 87, c.iref_config.disable_transient);
    setU16(v, o + 88, c.rgb_offset);
    setU16(v, o + 90, c.luma_offset);
    setU16(v, o + 92, c.dmin_thresh);
    setU8(v, o + 94, c.dmin_strength);
    setU8(v, o + 95, c.use_rgb_colorspace);
    setU8(v, o + 96, c.bypass_chroma_mapping);
    setU8(v, o + 97, c.use_iref);
  },
};
