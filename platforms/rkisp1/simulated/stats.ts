/**
 * The ISP's measurements of a frame, as a V10 ISP makes them, from the RGB after black level
 * subtraction and white balance gains (so the AWB means include the gains, as libcamera's Awb
 * expects, and the exposure means and histogram see what the picture shows). Each grid cell
 * counts for the pixels it stands for, by its centre's position in the measurement windows.
 *
 * - Exposure: the window in 5x5 blocks, each block's mean of Y (mode 0: 16 + 0.25R + 0.5G +
 *   0.1094B; mode 1: (R + G + B) × 85/256), 8 bits.
 * - Histogram: the window in 5x5 sub-windows, each sample (one in predivider² pixels) adding its
 *   sub-window's weight to the bin of its value (16 bins of 16 levels), R, G and B each in
 *   RGB-combined mode; bins hold 4 fractional bits, as libcamera reads them.
 * - AWB: in YCbCr mode the mean Y, Cb, Cr (the hardware's Q1.6 BT.601) of the window's pixels with
 *   Y ≥ min_y (and ≤ max_y if enable_ymax_cmp) and |Cb − 128| + |Cr − 128| ≤ max_csum; in RGB mode
 *   the mean R, G, B of those with R ≤ awb_ref_cr, G ≤ min_y, B ≤ awb_ref_cb. min_c and
 *   `frames` (averaging over frames) are not modelled.
 * Auto focus and the auto black level measurement are not simulated: their fields stay zero.
 */
import {
  AE_MEAN_MAX_V10, AwbMode, ExpMeasMode, HIST_BIN_FRACTIONAL_BITS, HIST_BIN_N_MAX_V10, HistogramMode, Stat, emptyStats, encodeStats,
  type StatBuffer, type Window,
} from '../uapi';
import type { IspConfig } from './isp-config';
import type { RgbGrid } from './isp-image';

const BLOCKS = 5;
const HIST_BIN_MAX = 0xfffff;

/** Y as the measurement blocks compute it (the hardware's Q1.6 coefficients). */
function lumaMode0(r: number, g: number, b: number): number {
  return 16 + ((64 * r + 128 * g + 28 * b + 128) >> 8);
}

/**
 * Which of a window's blocks each grid column (or row) falls in, by its centre, −1 outside: a
 * window is a rectangle, so a cell's block is its row's block × 5 + its column's.
 */
function blocksAlong(cells: number, step: number, offset: number, size: number, blocks: number): Int32Array {
  const out = new Int32Array(cells).fill(-1);
  const blockSize = Math.floor(size / blocks);
  if (blockSize === 0) return out;
  for (let c = 0; c < cells; c++) {
    const at = c * step + step / 2 - offset;
    const block = at < 0 ? -1 : Math.floor(at / blockSize);
    out[c] = block < blocks ? block : -1;
  }
  return out;
}

interface WindowLayout {
  columns: Int32Array;
  rows: Int32Array;
}

function layout(rgb: RgbGrid, window: Window, blocks: number): WindowLayout {
  const { columns, rows, step } = rgb.grid;
  return { columns: blocksAlong(columns, step, window.h_offs, window.h_size, blocks), rows: blocksAlong(rows, step, window.v_offs, window.v_size, blocks) };
}

function add(sums: Float64Array, a: number, b: number, c: number): void {
  sums[0] = sums[0]! + a;
  sums[1] = sums[1]! + b;
  sums[2] = sums[2]! + c;
}

function add1(bins: Float64Array, bin: number, weight: number): void {
  bins[bin] = bins[bin]! + weight;
}

