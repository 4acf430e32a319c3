/**
 * The main path's picture: the ISP's RGB converted to limited-range BT.601 YCbCr, cropped and
 * scaled by the resizer (nearest neighbour), written in the capture format. No gamma or colour
 * correction, so the picture is linear and as dark as the exposure makes it.
 */
import { fourcc, type Rectangle, type VideoFormat } from '../../../runtime/v4l2';
import type { RgbGrid } from './isp-image';

const YUYV = fourcc('YUYV');
const NV12 = fourcc('NV12');
const NV21 = fourcc('NV21');
const NV16 = fourcc('NV16');
const NV61 = fourcc('NV61');

const clampByte = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Each cell's Y, Cb, Cr. */
function toYCbCr(rgb: RgbGrid): { y: Uint8Array; cb: Uint8Array; cr: Uint8Array } {
  const n = rgb.r.length;
  const out = { y: new Uint8Array(n), cb: new Uint8Array(n), cr: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const r = rgb.r[i]!, g = rgb.g[i]!, b = rgb.b[i]!;
    out.y[i] = clampByte(16 + 0.257 * r + 0.504 * g + 0.098 * b);
    out.cb[i] = clampByte(128 - 0.148 * r - 0.291 * g + 0.439 * b);
    out.cr[i] = clampByte(128 + 0.439 * r - 0.368 * g - 0.071 * b);
  }
  return out;
}

/**
 * The picture in `format`, from the part of the sensor frame `crop` selects (the resizer's input
 * crop, in sensor pixels).
 */
export function renderPicture(rgb: RgbGrid, crop: Rectangle, format: VideoFormat): Uint8Array {
  const { width, height } = format;
  const { columns, rows, step } = rgb.grid;
  const ycc = toYCbCr(rgb);
  const cellColumn = new Int32Array(width);
  for (let x = 0; x < width; x++) cellColumn[x] = Math.min(columns - 1, Math.floor((crop.left + Math.floor((x * crop.width) / width)) / step));
  const cellRow = (y: number) => Math.min(rows - 1, Math.floor((crop.top + Math.floor((y * crop.height) / height)) / step)) * columns;
  const stride = format.planes[0]!.bytesPerLine;
  const frame = new Uint8Array(format.planes[0]!.size);
  const pf = format.pixelFormat;

  // Output lines from the same row of cells are alike: each is drawn once, then copied.
  const repeated = (y: number) => y > 0 && cellRow(y) === cellRow(y - 1);
  if (pf === YUYV) {
    for (let y = 0; y < height; y++) {
      const base = cellRow(y);
      const line = y * stride;
      if (repeated(y)) {
        frame.copyWithin(line, line - stride, line);
        continue;
      }
      for (let x = 0; x + 1 < width; x += 2) {
        const left = base + cellColumn[x]!;
        frame[line + 2 * x] = ycc.y[left]!;
        frame[line + 2 * x + 1] = ycc.cb[left]!;
        frame[line + 2 * x + 2] = ycc.y[base + cellColumn[x + 1]!]!;
        frame[line + 2 * x + 3] = ycc.cr[left]!;
      }
    }
    return frame;
  }

  for (let y = 0; y < height; y++) {
    const base = cellRow(y);
    const line = y * stride;
    if (repeated(y)) frame.copyWithin(line, line - stride, line);
    else for (let x = 0; x < width; x++) frame[line + x] = ycc.y[base + cellColumn[x]!]!;
  }
  const semiPlanar = pf === NV12 || pf === NV21 || pf === NV16 || pf === NV61;
  if (!semiPlanar) return frame;
  const verticalStep = pf === NV12 || pf === NV21 ? 2 : 1;
  const [first, second] = pf === NV21 || pf === NV61 ? [ycc.cr, ycc.cb] : [ycc.cb, ycc.cr];
  const chroma = stride * height;
  for (let y = 0; y < height / verticalStep; y++) {
    const base = cellRow(y * verticalStep);
    const line = chroma + y * stride;
    if (y > 0 && base === cellRow((y - 1) * verticalStep)) {
      frame.copyWithin(line, line - stride, line);
      continue;
    }
    for (let x = 0; x + 1 < width; x += 2) {
      const cell = base + cellColumn[x]!;
      frame[line + x] = first[cell]!;
      frame[line + x + 1] = second[cell]!;
    }
  }
  return frame;
}
