/**
 * The demo's topics. All ticks travel on one topic (each tick names its symbol): one ring per
 * feed keeps the feed's order across symbols, and consumers learn the symbols from the data
 * instead of having to be configured with the feed's list.
 *
 * @example
 * ```ts
 * const subscriber = await bus.subscriber(TOPICS.ticks);
 * ```
 */
export const TOPICS = {
  /** Binary ticks from the feed (`'latest'`: a slow reader skips ahead, never slows the feed). */
  ticks: 'md.ticks',
  /** Binary orders from the algorithm (`'reliable'`: none is ever dropped). */
  orders: 'algo.orders',
  /** Binary fills from the algorithm (`'reliable'`). */
  fills: 'algo.fills',
  /** The algorithm's statistics as JSON, twice a second (`'latest'`). */
  stats: 'algo.stats',
} as const;
