/** How long one measurement runs. */
export interface Plan {
  /** Messages before this are warm-up: sent and received, not measured. */
  readonly warmupMs: number;
  /** Then measure for this long. */
  readonly durationMs: number;
  /** Give up (an error, not a hang) when the peer has not finished this long after the end. */
  readonly graceMs: number;
}

/** The time (performance.now()) after which a measurement started now gives up. */
export function giveUpTime(plan: Plan): number {
  return performance.now() + plan.warmupMs + plan.durationMs + plan.graceMs;
}

/** Thrown by a spin loop whose peer stopped answering. */
export function timedOut(what: string): Error {
  return new Error(`${what}: the peer stopped answering (timed out)`);
}

// Spin loops look at the clock only every this many empty polls (a clock read costs about as
// much as a poll).
export const SPINS_BETWEEN_CLOCK_READS = 0xffff;
