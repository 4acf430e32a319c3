/**
 * What the sensor records and what the ISP makes of it, on a processing grid: each grid cell is
 * one 2x2 Bayer quad of the sensor's frame (the cell's top-left quad when the frame is larger
 * than the grid), standing for `step` x `step` pixels. The demosaic is that quad's R, the mean
 * of its greens and its B, so the picture has half the sensor's resolution at most; for the
 * stripes of the default chart that changes no mean.
 */
import { bayerChannel, type BayerOrder, type ColourChannel, type Scene } from '../../../camera/simulated/scene';
import type { IspConfig } from './isp-config';

/** At most this many cells across: a 640x480 frame is processed on 160x120 cells, one quad of every 4x4 pixels. */
const MAX_GRID_COLUMNS = 160;

export interface RawFormat {
  width: number;
  height: number;
  bayerOrder: BayerOrder;
  bitDepth: number;
  blackLevel: number;
  hflip: boolean;
  vflip: boolean;
}

export interface Grid {
  columns: number;
  rows: number;
  /** Sensor pixels a cell spans each way (2 for a whole quad). */
  step: number;
}

/** The four Bayer samples of each cell, at the sensor's bit depth. */
export interface RawGrid {
  grid: Grid;
  format: RawFormat;
  r: Uint16Array;
  gr: Uint16Array;
  gb: Uint16Array;
  b: Uint16Array;
}

/** The ISP's RGB of each cell, 8 bits a channel (its 12-bit value's top bits). */
export interface RgbGrid {
  grid: Grid;
  r: Uint8Array;
  g: Uint8Array;
  b: Uint8Array;
}

type Sample = 'r' | 'gr' | 'gb' | 'b';
const SAMPLES: readonly Sample[] = ['r', 'gr', 'gb', 'b'];

export function gridFor(width: number, height: number): Grid {
  const factor = Math.max(1, Math.ceil(width / 2 / MAX_GRID_COLUMNS));
  return { columns: Math.floor(width / 2 / factor), rows: Math.floor(height / 2 / factor), step: 2 * factor };
}

/** Where, within a quad, each sample sits for this order. */
function samplePositions(order: BayerOrder): Record<Sample, [number, number]> {
  const at = (wanted: ColourChannel, row?: number): [number, number] => {
    for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) if (bayerChannel(order, x, y) === wanted && (row === undefined || y === row)) return [x, y];
    throw new Error(`no ${wanted} in ${order}`);
  };
  const [, redRow] = at('r');
  return { r: at('r'), gr: at('g', redRow), gb: at('g', 1 - redRow), b: at('b') };
}

/**
 * The scene's light at each cell's samples for 1 s at unit gain (Scene.signal), so that a frame is
 * one multiply a sample: the same products Scene.render takes, in the same order.
 */
export class SensorModel {
  private unitKey = '';
  private unit: Record<Sample, Float64Array> | undefined;

  constructor(private readonly scene: Scene) {}

  record(format: RawFormat, exposureTimeUs: number, gain: number, solid?: readonly [number, number, number, number]): RawGrid {
    const grid = gridFor(format.width, format.height);
    const n = grid.columns * grid.rows;
    const maximum = 2 ** format.bitDepth - 1;
    const out = { grid, format, r: new Uint16Array(n), gr: new Uint16Array(n), gb: new Uint16Array(n), b: new Uint16Array(n) };
    if (solid) {
      const shift = 10 - format.bitDepth;
      SAMPLES.forEach((s, i) => out[s].fill(solid[i]! >> shift));
      return out;
    }
    const unit = this.unitMap(format, grid);
    const seconds = exposureTimeUs / 1e6;
    for (const s of SAMPLES) {
      const light = unit[s];
      const raw = out[s];
      for (let i = 0; i < n; i++) raw[i] = Math.min(maximum, format.blackLevel + Math.round(light[i]! * seconds * gain * maximum));
    }
    return out;
  }

  private unitMap(format: RawFormat, grid: Grid): Record<Sample, Float64Array> {
    const key = `${format.width}x${format.height}/${format.bayerOrder}/${format.hflip}/${format.vflip}`;
    if (this.unit && key === this.unitKey) return this.unit;
    const n = grid.columns * grid.rows;
    const positions = samplePositions(format.bayerOrder);
    const unit = { r: new Float64Array(n), gr: new Float64Array(n), gb: new Float64Array(n), b: new Float64Array(n) };
    const once = { exposureTimeUs: 1e6, analogueGain: 1 };
    for (const s of SAMPLES) {
      const [dx, dy] = positions[s];
      const channel: ColourChannel = s === 'r' ? 'r' : s === 'b' ? 'b' : 'g';
      for (let row = 0; row < grid.rows; row++) {
        const y = row * grid.step + dy;
        const v = ((format.vflip ? format.height - 1 - y : y) + 0.5) / format.height;
        for (let col = 0; col < grid.columns; col++) {
          const x = col * grid.step + dx;
          const u = ((format.hflip ? format.width - 1 - x : x) + 0.5) / format.width;
          unit[s][row * grid.columns + col] = this.scene.signal(channel, u, v, once);
        }
      }
    }
    this.unitKey = key;
    this.unit = unit;
    return unit;
  }
}

/**
 * The ISP's front end on each cell: the sample aligned to 12 bits, black level subtraction
 * (fixed levels, 12-bit), white balance gains ((gain × value + 128) >> 8, gains Q2.8), then the
 * demosaic. The colour correction, gamma and other blocks are not modelled.
 */
export function processRaw(raw: RawGrid, config: IspConfig): RgbGrid {
  const n = raw.grid.columns * raw.grid.rows;
  const shift = 12 - raw.format.bitDepth;
  const bls = config.bls.enabled && !config.bls.config.enable_auto ? config.bls.config.fixed_val : { r: 0, gr: 0, gb: 0, b: 0 };
  const g = config.awbGain.enabled ? config.awbGain.config : { gain_red: 256, gain_green_r: 256, gain_green_b: 256, gain_blue: 256 };
  const stage = (v: number, black: number, gain: number) => Math.min(4095, (gain * Math.max(0, (v << shift) - black) + 128) >> 8);
  const out = { grid: raw.grid, r: new Uint8Array(n), g: new Uint8Array(n), b: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    out.r[i] = stage(raw.r[i]!, bls.r, g.gain_red) >> 4;
    out.g[i] = (stage(raw.gr[i]!, bls.gr, g.gain_green_r) + stage(raw.gb[i]!, bls.gb, g.gain_green_b) + 1) >> 5;
    out.b[i] = stage(raw.b[i]!, bls.b, g.gain_blue) >> 4;
  }
  return out;
}
