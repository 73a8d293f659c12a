import { createHistogram } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { CURVE_PERCENTILES, median, medianCurve, ratio, summarizeHistogram } from './statistics.js';

describe('summarizeHistogram', () => {
  it('reads p50, p99 and p99.9 of recorded samples', () => {
    const histogram = createHistogram({ lowest: 1, highest: 60e9, figures: 3 });
    for (let value = 1; value <= 1000; value++) histogram.record(value);
    const summary = summarizeHistogram(histogram);
    expect(summary).toMatchObject({ count: 1000, min: 1, max: 1000, p50: 500, p99: 990, p999: 999 });
    expect(summary.mean).toBeCloseTo(500.5, 6);
  });

  it('keeps the precision of the histogram (3 significant digits) for large values', () => {
    const histogram = createHistogram({ lowest: 1, highest: 60e9, figures: 3 });
    histogram.record(123_456_789);
    const { p50 } = summarizeHistogram(histogram);
    expect(Math.abs(p50 - 123_456_789) / 123_456_789).toBeLessThan(1e-3);
  });

  it('keeps only the curve percentiles the sample count supports', () => {
    const histogram = createHistogram();
    for (let value = 1; value <= 1000; value++) histogram.record(value * 10);
    const { curve } = summarizeHistogram(histogram);
    // 1000 samples: 99.9% leaves one sample above, 99.95% half a sample.
    expect(curve.map(([percentile]) => percentile)).toEqual(CURVE_PERCENTILES.filter((percentile) => percentile <= 99.9));
    // 5000 with 3 significant digits: the bucket 5000-5003, reported by its highest value.
    expect(curve[0]?.[0]).toBe(50);
    expect(curve[0]?.[1]).toBeGreaterThanOrEqual(5000);
    expect(curve[0]?.[1]).toBeLessThanOrEqual(5005);
    for (let index = 1; index < curve.length; index++) {
      expect(curve[index]?.[1]).toBeGreaterThanOrEqual(curve[index - 1]?.[1] ?? Number.POSITIVE_INFINITY);
    }
  });

  it('keeps the median point even for a single sample', () => {
    const histogram = createHistogram();
    histogram.record(42);
    expect(summarizeHistogram(histogram).curve).toEqual([[50, 42]]);
  });

  it('refuses an empty histogram', () => {
    expect(() => summarizeHistogram(createHistogram())).toThrow(/empty/);
  });
});

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('ignores NaN and is NaN for nothing', () => {
    expect(median([Number.NaN, 2, 4, 9])).toBe(4);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
  });
});

describe('medianCurve', () => {
  it('takes the median point by point, over the points every curve has', () => {
    const curve = medianCurve([
      [
        [50, 10],
        [99, 100],
        [99.9, 1000],
      ],
      [
        [50, 30],
        [99, 300],
      ],
      [
        [50, 20],
        [99, 200],
        [99.9, 3000],
      ],
    ]);
    expect(curve).toEqual([
      [50, 20],
      [99, 200],
    ]);
    expect(medianCurve([])).toEqual([]);
  });
});

describe('ratio', () => {
  it('divides by the baseline', () => {
    expect(ratio(5, 20)).toBe(0.25);
    expect(ratio(30, 10)).toBe(3);
  });

  it('is undefined without a usable baseline or value', () => {
    expect(ratio(5, undefined)).toBeUndefined();
    expect(ratio(undefined, 5)).toBeUndefined();
    expect(ratio(5, 0)).toBeUndefined();
    expect(ratio(Number.NaN, 5)).toBeUndefined();
    expect(ratio(5, Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});
