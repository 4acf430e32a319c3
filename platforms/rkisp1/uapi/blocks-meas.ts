/**
 * The measurement configs: AWB, histogram, exposure and auto-focus statistics.
 * Offsets from the start of each C struct; see struct-codec.ts.
 */
import { AFM_MAX_WINDOWS, HISTOGRAM_WEIGHT_GRIDS_SIZE } from './constants.js';
import type { StructCodec } from './struct-codec.js';
import { readArray, readWindow, setU32, setU8, u32, u8, type Window, WINDOW_SIZE, writeArray, writeWindow } from './struct.js';

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
