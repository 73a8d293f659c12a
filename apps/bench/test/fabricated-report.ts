// A benchmark report made from fabricated samples (no processes, no timing), for the tests of
// the statistics and report code.
import { createHistogram } from 'node:perf_hooks';
import type { BenchReport, RoundTripRun, ThroughputRun } from '../src/results.js';
import { summarizeHistogram } from '../src/statistics.js';
import { summarizeRoundTrips, summarizeThroughput } from '../src/summarize-runs.js';

/** A round-trip run whose samples are `base`, `base + 1`, ... (nanoseconds), 1000 of them. */
export function roundTripRun(run: number, base: number, cpu = 2000): RoundTripRun {
  const histogram = createHistogram({ lowest: 1, highest: 60e9, figures: 3 });
  for (let index = 0; index < 1000; index++) histogram.record(base + index);
  return {
    run,
    latency: summarizeHistogram(histogram),
    roundTrips: 1000,
    cpuPerRoundTrip: { ping: cpu, echo: cpu / 2 },
    ioCallsPerRoundTrip: { ping: 2, echo: 2 },
    gc: { ping: { count: 1, totalMs: 0.5, longestMs: 0.5 }, echo: { count: 0, totalMs: 0, longestMs: 0 } },
  };
}

/** A streaming run at `rate` messages/s of `size` bytes. */
export function throughputRun(run: number, rate: number, size: number, receivers = 1): ThroughputRun {
  return {
    run,
    receiverRates: Array.from({ length: receivers }, () => rate),
    messagesPerSecond: rate,
    bytesPerSecond: rate * size,
    messages: rate,
    cpuPerMessage: { sender: 1e9 / rate / 2, receiver: 1e9 / rate / 3 },
    ioCallsPerMessage: { sender: 1, receiver: 0.5 },
    gc: { sender: { count: 0, totalMs: 0, longestMs: 0 }, receivers: [] },
  };
}

/**
 * Three cases: Seamless shm park (round trips from 10 µs, rates 2 M/s), node:net TCP, the
 * baseline (from 20 µs, 1 M/s), zeromq.js ipc (from 5 µs — ahead of Seamless —, 500 k/s).
 */
export function fabricatedReport(): BenchReport {
  const rt = (name: string, base: number) =>
    [64, 1024, 65536].map((size) => {
      const runs = [roundTripRun(1, base), roundTripRun(2, base + 1000), roundTripRun(3, base + 2000)];
      return { case: name, size, runs, summary: summarizeRoundTrips(runs) };
    });
  const tp = (name: string, rate: number, sizes: readonly number[], receivers = 1) =>
    sizes.map((size) => {
      const runs = [
        throughputRun(1, rate, size, receivers),
        throughputRun(2, rate * 2, size, receivers),
        throughputRun(3, rate / 2, size, receivers),
      ];
      return { case: name, size, runs, summary: summarizeThroughput(runs) };
    });
  return {
    version: 1,
    startedAt: '2025-01-02T03:04:05.678Z',
    finishedAt: '2025-01-02T03:09:05.678Z',
    elapsedSeconds: 300,
    settings: {
      quick: false,
      runs: 3,
      warmupMs: 300,
      roundTripMs: 1000,
      throughputMs: 1000,
      cpus: [0, 1],
      cases: ['seamless-shm-park', 'net-tcp', 'zeromq-ipc'],
      measures: ['round-trip', 'throughput', 'fan-out'],
      roundTripSizes: [64, 1024, 65536],
      throughputSizes: [64, 4096],
      fanOutSize: 64,
      fanOutSubscribers: 4,
    },
    machine: {
      node: 'v20.0.0',
      os: 'Linux 6.1',
      cpuModel: 'Test CPU <fast> & cheap',
      vCpus: 2,
      zeromq: 'zeromq.js 6.8.0',
      loadAverageBefore: [0.1, 0.2, 0.3],
      loadAverageAfter: [1.5, 0.9, 0.4],
      busyPercent: 97.5,
      stealPercent: 0.2,
      otherProcessesVcpus: 0.05,
    },
    baseline: 'net-tcp',
    cases: [
      { name: 'seamless-shm-park', title: "Seamless, shared memory, default 'park'", route: 'shm' },
      { name: 'net-tcp', title: 'node:net TCP, one write per message', route: 'tcp 127.0.0.1' },
      { name: 'zeromq-ipc', title: 'zeromq.js <ipc://> & co', route: 'zeromq ipc (Unix socket)' },
    ],
    roundTrip: [...rt('seamless-shm-park', 10_000), ...rt('net-tcp', 20_000), ...rt('zeromq-ipc', 5_000)],
    throughput: [...tp('seamless-shm-park', 2e6, [64, 4096]), ...tp('net-tcp', 1e6, [64, 4096]), ...tp('zeromq-ipc', 5e5, [64, 4096])],
    fanOut: [...tp('seamless-shm-park', 4e5, [64], 4), ...tp('net-tcp', 1e5, [64], 4)],
    failures: [],
  };
}
