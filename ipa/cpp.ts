/**
 * C++ semantics the ports need where JavaScript's differ: std::min/std::max with NaN, and the
 * conversion of a double to an unsigned 32-bit integer (estimateCCT's return, Interpolator's key).
 *
 * That conversion is undefined in C++ when the value is out of range (negative, NaN, ≥ 2^32),
 * and the two platforms libcamera's IPAs run on do different things: an AArch64 build (fcvtzu)
 * saturates to [0, 2^32 - 1] with NaN giving 0; an x86-64 build (cvttsd2si on 64 bits, low 32
 * bits kept) wraps modulo 2^32, with NaN and |value| ≥ 2^63 giving 0. In range, both truncate
 * toward zero. The default is AArch64, where the rkisp1 IPA runs; a test or tool comparing with
 * traces from an x86-64 build sets 'x86-64'.
 */

export type TargetArch = 'aarch64' | 'x86-64';

let targetArch: TargetArch = 'aarch64';

/** Which platform's out-of-range conversions to reproduce (process-wide; default 'aarch64'). */
export function setTargetArch(arch: TargetArch): void {
  targetArch = arch;
}

export function getTargetArch(): TargetArch {
  return targetArch;
}

/** std::min(a, b): `a` unless `b < a` (so a NaN `a` is kept, a NaN `b` ignored; Math.min differs). */
export function cppMin(a: number, b: number): number {
  return b < a ? b : a;
}

/** std::max(a, b): `a` unless `a < b` (so a NaN `a` is kept, a NaN `b` ignored; Math.max differs). */
export function cppMax(a: number, b: number): number {
  return a < b ? b : a;
}

/** `static_cast<uint32_t>(value)` for a double, as built for the target platform (see above). */
export function toUint32(value: number): number {
  if (Number.isNaN(value)) return 0;
  if (targetArch === 'aarch64') {
    if (value <= 0) return 0;
    if (value >= 4294967295) return 4294967295;
    return Math.trunc(value);
  }
  if (Math.abs(value) >= 2 ** 63) return 0;
  const t = Math.trunc(value);
  if (t >= 0 && t <= 4294967295) return t;
  // Low 32 bits of the int64 truncation. Beyond 2^53 the double is already an even integer, and
  // BigInt keeps every bit of it.
  return Number(BigInt.asUintN(32, BigInt(t)));
}