export function measure(rgb: RgbGrid, config: IspConfig, frameId: number): StatBuffer {
  const stats = emptyStats();
  stats.frame_id = frameId;
  const { columns, rows, step } = rgb.grid;
  const area = step * step;

  const aeSums = new Float64Array(BLOCKS * BLOCKS);
  const aeCounts = new Float64Array(BLOCKS * BLOCKS);
  const bins = new Float64Array(HIST_BIN_N_MAX_V10);
  const awb = new Float64Array(3);
  let awbCount = 0;

  const ae = config.aec.enabled ? config.aec.config : undefined;
  const hst = config.hst.enabled && config.hst.config.mode !== HistogramMode.DISABLE ? config.hst.config : undefined;
  const awbMeas = config.awbMeas.enabled && config.awbMeas.config.awb_mode !== AwbMode.MANUAL ? config.awbMeas.config : undefined;
  const samplesPerCell = hst ? area / Math.max(1, hst.histogram_predivider) ** 2 : 0;

  const aeAt = ae && layout(rgb, ae.meas_window, BLOCKS);
  const hstAt = hst && layout(rgb, hst.meas_window, BLOCKS);
  const awbAt = awbMeas && layout(rgb, awbMeas.awb_wnd, 1);
  const weights = hst ? Float64Array.from(hst.hist_weight.slice(0, BLOCKS * BLOCKS), (w) => w * samplesPerCell) : undefined;
  const combined = hst?.mode === HistogramMode.RGB_COMBINED;
  for (let row = 0; row < rows; row++) {
    const aeRow = aeAt ? aeAt.rows[row]! : -1;
    const hstRow = hstAt ? hstAt.rows[row]! : -1;
    const awbRow = awbAt ? awbAt.rows[row]! : -1;
    for (let col = 0; col < columns; col++) {
      const i = row * columns + col;
      const r = rgb.r[i]!, g = rgb.g[i]!, b = rgb.b[i]!;
      if (aeRow >= 0 && aeAt!.columns[col]! >= 0) {
        const block = aeRow * BLOCKS + aeAt!.columns[col]!;
        aeSums[block] = aeSums[block]! + (ae!.mode === ExpMeasMode.MODE_1 ? ((r + g + b) * 85) >> 8 : lumaMode0(r, g, b));
        aeCounts[block] = aeCounts[block]! + 1;
      }
      if (hstRow >= 0 && hstAt!.columns[col]! >= 0) {
        const weight = weights![hstRow * BLOCKS + hstAt!.columns[col]!]!;
        if (combined || hst!.mode === HistogramMode.R_HISTOGRAM) add1(bins, r >> 4, weight);
        if (combined || hst!.mode === HistogramMode.G_HISTOGRAM) add1(bins, g >> 4, weight);
        if (combined || hst!.mode === HistogramMode.B_HISTOGRAM) add1(bins, b >> 4, weight);
        if (hst!.mode === HistogramMode.Y_HISTOGRAM) add1(bins, Math.min(255, lumaMode0(r, g, b)) >> 4, weight);
      }
      if (awbRow === 0 && awbAt!.columns[col] === 0) {
        const m = awbMeas!;
        if (m.awb_mode === AwbMode.RGB) {
          if (r <= m.awb_ref_cr && g <= m.min_y && b <= m.awb_ref_cb) {
            add(awb, g, b, r);
            awbCount++;
          }
        } else {
          const luma = lumaMode0(r, g, b);
          const cb = 128 + ((-36 * r - 76 * g + 112 * b + 128) >> 8);
          const cr = 128 + ((112 * r - 96 * g - 16 * b + 128) >> 8);
          const chroma = Math.abs(cb - 128) + Math.abs(cr - 128);
          if (luma >= m.min_y && (!m.enable_ymax_cmp || luma <= m.max_y) && chroma <= m.max_csum) {
            add(awb, luma, cb, cr);
            awbCount++;
          }
        }
      }
    }
  }

  if (ae) {
    stats.meas_type |= Stat.AUTOEXP;
    stats.params.ae.exp_mean = Array.from({ length: AE_MEAN_MAX_V10 }, (_, k) => (aeCounts[k]! ? Math.min(255, Math.round(aeSums[k]! / aeCounts[k]!)) : 0));
  }
  if (hst) {
    stats.meas_type |= Stat.HIST;
    stats.params.hist.hist_bins = Array.from(bins, (v) => Math.min(HIST_BIN_MAX, Math.round(v * 2 ** HIST_BIN_FRACTIONAL_BITS)));
  }
  if (awbMeas) {
    stats.meas_type |= Stat.AWB;
    const mean = (k: number) => (awbCount ? Math.min(255, Math.round(awb[k]! / awbCount)) : 0);
    stats.params.awb.awb_mean[0] = { cnt: awbCount * area, mean_y_or_g: mean(0), mean_cb_or_b: mean(1), mean_cr_or_r: mean(2) };
  }
  return stats;
}

