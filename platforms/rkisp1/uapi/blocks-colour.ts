/**
 * Cross-talk (colour matrix), gamma out, denoise pre-filter, colour processing and image effect configs.
 * Offsets from the start of each C struct; see struct-codec.ts.
 */
import { DPF_MAX_NLF_COEFFS, DPF_MAX_SPATIAL_COEFFS, GAMMA_OUT_MAX_SAMPLES } from './constants.js';
import type { StructCodec } from './struct-codec.js';
import { readArray, readMatrix, setU16, setU32, setU8, u16, u32, u8, writeArray, writeMatrix } from './struct.js';

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
