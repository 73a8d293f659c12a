import type { Histogram } from 'node:perf_hooks';

/**
 * The percentiles kept from every latency histogram: the chart plots them (latency by
 * percentile, the usual HDR histogram view), and the medians across runs are taken per point.
 */
export const CURVE_PERCENTILES: readonly number[] = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999];

/** One point of a latency curve: a percentile and its latency in nanoseconds. */
export type CurvePoint = readonly [percentile: number, nanoseconds: number];

/** What is kept of one latency histogram (all times in nanoseconds). */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /**
   * {@link CURVE_PERCENTILES} that the sample count can support: a percentile p is kept only
   * when at least one sample lies at or above it (count × (1 − p/100) ≥ 1); 50 always.
   */
  readonly curve: readonly CurvePoint[];
}

/**
 * Reads the summary of an HDR histogram of nanoseconds (`perf_hooks.createHistogram()`).
 * Percentiles come from the histogram itself, so they carry its precision (3 significant
 * digits by default). Throws on an empty histogram: a run without samples is a failed run.
 */
export function summarizeHistogram(histogram: Histogram): LatencySummary {
  const count = histogram.count;
  if (count === 0) throw new Error('the latency histogram is empty');
  // (1e-9: 1000 × (100 − 99.9) / 100 is 0.99999999999994 in floating point.)
  const curve = CURVE_PERCENTILES.filter((percentile) => percentile === 50 || (count * (100 - percentile)) / 100 >= 1 - 1e-9).map(
    (percentile): CurvePoint => [percentile, histogram.percentile(percentile)],
  );
  return {
    count,
    min: histogram.min,
    mean: histogram.mean,
    max: histogram.max,
    p50: histogram.percentile(50),
    p99: histogram.percentile(99),
    p999: histogram.percentile(99.9),
    curve,
  };
}

/** The median of `values` (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** The point-by-point median of several latency curves (points that every curve has). */
export function medianCurve(curves: readonly (readonly CurvePoint[])[]): CurvePoint[] {
  const first = curves[0];
  if (first === undefined) return [];
  const result: CurvePoint[] = [];
  for (const [percentile] of first) {
    const values: number[] = [];
    for (const curve of curves) {
      const point = curve.find(([candidate]) => candidate === percentile);
      if (point !== undefined) values.push(point[1]);
    }
    if (values.length === curves.length) result.push([percentile, median(values)]);
  }
  return result;
}

/**
 * `value / baseline`: how a figure compares with the baseline's figure of the same run set.
 * `undefined` when either is missing, not finite or the baseline is zero.
 */
export function ratio(value: number | undefined, baseline: number | undefined): number | undefined {
  if (value === undefined || baseline === undefined) return undefined;
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return undefined;
  return value / baseline;
}
