/**
 * Paces a sender at `rate` messages per second from a timer that fires irregularly: each call
 * says how many messages are due now. After a stall (a busy machine, a debugger) it does not
 * burst to catch up beyond `maxBurstMs` worth of messages; the rest is skipped, as a real feed
 * would skip stale updates.
 *
 * @example
 * ```ts
 * const schedule = new TickSchedule(4000, performance.now());
 * setInterval(() => {
 *   for (let due = schedule.due(performance.now()); due > 0; due--) sendOneTick();
 * }, 1);
 * ```
 */
export class TickSchedule {
  readonly rate: number;
  readonly #maxBurst: number;
  #origin: number;
  #sent = 0;

  constructor(rate: number, startMs: number, maxBurstMs = 100) {
    if (!(Number.isFinite(rate) && rate > 0)) throw new RangeError(`rate must be a positive number, got ${rate}`);
    this.rate = rate;
    this.#origin = startMs;
    this.#maxBurst = Math.max(1, Math.ceil((rate * maxBurstMs) / 1000));
  }

  /** How many messages are due at `nowMs` (and counts them as sent). */
  due(nowMs: number): number {
    let due = Math.floor(((nowMs - this.#origin) * this.rate) / 1000) - this.#sent;
    if (due > this.#maxBurst) {
      // Start over from now, as if the stalled messages had been sent.
      this.#origin = nowMs - (this.#maxBurst * 1000) / this.rate;
      this.#sent = 0;
      due = this.#maxBurst;
    }
    if (due <= 0) return 0;
    this.#sent += due;
    return due;
  }
}
