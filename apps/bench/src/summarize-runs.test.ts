import { describe, expect, it } from 'vitest';
import { roundTripRun, throughputRun } from '../test/fabricated-report.js';
import { summarizeRoundTrips, summarizeThroughput } from './summarize-runs.js';

describe('summarizeRoundTrips', () => {
  it('reports the median of each percentile across runs, and the spread of p50', () => {
    // Samples base..base+999 ns (below 2048: exact in the histogram): p50 = base + 499,
    // p99 = base + 989, p99.9 = base + 998.
    const summary = summarizeRoundTrips([roundTripRun(1, 300, 10), roundTripRun(2, 100, 30), roundTripRun(3, 200, 20)]);
    expect(summary.p50).toBe(699);
    expect(summary.p99).toBe(1189);
    expect(summary.p999).toBe(1198);
    expect(summary.p50Min).toBe(599);
    expect(summary.p50Max).toBe(799);
    expect(summary.cpuPing).toBe(20);
    expect(summary.cpuEcho).toBe(10);
    expect(summary.ioCallsPing).toBe(2);
    expect(summary.curve.find(([percentile]) => percentile === 50)).toEqual([50, 699]);
  });
});

describe('summarizeThroughput', () => {
  it('reports the median rate, its spread and the median CPU per message', () => {
    const summary = summarizeThroughput([throughputRun(1, 1e6, 64), throughputRun(2, 4e6, 64), throughputRun(3, 2e6, 64)]);
    expect(summary).toMatchObject({
      messagesPerSecond: 2e6,
      bytesPerSecond: 128e6,
      rateMin: 1e6,
      rateMax: 4e6,
      cpuSender: 250,
      ioCallsSender: 1,
      ioCallsReceiver: 0.5,
    });
    expect(summary.cpuReceiver).toBeCloseTo(1e9 / 2e6 / 3, 6);
  });

  it('is NaN, not a crash, without runs', () => {
    expect(summarizeThroughput([]).messagesPerSecond).toBeNaN();
  });
});
