/**
 * YUV frames to 8-bit RGB for the PNG writer. An ISP's viewfinder stream is sYCC, the encoding
 * libcamera asks rkisp1 for: full-range Y'CbCr with the BT.601 matrix (JFIF's).
 */
import type { Picture } from './png';

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function put(rgb: Uint8Array, at: number, y: number, cb: number, cr: number): void {
  const u = cb - 128;
  const v = cr - 128;
  rgb[at] = clamp(y + 1.402 * v);
  rgb[at + 1] = clamp(y - 0.344136 * u - 0.714136 * v);
  rgb[at + 2] = clamp(y + 1.772 * u);
}

/** NV12: `height` rows of Y, then `height / 2` rows of Cb Cr pairs, each row `stride` bytes. */
export function nv12ToRgb({ width, height, stride, data }: Picture, rgb: Uint8Array): void {
  const chroma = stride * height;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const chromaRow = chroma + (y >> 1) * stride;
    for (let x = 0; x < width; x++) {
      const c = chromaRow + (x & ~1);
      put(rgb, (y * width + x) * 3, data[row + x]!, data[c]!, data[c + 1]!);
    }
  }
}

/** YUYV: per row, Y0 Cb Y1 Cr for each pair of pixels. */
export function yuyvToRgb({ width, height, stride, data }: Picture, rgb: Uint8Array): void {
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) {
      const pair = row + (x >> 1) * 4;
      put(rgb, (y * width + x) * 3, data[row + x * 2]!, data[pair + 1]!, data[pair + 3]!);
    }
  }
}
