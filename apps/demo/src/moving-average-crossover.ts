/** Settings of a {@link MovingAverageCrossover}. */
export interface CrossoverSettings {
  /** Time constant of the fast exponential moving average, in milliseconds. */
  readonly fastMs: number;
  /** Time constant of the slow exponential moving average, in milliseconds (longer than fast). */
  readonly slowMs: number;
  /**
   * How far apart the averages must be, in basis points of the slow one, before the trend
   * changes: a band that keeps noise around a crossing from flipping it back and forth.
   */
  readonly bandBps: number;
  /** No trend is reported before the averages have seen this much time. */
  readonly warmupMs: number;
}

/** Up (the fast average is above the slow one), down, or not known yet. */
export type Trend = 1 | -1 | 0;

/**
 * A moving-average crossover on irregularly spaced prices: two exponential moving averages
 * with time constants (so the signal does not depend on how often a symbol ticks), and the
 * trend they show — up after the fast one crosses above the slow one by more than the band
 * (a golden cross), down after it crosses below (a death cross).
 *
 * @example
 * ```ts
 * const crossover = new MovingAverageCrossover({ fastMs: 2000, slowMs: 8000, bandBps: 1.5, warmupMs: 4000 });
 * const trend = crossover.update(189.25, Date.now());
 * ```
 */
export class MovingAverageCrossover {
  readonly settings: CrossoverSettings;
  #fast = 0;
  #slow = 0;
  #startMs: number | undefined;
  #lastMs = 0;
  #trend: Trend = 0;

  constructor(settings: CrossoverSettings) {
    if (!(settings.fastMs > 0 && settings.slowMs > settings.fastMs)) {
      throw new RangeError(`need 0 < fastMs < slowMs, got ${settings.fastMs} and ${settings.slowMs}`);
    }
    if (!(settings.bandBps >= 0 && settings.warmupMs >= 0)) throw new RangeError('bandBps and warmupMs must not be negative');
    this.settings = settings;
  }

  get fast(): number {
    return this.#fast;
  }

  get slow(): number {
    return this.#slow;
  }

  get trend(): Trend {
    return this.#trend;
  }

  /** Takes the price at `timeMs` (never earlier than the previous one) and returns the trend. */
  update(price: number, timeMs: number): Trend {
    if (this.#startMs === undefined) {
      this.#startMs = timeMs;
      this.#lastMs = timeMs;
      this.#fast = price;
      this.#slow = price;
      return this.#trend;
    }
    const elapsed = Math.max(0, timeMs - this.#lastMs);
    this.#lastMs = Math.max(this.#lastMs, timeMs);
    this.#fast += (1 - Math.exp(-elapsed / this.settings.fastMs)) * (price - this.#fast);
    this.#slow += (1 - Math.exp(-elapsed / this.settings.slowMs)) * (price - this.#slow);
    if (this.#lastMs - this.#startMs < this.settings.warmupMs) return this.#trend;
    const spreadBps = ((this.#fast - this.#slow) / this.#slow) * 10_000;
    if (spreadBps > this.settings.bandBps) this.#trend = 1;
    else if (spreadBps < -this.settings.bandBps) this.#trend = -1;
    return this.#trend;
  }

  /** Forgets every price (for a new price source whose prices do not continue the old ones). */
  reset(): void {
    this.#startMs = undefined;
    this.#trend = 0;
  }
}
