/**
 * A histogram kept as cumulative counts: the port of libcamera's ipa::Histogram
 * (src/ipa/libipa/histogram.{h,cpp}).
 *
 * libcamera stores the cumulative counts as uint64_t; here they are numbers, exact up to 2^53
 * (a 2^32-bin histogram of 2^21 each, far beyond any ISP's). Where C++ converts a double
 * result back to uint64_t it truncates toward zero, and so does this port (Math.trunc).
 */

const UINT_MAX = 0xffffffff;

export class Histogram {
  /** cumulative[0] = 0, cumulative[i + 1] = count of bins 0..i. */
  private readonly cumulative: number[];

  /**
   * From per-bin counts, each optionally passed through `transform` first (rkisp1 drops the
   * four fractional bits of its bins: `(x) => x >>> 4`). No data gives an empty histogram
   * (no bins, total 0), as libcamera's default constructor.
   */
  constructor(data: ArrayLike<number> = [], transform?: (count: number) => number) {
    const cumulative = new Array<number>(data.length + 1);
    cumulative[0] = 0;
    for (let i = 0; i < data.length; i++) {
      // uint32_t counts; the sum is stored as uint64_t (a double from the transform truncates).
      const value = transform ? transform(data[i]! >>> 0) : data[i]! >>> 0;
      cumulative[i + 1] = Math.trunc(cumulative[i]! + value);
    }
    this.cumulative = cumulative;
  }

  /** Number of bins. */
  get bins(): number {
    return this.cumulative.length - 1;
  }

  /** The cumulative counts, bins + 1 of them starting at 0. */
  get data(): readonly number[] {
    return this.cumulative;
  }

  /** Sum of all counts. */
  get total(): number {
    return this.cumulative[this.cumulative.length - 1]!;
  }

  /**
   * Count of everything below `bin`, a fractional bin taking that fraction of its bin's count
   * (truncated to an integer: the C++ returns uint64_t).
   */
  cumulativeFrequency(bin: number): number {
    if (bin <= 0) return 0;
    if (bin >= this.bins) return this.total;
    const b = Math.trunc(bin);
    const c = this.cumulative;
    return Math.trunc(c[b]! + (bin - b) * (c[b + 1]! - c[b]!));
  }

  /**
   * The (fractional) bin below which the fraction `q` of the counts lies, searched among bins
   * `first` to `last` (defaults: all of them).
   */
  quantile(q: number, first = 0, last = UINT_MAX): number {
    const c = this.cumulative;
    if (this.bins === 0) throw new RangeError('Histogram.quantile: the histogram has no bins');
    if (last === UINT_MAX) last = c.length - 2;
    if (!(first <= last) || last > c.length - 2)
      throw new RangeError(`Histogram.quantile: bins ${first} to ${last} of ${this.bins}`);

    // uint64_t item = q * total(): truncated.
    const item = Math.trunc(q * this.total);
    while (first < last) {
      const middle = Math.trunc((first + last) / 2);
      if (c[middle + 1]! > item) last = middle;
      else first = middle + 1;
    }

    let frac: number;
    if (c[first + 1] === c[first]) frac = 0;
    else frac = (q * this.total - c[first]!) / (c[first + 1]! - c[first]!);
    return first + frac;
  }

  /** Mean bin value of the counts between the two quantiles (bins taken at their middle). */
  interQuantileMean(lowQuantile: number, highQuantile: number): number {
    if (!(highQuantile > lowQuantile))
      throw new RangeError(`Histogram.interQuantileMean: ${highQuantile} is not above ${lowQuantile}`);

    const lowPoint = this.quantile(lowQuantile);
    // static_cast<uint32_t>(lowPoint): truncation.
    const highPoint = this.quantile(highQuantile, Math.trunc(lowPoint));
    const c = this.cumulative;

    let sumBinFreq = 0;
    let cumulFreq = 0;
    for (let bin = Math.floor(lowPoint); bin < Math.ceil(highPoint); bin++) {
      const lowBound = Math.max(bin, lowPoint);
      const highBound = Math.min(bin + 1, highPoint);
      const freq = (c[bin + 1]! - c[bin]!) * (highBound - lowBound);
      sumBinFreq += ((highBound + lowBound) / 2) * freq;
      cumulFreq += freq;
    }
    return sumBinFreq / cumulFreq;
  }
}
