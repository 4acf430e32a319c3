/**
 * `struct rkisp1_stat_buffer`, the ISP's statistics (V4L2_META_FMT_RK_ISP1_STAT_3A).
 *
 * Layout (260 bytes, align 4), offsets from the start of the buffer:
 *   @0   u32 meas_type                      RKISP1_CIF_ISP_STAT_* bits
 *   @4   u32 frame_id
 *   @8   params.awb.awb_mean[1]             struct rkisp1_cif_isp_awb_meas, 8 bytes:
 *          @8 u32 cnt, @12 u8 mean_y_or_g, @13 u8 mean_cb_or_b, @14 u8 mean_cr_or_r, @15 pad
 *   @16  params.ae                          struct rkisp1_cif_isp_ae_stat, 90 bytes, align 2:
 *          @16 u8 exp_mean[81] (V10 uses 25), @97 pad,
 *          @98 bls_val { u16 meas_r, @100 meas_gr, @102 meas_gb, @104 meas_b }
 *   @106 pad (2)
 *   @108 params.af.window[3]                { u32 sum, u32 lum }, 24 bytes
 *   @132 params.hist.hist_bins[32]          u32 (V10 uses 16), fixed point with fractional low bits
 */
import { AE_MEAN_MAX, AFM_MAX_WINDOWS, HIST_BIN_N_MAX, type IspVersion, revisionSizes } from './constants.js';
import { type Bytes, readArray, setU16, setU32, setU8, u16, u32, u8, viewOf, writeArray } from './struct.js';

export const STAT_BUFFER_SIZE = 260;

const AWB_OFFSET = 8;
const AE_OFFSET = 16;
const BLS_VAL_OFFSET = 98;
const AF_OFFSET = 108;
const HIST_OFFSET = 132;

/** `struct rkisp1_cif_isp_awb_meas`: YCbCr means, or G, B, R in RGB mode. */
export interface AwbMeas {
  cnt: number;
  mean_y_or_g: number;
  mean_cb_or_b: number;
  mean_cr_or_r: number;
}

/** `struct rkisp1_cif_isp_bls_meas_val`. */
export interface BlsMeasVal {
  meas_r: number;
  meas_gr: number;
  meas_gb: number;
  meas_b: number;
}

/** `struct rkisp1_cif_isp_af_meas_val`. */
export interface AfMeasVal {
  sum: number;
  lum: number;
}

/** The whole `struct rkisp1_stat_buffer`, every array at its C length. */
export interface StatBuffer {
  meas_type: number;
  frame_id: number;
  params: {
    awb: { awb_mean: [AwbMeas] };
    ae: { exp_mean: number[]; bls_val: BlsMeasVal };
    af: { window: AfMeasVal[] };
    hist: { hist_bins: number[] };
  };
}

export class StatsSizeError extends Error {
  constructor(readonly size: number) {
    super(`rkisp1 statistics buffer: ${size} bytes, struct rkisp1_stat_buffer is ${STAT_BUFFER_SIZE}`);
    this.name = 'StatsSizeError';
  }
}

/** Decodes the first 260 bytes of `bytes` (a mapped statistics buffer may be larger). */
export function decodeStats(bytes: Bytes): StatBuffer {
  if (bytes.byteLength < STAT_BUFFER_SIZE) throw new StatsSizeError(bytes.byteLength);
  const v = viewOf(bytes);
  const window: AfMeasVal[] = [];
  for (let i = 0; i < AFM_MAX_WINDOWS; i++) window.push({ sum: u32(v, AF_OFFSET + i * 8), lum: u32(v, AF_OFFSET + i * 8 + 4) });
  return {
    meas_type: u32(v, 0),
    frame_id: u32(v, 4),
    params: {
      awb: {
        awb_mean: [{
          cnt: u32(v, AWB_OFFSET),
          mean_y_or_g: u8(v, AWB_OFFSET + 4),
          mean_cb_or_b: u8(v, AWB_OFFSET + 5),
          mean_cr_or_r: u8(v, AWB_OFFSET + 6),
        }],
      },
      ae: {
        exp_mean: readArray(v, AE_OFFSET, 'u8', AE_MEAN_MAX),
        bls_val: {
          meas_r: u16(v, BLS_VAL_OFFSET),
          meas_gr: u16(v, BLS_VAL_OFFSET + 2),
          meas_gb: u16(v, BLS_VAL_OFFSET + 4),
          meas_b: u16(v, BLS_VAL_OFFSET + 6),
        },
      },
      af: { window },
      hist: { hist_bins: readArray(v, HIST_OFFSET, 'u32', HIST_BIN_N_MAX) },
    },
  };
}

