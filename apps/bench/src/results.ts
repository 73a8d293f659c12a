// The shape of a benchmark run's results: what the JSON file holds, and what the Markdown and
// SVG reports are made from. Raw figures of every run are kept next to the medians.
import type { GcPauses } from './measures/gc-pauses.js';
import type { CurvePoint, LatencySummary } from './statistics.js';

/** What is measured. */
export type MeasureKind = 'round-trip' | 'throughput' | 'fan-out';

/** One ping-pong run of one case and message size. */
export interface RoundTripRun {
  readonly run: number;
  /** Round-trip times, nanoseconds. */
  readonly latency: LatencySummary;
  /** Round trips measured (after the warm-up). */
  readonly roundTrips: number;
  /** CPU time (user + system, every thread) per round trip on each side, nanoseconds. */
  readonly cpuPerRoundTrip: { readonly ping: number; readonly echo: number };
  /** Read- and write-type system calls per round trip on each side (/proc/self/io). */
  readonly ioCallsPerRoundTrip: { readonly ping: number; readonly echo: number };
  /** Garbage-collection pauses of each side during the measured round trips. */
  readonly gc: { readonly ping: GcPauses; readonly echo: GcPauses };
}

/** Medians across the runs of one case and message size. */
export interface RoundTripSummary {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** The smallest and largest p50 of the runs: how much the runs disagreed. */
  readonly p50Min: number;
  readonly p50Max: number;
  readonly cpuPing: number;
  readonly cpuEcho: number;
  readonly ioCallsPing: number;
  readonly ioCallsEcho: number;
  /** Point-by-point median of the runs' latency curves. */
  readonly curve: readonly CurvePoint[];
}

/** One one-way streaming run (also one fan-out run: then there are several receivers). */
export interface ThroughputRun {
  readonly run: number;
  /** Messages received per second by each receiver, over the measured window. */
  readonly receiverRates: readonly number[];
  /** The median of `receiverRates` (the rate itself with one receiver). */
  readonly messagesPerSecond: number;
  readonly bytesPerSecond: number;
  /** Messages sent in the measured window (each receiver received exactly these). */
  readonly messages: number;
  /** CPU time per message, nanoseconds: the sender's, and the mean of the receivers'. */
  readonly cpuPerMessage: { readonly sender: number; readonly receiver: number };
  /** Read- and write-type system calls per message: the sender's, the mean of the receivers'. */
  readonly ioCallsPerMessage: { readonly sender: number; readonly receiver: number };
  /** Garbage-collection pauses during the measured window: the sender's, each receiver's. */
  readonly gc: { readonly sender: GcPauses; readonly receivers: readonly GcPauses[] };
}

/** Medians across the runs of one case and message size. */
export interface ThroughputSummary {
  readonly messagesPerSecond: number;
  readonly bytesPerSecond: number;
  readonly rateMin: number;
  readonly rateMax: number;
  readonly cpuSender: number;
  readonly cpuReceiver: number;
  readonly ioCallsSender: number;
  readonly ioCallsReceiver: number;
}

/** The runs of one case, one measure and one message size, with their medians. */
export interface Entry<Run, Summary> {
  readonly case: string;
  readonly size: number;
  readonly runs: readonly Run[];
  readonly summary: Summary;
}

export type RoundTripEntry = Entry<RoundTripRun, RoundTripSummary>;
export type ThroughputEntry = Entry<ThroughputRun, ThroughputSummary>;

/** A case as the report describes it. */
export interface CaseDescription {
  readonly name: string;
  readonly title: string;
  /** The route the case's links reported (e.g. `shm`, `tcp 127.0.0.1`, `unix socket`). */
  readonly route: string;
}

/** A measurement that did not complete, and why. */
export interface Failure {
  readonly run: number;
  readonly case: string;
  readonly measure: MeasureKind;
  readonly size: number;
  readonly error: string;
}

/** The machine and its load while the benchmark ran. */
export interface MachineState {
  readonly node: string;
  readonly os: string;
  readonly cpuModel: string;
  readonly vCpus: number;
  readonly zeromq: string;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  /** Share of all vCPUs' time that was busy during the run (this benchmark included), %. */
  readonly busyPercent: number;
  /** Share of all vCPUs' time stolen by the hypervisor, %. */
  readonly stealPercent: number;
  /** CPU used by processes other than this benchmark, on average, in vCPUs. */
  readonly otherProcessesVcpus: number;
}

/** How the run was set up. */
export interface RunSettings {
  readonly quick: boolean;
  readonly runs: number;
  readonly warmupMs: number;
  readonly roundTripMs: number;
  readonly throughputMs: number;
  /** `[sender CPU, receiver CPUs...]` as given to `--cpus`, or undefined when not pinned. */
  readonly cpus: readonly number[] | undefined;
  readonly cases: readonly string[];
  readonly measures: readonly MeasureKind[];
  readonly roundTripSizes: readonly number[];
  readonly throughputSizes: readonly number[];
  readonly fanOutSize: number;
  readonly fanOutSubscribers: number;
}

/** Everything one run of the benchmark produced: the JSON file. */
export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly elapsedSeconds: number;
  readonly settings: RunSettings;
  readonly machine: MachineState;
  /** The case every ratio is taken against (raw node:net TCP, one write per message). */
  readonly baseline: string;
  readonly cases: readonly CaseDescription[];
  readonly roundTrip: readonly RoundTripEntry[];
  readonly throughput: readonly ThroughputEntry[];
  readonly fanOut: readonly ThroughputEntry[];
  readonly failures: readonly Failure[];
}
