import { ErrorCode, SeamlessError, validateTopic } from '@seamless/seamless';
import type { Message, PublisherOptions } from '@seamless/seamless';
import { MAX_STATS_BYTES } from './algo-stats.js';
import { MAX_RECORD_BYTES, decodeTick } from './codec.js';
import type { Tick } from './codec.js';

/**
 * The demo's topics and patterns, the way a trading system lays them out: one topic per
 * instrument, `md.<SYMBOL>` (so that each symbol's publisher is its own last value cache, and a
 * consumer can take one symbol, a few, or all), and one per kind of record the algorithm
 * publishes. Consumers subscribe with patterns and learn the symbols from the data and from
 * `message.topic`, never from a list of the feed's: the algorithm subscribes `md.>`, the
 * dashboard `md.>` and `algo.>`. `md.>` rather than `md.*`, because `.` separates levels and
 * may be part of a symbol: BRK.B is `md.BRK.B`, two levels below `md`.
 *
 * @example
 * ```ts
 * const publisher = await bus.publisher(tickTopic('AAPL'), PUBLISHER_OPTIONS.tick); // md.AAPL
 * const subscriber = await bus.subscriber(TOPICS.ticks); // md.>: every symbol's ticks
 * ```
 */
export const TOPICS = {
  /** Every symbol's ticks: the pattern the algorithm and the dashboard subscribe. */
  ticks: 'md.>',
  /** Everything the algorithm publishes: the pattern the dashboard subscribes. */
  algo: 'algo.>',
  /** Binary orders from the algorithm. */
  orders: 'algo.orders',
  /** Binary fills from the algorithm. */
  fills: 'algo.fills',
  /** The algorithm's statistics as JSON, twice a second. */
  stats: 'algo.stats',
} as const;

/** What every symbol's tick topic starts with: `md.` (`md.AAPL`). */
export const TICK_TOPIC_PREFIX = 'md.';

/**
 * The topic of one symbol's ticks, `md.<SYMBOL>`: the symbol is one level below `md`, or
 * several when it has a `.` of its own.
 *
 * @throws SeamlessError `ERR_TOPIC_INVALID` for a symbol that would make an empty level
 *   (`A.`, `A..B`) or an invalid topic.
 * @example
 * ```ts
 * tickTopic('AAPL');  // 'md.AAPL'
 * tickTopic('BRK.B'); // 'md.BRK.B'
 * ```
 */
export function tickTopic(symbol: string): string {
  if (symbol.split('.').includes('')) {
    throw new SeamlessError(
      ErrorCode.TopicInvalid,
      `symbol ${JSON.stringify(symbol)} cannot be part of a topic: "." separates levels, so it may neither start nor end a symbol, nor come twice in a row`,
    );
  }
  return validateTopic(TICK_TOPIC_PREFIX + symbol);
}

/**
 * Decodes a tick and checks that it came on its symbol's topic: the symbol travels in the
 * record too (the records are self-contained, and orders and fills share the layout), and a
 * tick of MSFT on `md.AAPL` is as malformed as a bad price.
 *
 * @throws SeamlessError `ERR_PROTOCOL` for a malformed tick or one on another symbol's topic.
 * @example
 * ```ts
 * subscriber.on('message', (message) => console.log(decodeTickMessage(message).last));
 * ```
 */
export function decodeTickMessage(message: Pick<Message, 'topic' | 'data'>): Tick {
  const tick = decodeTick(message.data);
  if (message.topic !== TICK_TOPIC_PREFIX + tick.symbol) {
    throw new SeamlessError(ErrorCode.Protocol, `malformed tick: a tick of ${tick.symbol} on ${message.topic}`);
  }
  return tick;
}

/**
 * How each of the demo's publishers is opened: its delivery policy, the largest message, and
 * how many of its latest messages it keeps for subscribers that attach later (`history`), so a
 * dashboard opened late shows the state of the market and of the algorithm at once.
 *
 * - `tick` (one publisher per symbol): `'latest'`, a slow reader skips ahead instead of slowing
 *   the feed; history 1, the symbol's last value, however long ago that symbol last traded.
 * - `orders`, `fills`: `'reliable'`, none is ever dropped; history 50, so the blotter of a
 *   dashboard opened late is not empty.
 * - `stats`: `'latest'`; history 1, the current P&L, positions and counters.
 *
 * @example
 * ```ts
 * const stats = await bus.publisher(TOPICS.stats, PUBLISHER_OPTIONS.stats);
 * ```
 */
export const PUBLISHER_OPTIONS = {
  tick: { policy: 'latest', maxMessageSize: MAX_RECORD_BYTES, history: 1 },
  orders: { policy: 'reliable', maxMessageSize: MAX_RECORD_BYTES, history: 50 },
  fills: { policy: 'reliable', maxMessageSize: MAX_RECORD_BYTES, history: 50 },
  stats: { policy: 'latest', maxMessageSize: MAX_STATS_BYTES, history: 1 },
} as const satisfies Record<string, PublisherOptions>;
