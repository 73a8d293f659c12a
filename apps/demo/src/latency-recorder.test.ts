import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency-recorder.js';
import { seededRandom } from './random.js';

describe('LatencyRecorder', () => {
  it('gives exact nearest-rank percentiles while every sample fits', () => {
    const recorder = new LatencyRecorder();
    for (let value = 1; value <= 1000; value++) recorder.record(1001 - value); // any order
    expect(recorder.summary()).toEqual({ count: 1000, p50: 500, p90: 900, p99: 990, p999: 999, max: 1000 });
  });

  it('has nothing to say about an empty window, and ignores impossible samples', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.summary()).toBeNull();
    recorder.record(-5);
    recorder.record(Number.NaN);
    recorder.record(Number.POSITIVE_INFINITY);
    expect(recorder.count).toBe(0);
    expect(recorder.takeSummary()).toBeNull();
  });

  it('starts a new window after takeSummary', () => {
    const recorder = new LatencyRecorder();
    recorder.record(10);
    recorder.record(1_000_000);
    expect(recorder.takeSummary()).toMatchObject({ count: 2, max: 1_000_000 });
    recorder.record(7);
    expect(recorder.takeSummary()).toEqual({ count: 1, p50: 7, p90: 7, p99: 7, p999: 7, max: 7 });
  });

  it('keeps memory bounded beyond capacity, stays unbiased (reservoir) and keeps the exact maximum', () => {
    const recorder = new LatencyRecorder({ capacity: 1000, random: seededRandom(3) });
    // 100 000 samples uniform on 0..99 999, then a single outlier.
    for (let index = 0; index < 100_000; index++) recorder.record((index * 7919) % 100_000);
    recorder.record(10_000_000);
    const summary = recorder.summary();
    expect(summary?.count).toBe(100_001);
    expect(summary?.max).toBe(10_000_000);
    expect(summary?.p50).toBeGreaterThan(45_000);
    expect(summary?.p50).toBeLessThan(55_000);
    expect(summary?.p90).toBeGreaterThan(86_000);
    expect(summary?.p90).toBeLessThan(94_000);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LatencyRecorder({ capacity: 0 })).toThrow(RangeError);
  });
});
