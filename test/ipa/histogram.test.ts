import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../dist/ipa/histogram.js';

// Counts 1, 2, 3, 4: cumulative 0, 1, 3, 6, 10.
const h = new Histogram([1, 2, 3, 4]);

describe('Histogram', () => {
  it('keeps cumulative counts, bins and total', () => {
    expect(h.bins).toBe(4);
    expect(h.total).toBe(10);
    expect(h.data).toEqual([0, 1, 3, 6, 10]);
  });

  it('passes each count through the transform first (rkisp1 drops 4 fractional bits)', () => {
    // 16 >> 4 = 1, 33 >> 4 = 2, 255 >> 4 = 15.
    const t = new Histogram([16, 33, 255], (x) => x >>> 4);
    expect(t.data).toEqual([0, 1, 3, 18]);
  });

  it('is empty with no data: no bins, total 0, every cumulative frequency 0', () => {
    const e = new Histogram();
    expect(e.bins).toBe(0);
    expect(e.total).toBe(0);
    expect(e.cumulativeFrequency(0.5)).toBe(0);
    expect(() => e.quantile(0.5)).toThrow(RangeError);
  });

  it('interpolates cumulative frequency in a fractional bin and truncates to an integer', () => {
    expect(h.cumulativeFrequency(-1)).toBe(0);
    expect(h.cumulativeFrequency(0)).toBe(0);
    expect(h.cumulativeFrequency(1)).toBe(1);
    // 3 + 0.5 * (6 - 3) = 4.5, uint64_t → 4.
    expect(h.cumulativeFrequency(2.5)).toBe(4);
    // 3 + 0.9 * 3 = 5.7 → 5.
    expect(h.cumulativeFrequency(2.9)).toBe(5);
    expect(h.cumulativeFrequency(4)).toBe(10);
    expect(h.cumulativeFrequency(99)).toBe(10);
  });

  it('finds quantiles by binary search and interpolates in the bin', () => {
    // q = 0.5: item 5, the bin whose cumulative passes 5 is 2 (3 → 6): 2 + (5 - 3) / 3.
    expect(h.quantile(0.5)).toBe(2 + 2 / 3);
    // q = 0: item 0, bin 0 (0 → 1): 0 + 0 / 1.
    expect(h.quantile(0)).toBe(0);
    // q = 1: item 10, bin 3 (6 → 10): 3 + 4 / 4 = 4, the top of the last bin.
    expect(h.quantile(1)).toBe(4);
    // q = 0.9 searched from bin 2: item 9, bin 3: 3 + 3 / 4.
    expect(h.quantile(0.9, 2)).toBe(3.75);
    // Searching only bin 0 for the median: bin 0, 0 + (5 - 0) / 1 = 5 (no clamping).
    expect(h.quantile(0.5, 0, 0)).toBe(5);
    expect(() => h.quantile(0.5, 3, 2)).toThrow(RangeError);
  });

  it('puts every quantile of an all-zero histogram at the start of its last bin', () => {
    // item 0: cumulative[middle + 1] > 0 never holds, so the search ends at bin 2; frac 0.
    expect(new Histogram([0, 0, 0]).quantile(0.5)).toBe(2);
  });

  it('means the bins between two quantiles, each bin at its middle', () => {
    // 0..1 covers everything: (0.5 * 1 + 1.5 * 2 + 2.5 * 3 + 3.5 * 4) / 10 = 2.5.
    expect(h.interQuantileMean(0, 1)).toBe(2.5);
    // 0.5..1: from 2 + 2/3; bin 2 keeps 1/3 of its 3 (one count at (2.667 + 3) / 2), bin 3 all 4 at 3.5:
    // (2.8333 * 1 + 3.5 * 4) / 5 = 3.36667.
    expect(h.interQuantileMean(0.5, 1)).toBeCloseTo((17 / 6 + 14) / 5, 12);
    // Top 2% of one bin of 100: both points in bin 0, between 0.98 and 1: mean 0.99.
    expect(new Histogram([100]).interQuantileMean(0.98, 1)).toBeCloseTo(0.99, 12);
    expect(() => h.interQuantileMean(0.5, 0.5)).toThrow(RangeError);
  });

  it('gives back q × total (to within truncation) as the cumulative frequency of quantile(q)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100000 }), { minLength: 1, maxLength: 64 }), fc.double({ min: 0, max: 1, noNaN: true }), (counts, q) => {
        const hist = new Histogram(counts);
        const bin = hist.quantile(q);
        expect(bin).toBeGreaterThanOrEqual(0);
        expect(bin).toBeLessThanOrEqual(hist.bins);
        if (hist.total > 0) expect(Math.abs(hist.cumulativeFrequency(bin) - q * hist.total)).toBeLessThanOrEqual(1 + 1e-9 * hist.total);
      }),
    );
  });
});
