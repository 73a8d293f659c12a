import type { RoundTripRun, RoundTripSummary, ThroughputRun, ThroughputSummary } from './results.js';
import { median, medianCurve } from './statistics.js';

/** The medians of several ping-pong runs of one case and size. */
export function summarizeRoundTrips(runs: readonly RoundTripRun[]): RoundTripSummary {
  const p50s = runs.map((run) => run.latency.p50);
  return {
    p50: median(p50s),
    p99: median(runs.map((run) => run.latency.p99)),
    p999: median(runs.map((run) => run.latency.p999)),
    p50Min: p50s.length === 0 ? Number.NaN : Math.min(...p50s),
    p50Max: p50s.length === 0 ? Number.NaN : Math.max(...p50s),
    cpuPing: median(runs.map((run) => run.cpuPerRoundTrip.ping)),
    cpuEcho: median(runs.map((run) => run.cpuPerRoundTrip.echo)),
    ioCallsPing: median(runs.map((run) => run.ioCallsPerRoundTrip.ping)),
    ioCallsEcho: median(runs.map((run) => run.ioCallsPerRoundTrip.echo)),
    curve: medianCurve(runs.map((run) => run.latency.curve)),
  };
}

/** The medians of several streaming (or fan-out) runs of one case and size. */
export function summarizeThroughput(runs: readonly ThroughputRun[]): ThroughputSummary {
  const rates = runs.map((run) => run.messagesPerSecond);
  return {
    messagesPerSecond: median(rates),
    bytesPerSecond: median(runs.map((run) => run.bytesPerSecond)),
    rateMin: rates.length === 0 ? Number.NaN : Math.min(...rates),
    rateMax: rates.length === 0 ? Number.NaN : Math.max(...rates),
    cpuSender: median(runs.map((run) => run.cpuPerMessage.sender)),
    cpuReceiver: median(runs.map((run) => run.cpuPerMessage.receiver)),
    ioCallsSender: median(runs.map((run) => run.ioCallsPerMessage.sender)),
    ioCallsReceiver: median(runs.map((run) => run.ioCallsPerMessage.receiver)),
  };
}
