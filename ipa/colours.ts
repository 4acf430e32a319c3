/**
 * Colour helpers of libcamera's libipa (src/ipa/libipa/colours.cpp), in double precision as there.
 */
import { toUint32 } from './cpp';
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

export { toUint32 };

/**
 * The correlated colour temperature of an RGB triplet (libcamera's estimateCCT): RGB → XYZ,
 * normalised to chromaticity, then McCamy's cubic in n = (x - 0.3320) / (0.1858 - y). The
 * polynomial is evaluated in the C++ expression's order; the result is truncated to an
 * unsigned 32-bit integer as the C++ return type does (toUint32 in cpp.ts: out of range,
 * that depends on the target platform).
 */
export function estimateCCT(rgb: RGB): number {
  let xyz = rgb2xyz.mul(rgb);
  xyz = xyz.div(xyz.sum());
  const n = (xyz.x - 0.3320) / (0.1858 - xyz.y);
  return toUint32(449 * n * n * n + 3525 * n * n + 6823.3 * n + 5520.33);
}
