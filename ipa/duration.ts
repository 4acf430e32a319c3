/**
 * Durations as libcamera's utils::Duration holds them: a double count of nanoseconds
 * (std::chrono::duration<double, std::nano>).
 *
 * The libipa ports take and return durations in this unit, not in microseconds: the C++ does
 * its duration arithmetic on nanosecond counts, and the same arithmetic on microsecond counts
 * rounds differently. (For imx219's line of 3448 pixels at 182.4 MHz, trunc((L * n) / L) differs
 * between the two units for about one n in twelve below 70000: an exposure of n lines would
 * come back a line apart.)
 */

/** A duration in nanoseconds, as a double. */
export type Duration = number;

/** std::chrono::microseconds(n) converted to a Duration: n * 1000, exact for integers. */
export function microseconds(us: number): Duration {
  return us * 1000;
}

/** std::chrono::milliseconds(n) converted to a Duration. */
export function milliseconds(ms: number): Duration {
  return ms * 1_000_000;
}

/** std::chrono::seconds(n) converted to a Duration (for an integer n). */
export function seconds(s: number): Duration {
  return s * 1_000_000_000;
}

/** Duration::get<std::micro>(): the count divided by 1000. */
export function toMicroseconds(d: Duration): number {
  return d / 1000;
}

/**
 * A value of x86-64's `long double` (x87 80-bit: a 64-bit significand), for the IPA formulas
 * that C++ evaluates in it. libcamera's floating chrono literals (`1.0s`, `1.0us`) are
 * `std::chrono::duration<long double>`, so `minLineLength * 1.0s / pixelRate` divides in long
 * double and converts to nanoseconds (× 1e9) in long double before rounding to double; computed
 * in double instead, imx219-like line durations come out an ulp apart for about one line length
 * in five. Each operation here is exact, then rounded to 64 bits, to nearest, ties to even, as
 * the x87 does. Value = m × 2^e.
 */
export class LongDouble {
  private constructor(
    private readonly m: bigint,
    private readonly e: number,
  ) {}

  /** A double (or integer up to 2^64) widened: exact. */
  static from(x: number | bigint): LongDouble {
    if (typeof x === 'bigint') return LongDouble.round(x, 1n);
    if (!Number.isFinite(x)) throw new RangeError(`LongDouble.from: ${x}`);
    if (x === 0) return new LongDouble(0n, 0);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const sign = bits >> 63n ? -1n : 1n;
    const biased = Number((bits >> 52n) & 0x7ffn);
    const fraction = bits & ((1n << 52n) - 1n);
    if (biased === 0) return new LongDouble(sign * fraction, -1074);
    return new LongDouble(sign * (fraction | (1n << 52n)), biased - 1075);
  }

  mul(y: LongDouble | number): LongDouble {
    const o = y instanceof LongDouble ? y : LongDouble.from(y);
    return LongDouble.scaled(this.m * o.m, 1n, this.e + o.e);
  }

  div(y: LongDouble | number): LongDouble {
    const o = y instanceof LongDouble ? y : LongDouble.from(y);
    if (o.m === 0n) throw new RangeError('LongDouble.div: division by zero');
    return LongDouble.scaled(this.m, o.m, this.e - o.e);
  }

  /** static_cast<double>: rounded to 53 bits (to nearest, ties to even). */
  toNumber(): number {
    if (this.m === 0n) return 0;
    const r = LongDouble.scaled(this.m, 1n, this.e, 53);
    // In two steps so that 2^e itself does not underflow (a subnormal result is then rounded
    // once more: no IPA duration is subnormal).
    const first = Math.max(r.e, -1022);
    return Number(r.m) * 2 ** first * 2 ** (r.e - first);
  }

  /** Conversion to an integer type: truncation toward zero. */
  trunc(): number {
    if (this.e >= 0) return Number(this.m << BigInt(this.e));
    return Number(this.m / (1n << BigInt(-this.e)));
  }

  private static round(p: bigint, q: bigint): LongDouble {
    return LongDouble.scaled(p, q, 0);
  }

  /** (p / q) × 2^e rounded to `bits` significant bits. */
  private static scaled(p: bigint, q: bigint, e: number, bits = 64): LongDouble {
    if (p === 0n) return new LongDouble(0n, 0);
    let sign = 1n;
    if (p < 0n) (p = -p), (sign = -sign);
    if (q < 0n) (q = -q), (sign = -sign);
    const top = 1n << BigInt(bits);
    let k = p.toString(2).length - q.toString(2).length - bits;
    for (;;) {
      const num = k >= 0 ? p : p << BigInt(-k);
      const den = k >= 0 ? q << BigInt(k) : q;
      let m = num / den;
      if (m >= top) {
        k++;
        continue;
      }
      if (m < top >> 1n) {
        k--;
        continue;
      }
      const twice = 2n * (num - m * den);
      if (twice > den || (twice === den && (m & 1n) === 1n)) m++;
      if (m === top) return new LongDouble(sign * (m >> 1n), e + k + 1);
      return new LongDouble(sign * m, e + k);
    }
  }
}

/**
 * libcamera's line duration `minLineLength * 1.0s / pixelRate` as a Duration: computed in long
 * double as the C++ does (see LongDouble), then rounded to double nanoseconds.
 */
export function lineDurationFromPixelRate(lineLength: number, pixelRate: number): Duration {
  return LongDouble.from(lineLength).mul(1.0).div(pixelRate).mul(1e9).toNumber();
}
