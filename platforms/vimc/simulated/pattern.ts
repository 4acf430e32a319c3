/**
 * vimc's test patterns as the simulated camera renders them: the colours of the sensor's pattern
 * generator after debayering, measured on the real driver (Linux 6.1, sRGB, 8 bits a channel).
 */

/** "75% Colorbar": white, yellow, cyan, green, magenta, red, blue, black, as R, G, B. */
export const COLORBAR_75: readonly (readonly [number, number, number])[] = [
  [191, 191, 191], [191, 191, 0], [0, 191, 191], [0, 191, 0], [191, 0, 191], [191, 0, 0], [0, 0, 191], [0, 0, 0],
];

const COLORBAR_100 = COLORBAR_75.map((c) => c.map((v) => (v ? 255 : 0)) as unknown as readonly [number, number, number]);

/** The patterns the simulation renders, by the index of vimc's "Test Pattern" menu. */
export const SIMULATED_PATTERNS: Record<number, { name: string; bars: readonly (readonly [number, number, number])[] }> = {
  0: { name: '75% Colorbar', bars: COLORBAR_75 },
  1: { name: '100% Colorbar', bars: COLORBAR_100 },
  5: { name: '100% Black', bars: [[0, 0, 0]] },
  6: { name: '100% White', bars: [[255, 255, 255]] },
  7: { name: '100% Red', bars: [[255, 0, 0]] },
  8: { name: '100% Green', bars: [[0, 255, 0]] },
  9: { name: '100% Blue', bars: [[0, 0, 255]] },
};

export interface RenderSettings {
  pattern: number;
  sensorWidth: number;
  /** The scaler's crop of the sensor image, horizontally. */
  cropLeft: number;
  cropWidth: number;
  outputWidth: number;
  outputHeight: number;
  bytesPerLine: number;
  /** Where R, G and B go within a pixel. */
  order: readonly [number, number, number];
  hflip: boolean;
  /** The sensor's Brightness and Contrast controls (128 is neutral). */
  brightness: number;
  contrast: number;
}

/**
 * One frame of the pattern. Vertical bars make every row alike: one row is built the way the
 * scaler samples the sensor's row (nearest neighbour over its crop), then copied.
 */
export function renderFrame(s: RenderSettings): Uint8Array {
  const { bars } = SIMULATED_PATTERNS[s.pattern] ?? SIMULATED_PATTERNS[0]!;
  const sensorRow = (x: number) => {
    const column = s.hflip ? s.sensorWidth - 1 - x : x;
    return bars[Math.floor((column * bars.length) / s.sensorWidth)]!;
  };
  const adjust = (v: number) => Math.max(0, Math.min(255, Math.round((v * s.contrast) / 128 + (s.brightness - 128))));
  const row = new Uint8Array(s.bytesPerLine);
  for (let x = 0; x < s.outputWidth; x++) {
    const colour = sensorRow(Math.floor((x * s.cropWidth) / s.outputWidth) + s.cropLeft);
    for (let c = 0; c < 3; c++) row[x * 3 + s.order[c]!] = adjust(colour[c]!);
  }
  const frame = new Uint8Array(s.bytesPerLine * s.outputHeight);
  for (let y = 0; y < s.outputHeight; y++) frame.set(row, y * s.bytesPerLine);
  return frame;
}
