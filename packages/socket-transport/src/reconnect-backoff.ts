/** The parameters of {@link reconnectDelay}. */
export interface BackoffParameters {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** 0..1: the random fraction of each delay. */
  readonly jitter: number;
}

/**
 * The delay before reconnection attempt number `attempt` (0 for the first): capped exponential
 * backoff, `min(maxDelayMs, initialDelayMs * 2^attempt)`, of which the fraction `jitter` is
 * random ("equal jitter"), so the result lies in `[delay * (1 - jitter), delay]`.
 *
 * @example
 * ```ts
 * import { reconnectDelay } from '@seamless/socket-transport';
 *
 * const parameters = { initialDelayMs: 100, maxDelayMs: 5000, jitter: 0 };
 * [0, 1, 2, 10].map((attempt) => reconnectDelay(attempt, parameters)); // [100, 200, 400, 5000]
 * ```
 */
export function reconnectDelay(attempt: number, parameters: BackoffParameters, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 40);
  const delay = Math.min(parameters.maxDelayMs, parameters.initialDelayMs * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.max(1, Math.round(delay * (1 - parameters.jitter * draw)));
}
