/**
 * The blocks only the extensible format has: companding (BLS, expand and compress curves) and WDR.
 * Offsets from the start of each C struct; see struct-codec.ts.
 */
import { COMPAND_NUM_POINTS, WDR_CURVE_NUM_COEFF, WDR_CURVE_NUM_DY_REGS } from './constants.js';
import type { StructCodec } from './struct-codec.js';
import { readArray, setU16, setU32, setU8, u16, u32, u8, writeArray } from './struct.js';

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
