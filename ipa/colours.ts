/**
 * Colour helpers of libcamera's libipa (src/ipa/libipa/colours.cpp), in double precision as there.
 */
import { Matrix } from './matrix';
import { type RGB, Vector } from './vector';

const rgb2y = new Vector([0.299, 0.587, 0.114]);

/** Rec.601 luminance: 0.299 R + 0.587 G + 0.114 B, summed in that order (a dot product). */
export function rec601LuminanceFromRGB(rgb: RGB): number {
  return rgb.dot(rgb2y);
}

/** libcamera's RGB → CIE XYZ matrix for the CCT estimate (McCamy's method needs xy). */
const rgb2xyz = new Matrix(3, 3, [
  -0.14282, 1.54924, -0.95641,
  -0.32466, 1.57837, -0.73191,
  -0.68202, 0.77073, 0.56332,
]);

/**
 * A double converted to uint32_t the way an AArch64 build does it (fcvtzu): truncated toward
 * zero, saturating at 0 and 2^32 - 1, NaN giving 0. C++ leaves out-of-range conversions
 * undefined; for values in range every platform truncates the same, and that is the only case a
 * plausible colour temperature hits. We follow AArch64 because the rkisp1 IPA runs there.
 */
export function toUint32(value: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  if (value >= 4294967295) return 4294967295;
  return Math.trunc(value);
}

/**
 * The correlated colour temperature of an RGB triplet (libcamera's estimateCCT): RGB → XYZ,
 * normalised to chromaticity, then McCamy's cubic in n = (x - 0.3320) / (0.1858 - y). The
 * polynomial is evaluated in the C++ expression's order; the result is truncated to an
 * unsigned 32-bit integer as the C++ return type does (see toUint32).
 */
export function estimateCCT(rgb: RGB): number {
  let xyz = rgb2xyz.mul(rgb);
  xyz = xyz.div(xyz.sum());
  const n = (xyz.x - 0.3320) / (0.1858 - xyz.y);
  return toUint32(449 * n * n * n + 3525 * n * n + 6823.3 * n + 5520.33);
}
