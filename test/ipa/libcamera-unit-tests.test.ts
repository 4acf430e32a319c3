/**
 * The expectations of libcamera's own libipa unit tests (test/ipa/libipa/histogram.cpp and
 * pwl.cpp of v0.7.1), exact equality as there, run against the ports.
 */
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../dist/ipa/histogram.js';
import { Pwl } from '../../dist/ipa/pwl.js';

describe("libcamera's libipa unit tests", () => {
  it('HistogramTest', () => {
    const hist = new Histogram([50, 50]);
    expect(hist.bins).toBe(2);
    expect(hist.total).toBe(100);
    expect(hist.cumulativeFrequency(1.0)).toBe(50);
    expect(hist.cumulativeFrequency(1.5)).toBe(75);
    expect(hist.cumulativeFrequency(2.0)).toBe(100);
    expect(hist.quantile(0.0)).toBe(0.0);
    expect(hist.quantile(1.0)).toBe(2.0);
    expect(hist.quantile(0.5)).toBe(1.0);
    expect(hist.quantile(0.75)).toBe(1.5);
    expect(hist.quantile(0.001)).toBe(0.002);
    expect(hist.interQuantileMean(0.0, 1.0)).toBe(1.0);
    expect(hist.interQuantileMean(0.0, 0.5)).toBe(0.5);
    expect(hist.interQuantileMean(0.5, 1.0)).toBe(1.5);
    expect(hist.interQuantileMean(0.25, 0.75)).toBe(1.0);
    expect(hist.interQuantileMean(0.0, 0.1)).toBe(0.1);
    expect(hist.interQuantileMean(0.9, 1.0)).toBe(1.9);
  });

  it('PwlTest', () => {
    const pwl = new Pwl();
    pwl.append(0, 0);
    pwl.append(1, 1);
    expect(pwl.eval(-1)).toBe(-1);
    expect(pwl.eval(0)).toBe(0);
    expect(pwl.eval(0.5)).toBe(0.5);
    expect(pwl.eval(1)).toBe(1);
    expect(pwl.eval(2)).toBe(2);
    expect(pwl.size).toBe(2);
    pwl.clear();
    pwl.append(1, 1);
    expect(pwl.eval(0)).toBe(1);
    expect(pwl.eval(1)).toBe(1);
    expect(pwl.eval(2)).toBe(1);
  });
});