/**
 * Writes `stats` into the first 260 bytes of `bytes`, padding zeroed. Shorter arrays (a V10
 * ISP's 25 means, 16 bins) leave the remaining entries zero, as the kernel driver does.
 */
export function encodeStats(stats: StatBuffer, bytes: Bytes = new Uint8Array(STAT_BUFFER_SIZE)): Bytes {
  if (bytes.byteLength < STAT_BUFFER_SIZE) throw new StatsSizeError(bytes.byteLength);
  bytes.fill(0, 0, STAT_BUFFER_SIZE);
  const v = viewOf(bytes);
  const p = stats.params;
  setU32(v, 0, stats.meas_type);
  setU32(v, 4, stats.frame_id);
  const awb = p.awb.awb_mean[0];
  setU32(v, AWB_OFFSET, awb.cnt);
  setU8(v, AWB_OFFSET + 4, awb.mean_y_or_g);
  setU8(v, AWB_OFFSET + 5, awb.mean_cb_or_b);
  setU8(v, AWB_OFFSET + 6, awb.mean_cr_or_r);
  writeArray(v, AE_OFFSET, 'u8', AE_MEAN_MAX, p.ae.exp_mean, 'ae.exp_mean');
  setU16(v, BLS_VAL_OFFSET, p.ae.bls_val.meas_r);
  setU16(v, BLS_VAL_OFFSET + 2, p.ae.bls_val.meas_gr);
  setU16(v, BLS_VAL_OFFSET + 4, p.ae.bls_val.meas_gb);
  setU16(v, BLS_VAL_OFFSET + 6, p.ae.bls_val.meas_b);
  if (p.af.window.length > AFM_MAX_WINDOWS) throw new RangeError(`af.window: ${p.af.window.length} windows for ${AFM_MAX_WINDOWS}`);
  p.af.window.forEach((w, i) => {
    setU32(v, AF_OFFSET + i * 8, w.sum);
    setU32(v, AF_OFFSET + i * 8 + 4, w.lum);
  });
  writeArray(v, HIST_OFFSET, 'u32', HIST_BIN_N_MAX, p.hist.hist_bins, 'hist.hist_bins');
  return bytes;
}

/** A statistics buffer with nothing measured: every field zero. */
export function emptyStats(): StatBuffer {
  return decodeStats(new Uint8Array(STAT_BUFFER_SIZE));
}

/** What the IPA reads of a statistics buffer, with the arrays cut to the ISP revision's sizes. */
export interface IspStats {
  measType: number;
  frameId: number;
  awb: AwbMeas;
  /** exp_mean: 25 (5x5) on V10, 81 (9x9) on V12. */
  aeMeans: number[];
  bls: BlsMeasVal;
  af: AfMeasVal[];
  /** hist_bins, raw (fixed point; libcamera drops HIST_BIN_FRACTIONAL_BITS): 16 on V10, 32 on V12. */
  histogramBins: number[];
}

/**
 * The IPA's view of a statistics buffer, read straight from the bytes (the IPA reads one a frame:
 * decodeStats' whole struct, cut down, would be built to be thrown away).
 */
export function readStats(bytes: Bytes, version: IspVersion): IspStats {
  if (bytes.byteLength < STAT_BUFFER_SIZE) throw new StatsSizeError(bytes.byteLength);
  const v = viewOf(bytes);
  const sizes = revisionSizes(version);
  const aeMeans = new Array<number>(sizes.aeMeans);
  for (let i = 0; i < aeMeans.length; i++) aeMeans[i] = v.getUint8(AE_OFFSET + i);
  const histogramBins = new Array<number>(sizes.histogramBins);
  for (let i = 0; i < histogramBins.length; i++) histogramBins[i] = v.getUint32(HIST_OFFSET + i * 4, true);
  const af = new Array<AfMeasVal>(AFM_MAX_WINDOWS);
  for (let i = 0; i < AFM_MAX_WINDOWS; i++) af[i] = { sum: u32(v, AF_OFFSET + i * 8), lum: u32(v, AF_OFFSET + i * 8 + 4) };
  return {
    measType: u32(v, 0),
    frameId: u32(v, 4),
    awb: { cnt: u32(v, AWB_OFFSET), mean_y_or_g: u8(v, AWB_OFFSET + 4), mean_cb_or_b: u8(v, AWB_OFFSET + 5), mean_cr_or_r: u8(v, AWB_OFFSET + 6) },
    aeMeans,
    bls: { meas_r: u16(v, BLS_VAL_OFFSET), meas_gr: u16(v, BLS_VAL_OFFSET + 2), meas_gb: u16(v, BLS_VAL_OFFSET + 4), meas_b: u16(v, BLS_VAL_OFFSET + 6) },
    af,
    histogramBins,
  };
}
