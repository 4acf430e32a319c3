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
