/**
 * Black level, defect pixel, sensor de-gamma, lens shading, white balance gain, filter and demosaic configs.
 * Offsets from the start of each C struct; see struct-codec.ts.
 */
import { DEGAMMA_CURVE_SIZE, DPCC_METHODS_MAX, LSC_SAMPLES_MAX, LSC_SECTORS_TBL_SIZE } from './constants.js';
import type { StructCodec } from './struct-codec.js';
import { readArray, readMatrix, readWindow, s16, setS16, setU16, setU32, setU8, u16, u32, u8, type Window, writeArray, writeMatrix, writeWindow } from './struct.js';

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
