/**
 * C++ semantics the ports need where JavaScript's differ: std::min/std::max with NaN, and the
 * conversion of a double to an unsigned 32-bit integer (estimateCCT's return, Interpolator's key).
 *
 * That conversion is undefined in C++ when the value is out of range (negative, NaN, ≥ 2^32),
 * and the two platforms libcamera's IPAs run on do different things: an AArch64 build (fcvtzu)
 * saturates to [0, 2^32 - 1] with NaN giving 0; an x86-64 build (cvttsd2si on 64 bits, low 32
 * bits kept) wraps modulo 2^32, with NaN and |value| ≥ 2^63 giving 0. In range, both truncate
 * toward zero. The default is the platform this process runs on, so that an IPA gives what
 * libcamera built for the same machine gives; a test or tool comparing with traces from another
 * platform's build sets it.
 */

export type TargetArch = 'aarch64' | 'x86-64';

let targetArch: TargetArch = process.arch === 'arm64' ? 'aarch64' : 'x86-64';

/** Which platform's C++ arithmetic to reproduce (process-wide; default: this process's platform). */
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
  if (t >= 0 && t <= 4294967295) return t + 0; // + 0: -0 (from -0.5) is 0
  // Low 32 bits of the int64 truncation. Beyond 2^53 the double is already an even integer, and
  // BigInt keeps every bit of it.
  return Number(BigInt.asUintN(32, BigInt(t)));
}

/**
 * The element type of a Vector or Matrix: libcamera's IPAs use double, float (rkisp1's colour
 * matrices) and int16_t (rkisp1's colour offsets).
 */
export type Element = 'double' | 'float' | 'int16';

/**
 * A double stored into an element of type `element`, as a C++ assignment converts it: a float
 * rounds to nearest (Math.fround); an int16_t truncates toward zero, then wraps modulo 2^16 (out of
 * the int range the conversion is undefined; we saturate to int32 first as AArch64's fcvtzs does,
 * or give 0x80000000 as x86-64's cvttsd2si does). NaN to int16 gives 0.
 */
export function storeAs(element: Element, value: number): number {
  if (element === 'double') return value;
  if (element === 'float') return Math.fround(value);
  let i: number;
  if (Number.isNaN(value)) i = targetArch === 'aarch64' ? 0 : -2147483648;
  else if (value >= 2147483648 || value < -2147483648) i = targetArch === 'aarch64' ? (value > 0 ? 2147483647 : -2147483648) : -2147483648;
  else i = Math.trunc(value);
  return (i << 16) >> 16;
}

/**
 * The result of `a op b` for two elements before it is stored: float arithmetic rounds each
 * operation to float (computing in double and rounding once gives the correctly rounded float
 * result for + - * /); int16_t operands are promoted to int, so the operation is exact here.
 */
export function arith(element: Element, value: number): number {
  return element === 'float' ? Math.fround(value) : value;
}

/** std::common_type of two element types (int16 with int16 stays int16). */
export function commonElement(a: Element, b: Element): Element {
  if (a === 'double' || b === 'double') return 'double';
  if (a === 'float' || b === 'float') return 'float';
  return 'int16';
}

/** Integer division as C++ does it for promoted int16_t operands: truncated; by zero is undefined, so an error. */
export function divide(element: Element, a: number, b: number): number {
  if (element !== 'int16') return a / b;
  if (b === 0) throw new RangeError('integer division by zero');
  return Math.trunc(a / b);
}

/** x = m × 2^e with m an integer (x finite). */
function decompose(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) return [sign * frac, -1074];
  return [sign * ((1n << 52n) | frac), exp - 1075];
}

/**
 * a × b + c rounded once (IEEE fused multiply-add), to double or, for `element` 'float', to
 * float: what an AArch64 fmadd computes. Exact arithmetic in BigInt, rounded to nearest even.
 */
export function fma(a: number, b: number, c: number, element: Element = 'double'): number {
  const plain = a * b + c;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return element === 'float' ? Math.fround(plain) : plain;
  if (!Number.isFinite(c)) return c;
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const mp = ma * mb;
  const ep = ea + eb;
  if (mp === 0n && mc === 0n) return Object.is(a * b, -0) && Object.is(c, -0) ? -0 : 0;
  let e = Math.min(ep, ec);
  const m = (mp << BigInt(ep - e)) + (mc << BigInt(ec - e));
  if (m === 0n) return 0;
  const negative = m < 0n;
  let q = negative ? -m : m;
  const precision = element === 'float' ? 24 : 53;
  const minExponent = element === 'float' ? -149 : -1074;
  let shift = q.toString(2).length - precision;
  if (e + shift < minExponent) shift = minExponent - e;
  if (shift > 0) {
    const s = BigInt(shift);
    const rest = q & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    q >>= s;
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
    e += shift;
  }
  const half = Math.trunc(e / 2);
  const value = Number(q) * 2 ** half * 2 ** (e - half);
  const rounded = element === 'float' ? Math.fround(value) : value;
  return negative ? -rounded : rounded;
}

/**
 * `c + a * b` (also written `c += a * b`) as the target build computes it for `element`: an
 * AArch64 GCC build contracts it into one fused multiply-add (GCC's default -ffp-contract=fast
 * for C++; checked in libcamera's colours.cpp, matrix.cpp and the reference harness); an x86-64
 * build without FMA rounds the product, then the sum. int16 arithmetic is exact (int).
 */
export function mulAdd(element: Element, a: number, b: number, c: number): number {
  if (element === 'int16') return a * b + c;
  if (targetArch === 'aarch64') return fma(a, b, c, element);
  return arith(element, arith(element, a * b) + c);
}

/** `c - a * b` as the target build computes it (AArch64: fmsub, one rounding). */
export function mulSub(element: Element, a: number, b: number, c: number): number {
  if (element === 'int16') return c - a * b;
  if (targetArch === 'aarch64') return fma(-a, b, c, element);
  return arith(element, c - arith(element, a * b));
}
