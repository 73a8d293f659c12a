import type { RandomSource } from './random.js';

/** Latency percentiles of a window of samples, in nanoseconds. */
export interface LatencySummary {
  /** Samples recorded in the window (all of them, not only those kept). */
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  /** The largest sample, exact. */
  readonly max: number;
}

/**
 * Collects latency samples for one reporting window and summarises them as percentiles.
 * Up to `capacity` samples are kept; beyond that a uniform random subset of them is kept
 * (reservoir sampling), so the percentiles stay unbiased at any rate while memory and the
 * sort stay bounded. The maximum is always exact.
 *
 * @example
 * ```ts
 * const recorder = new LatencyRecorder();
 * recorder.record(received - tick.sentAt);
 * setInterval(() => console.log(recorder.takeSummary()), 1000);
 * ```
 */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  readonly #random: RandomSource;
  #kept = 0;
  #count = 0;
  #max = 0;

  constructor(options: { readonly capacity?: number; readonly random?: RandomSource } = {}) {
    const capacity = options.capacity ?? 8192;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#samples = new Float64Array(capacity);
    this.#random = options.random ?? Math.random;
  }

  /** Samples recorded since the last {@link takeSummary}. */
  get count(): number {
    return this.#count;
  }

  /** Records one latency in nanoseconds; negative or non-finite values are ignored. */
  record(nanoseconds: number): void {
    if (!(nanoseconds >= 0 && Number.isFinite(nanoseconds))) return;
    this.#count++;
    if (nanoseconds > this.#max) this.#max = nanoseconds;
    if (this.#kept < this.#samples.length) {
      this.#samples[this.#kept++] = nanoseconds;
      return;
    }
    const slot = Math.floor(this.#random() * this.#count);
    if (slot < this.#samples.length) this.#samples[slot] = nanoseconds;
  }

  /** The summary of the samples recorded so far (or `null` when none), without resetting. */
  summary(): LatencySummary | null {
    if (this.#kept === 0) return null;
    const sorted = this.#samples.slice(0, this.#kept).sort();
    return {
      count: this.#count,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      p999: percentile(sorted, 0.999),
      max: this.#max,
    };
  }

  /** The summary of the window, then starts a new window. */
  takeSummary(): LatencySummary | null {
    const summary = this.summary();
    this.#kept = 0;
    this.#count = 0;
    this.#max = 0;
    return summary;
  }
}

// Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.
function percentile(sorted: Float64Array, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? 0;
}
