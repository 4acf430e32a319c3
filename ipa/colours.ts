/**
 * Colour helpers of libcamera's libipa (src/ipa/libipa/colours.cpp), in double precision as there.
 */
import { mulAdd, toUint32 } from './cpp';
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
 * polynomial is evaluated as the C++ build does (see below); the result is truncated to an
 * unsigned 32-bit integer as the C++ return type does (toUint32 in cpp.ts: out of range,
 * that depends on the target platform).
 */
export function estimateCCT(rgb: RGB): number {
  let xyz = rgb2xyz.mul(rgb);
  xyz = xyz.div(xyz.sum());
  const n = (xyz.x - 0.3320) / (0.1858 - xyz.y);
  // 449n³ + 3525n² + 6823.3n + 5520.33 as compiled: an AArch64 GCC build fuses (449n·n)·n with
  // the + 3525n·n, and 6823.3·n with the next +, then adds 5520.33 (read off its fmadd
  // sequence); x86-64 rounds every step. mulAdd does either.
  const cubic = 449 * n * n;
  const square = 3525 * n * n;
  const sum = mulAdd('double', n, 6823.3, mulAdd('double', cubic, n, square));
  return toUint32(sum + 5520.33);
}
