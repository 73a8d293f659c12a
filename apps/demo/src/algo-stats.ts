import { ErrorCode, SeamlessError } from '@seamless/seamless';
import type { TransportKind } from '@seamless/seamless';
import type { LatencySummary } from './latency-recorder.js';
import type { PositionView } from './position-book.js';
import type { StrategySettings } from './trading-engine.js';

/**
 * What the trading algorithm reports about itself twice a second on `algo.stats`, as JSON:
 * how it receives the ticks (transport, rate, latency from the feed), how long it takes from a
 * tick's publication to the decision on it, its orders, positions and profit and loss.
 * Latencies are in nanoseconds.
 */
export interface AlgoStats {
  readonly kind: 'algo-stats';
  readonly version: 1;
  readonly pid: number;
  readonly hostname: string;
  /** The algorithm's network namespace (`net:[…]`): differs from the feed's in `--algo-netns`. */
  readonly netNamespace: string;
  /** Wall-clock milliseconds when the algorithm started. */
  readonly startedAt: number;
  /** Monotonic nanoseconds when this report was sent, and their clock domain. */
  readonly sentAt: number;
  readonly clockDomain: number;
  readonly ticks: {
    readonly total: number;
    /** Ticks per second over the last few seconds. */
    readonly rate: number;
    /** Whether ticks arrived in the last half second. */
    readonly active: boolean;
    readonly lost: number;
    readonly malformed: number;
    /** The transports of the feed publishers it receives from right now. */
    readonly transports: readonly TransportKind[];
    readonly publishers: number;
    /** The topics of those publishers (one per symbol of each feed). */
    readonly topics: number;
    /** Ticks since the start that came from the feed publishers' history (each symbol's last). */
    readonly fromHistory: number;
    /** Feed to algorithm: the tick's `sentAt` to its receipt. */
    readonly latency: LatencySummary | null;
  };
  /** Tick to decision: the tick's `sentAt` to the end of the strategy's decision on it. */
  readonly decision: LatencySummary | null;
  readonly orders: { readonly accepted: number; readonly rejected: number; readonly fills: number };
  readonly pnl: {
    readonly realized: number;
    readonly unrealized: number;
    readonly total: number;
    readonly grossNotional: number;
  };
  readonly positions: readonly PositionView[];
  readonly strategy: StrategySettings;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The largest statistics message accepted (positions of many symbols fit easily). */
export const MAX_STATS_BYTES = 64 * 1024;

/**
 * Encodes the statistics as UTF-8 JSON.
 *
 * @example
 * ```ts
 * statsPublisher.send(encodeAlgoStats(stats));
 * ```
 */
export function encodeAlgoStats(stats: AlgoStats): Uint8Array {
  return encoder.encode(JSON.stringify(stats));
}

/**
 * Decodes and checks statistics: every field the dashboard shows must be present and of the
 * right type and range.
 *
 * @throws SeamlessError `ERR_PROTOCOL` otherwise.
 * @example
 * ```ts
 * const stats = decodeAlgoStats(message.data);
 * console.log(stats.pnl.total);
 * ```
 */
export function decodeAlgoStats(data: Uint8Array): AlgoStats {
  if (!(data instanceof Uint8Array) || data.byteLength > MAX_STATS_BYTES) malformed('not a Uint8Array of at most 64 KiB');
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (error) {
    malformed(`not UTF-8 JSON (${(error as Error).message})`);
  }
  const root = object(value, 'stats');
  if (root['kind'] !== 'algo-stats') malformed('kind is not "algo-stats"');
  if (root['version'] !== 1) malformed(`version ${JSON.stringify(root['version'])}, expected 1`);
  const ticks = object(root['ticks'], 'ticks');
  const orders = object(root['orders'], 'orders');
  const pnl = object(root['pnl'], 'pnl');
  const strategy = object(root['strategy'], 'strategy');
  const positions = root['positions'];
  if (!Array.isArray(positions) || positions.length > 1024) malformed('positions is not an array of at most 1024');
  const transports = ticks['transports'];
  if (!Array.isArray(transports) || !transports.every((kind) => kind === 'shm' || kind === 'tcp')) {
    malformed('ticks.transports is not a list of shm/tcp');
  }
  return {
    kind: 'algo-stats',
    version: 1,
    pid: count(root['pid'], 'pid'),
    hostname: text(root['hostname'], 'hostname'),
    netNamespace: text(root['netNamespace'], 'netNamespace'),
    startedAt: finite(root['startedAt'], 'startedAt'),
    sentAt: finite(root['sentAt'], 'sentAt'),
    clockDomain: count(root['clockDomain'], 'clockDomain'),
    ticks: {
      total: count(ticks['total'], 'ticks.total'),
      rate: finite(ticks['rate'], 'ticks.rate'),
      active: flag(ticks['active'], 'ticks.active'),
      lost: count(ticks['lost'], 'ticks.lost'),
      malformed: count(ticks['malformed'], 'ticks.malformed'),
      transports: transports as TransportKind[],
      publishers: count(ticks['publishers'], 'ticks.publishers'),
      topics: count(ticks['topics'], 'ticks.topics'),
      fromHistory: count(ticks['fromHistory'], 'ticks.fromHistory'),
      latency: latency(ticks['latency'], 'ticks.latency'),
    },
    decision: latency(root['decision'], 'decision'),
    orders: {
      accepted: count(orders['accepted'], 'orders.accepted'),
      rejected: count(orders['rejected'], 'orders.rejected'),
      fills: count(orders['fills'], 'orders.fills'),
    },
    pnl: {
      realized: finite(pnl['realized'], 'pnl.realized'),
      unrealized: finite(pnl['unrealized'], 'pnl.unrealized'),
      total: finite(pnl['total'], 'pnl.total'),
      grossNotional: finite(pnl['grossNotional'], 'pnl.grossNotional'),
    },
    positions: positions.map((entry: unknown, index) => {
      const position = object(entry, `positions[${index}]`);
      return {
        symbol: text(position['symbol'], 'positions.symbol'),
        position: finite(position['position'], 'positions.position'),
        averagePrice: finite(position['averagePrice'], 'positions.averagePrice'),
        mark: finite(position['mark'], 'positions.mark'),
        realized: finite(position['realized'], 'positions.realized'),
        unrealized: finite(position['unrealized'], 'positions.unrealized'),
      };
    }),
    strategy: {
      fastMs: finite(strategy['fastMs'], 'strategy.fastMs'),
      slowMs: finite(strategy['slowMs'], 'strategy.slowMs'),
      bandBps: finite(strategy['bandBps'], 'strategy.bandBps'),
      warmupMs: finite(strategy['warmupMs'], 'strategy.warmupMs'),
      cooldownMs: finite(strategy['cooldownMs'], 'strategy.cooldownMs'),
      targetNotional: finite(strategy['targetNotional'], 'strategy.targetNotional'),
      lotSize: count(strategy['lotSize'], 'strategy.lotSize'),
      maxPosition: finite(strategy['maxPosition'], 'strategy.maxPosition'),
      maxGrossNotional: finite(strategy['maxGrossNotional'], 'strategy.maxGrossNotional'),
    },
  };
}

function latency(value: unknown, what: string): LatencySummary | null {
  if (value === null) return null;
  const summary = object(value, what);
  return {
    count: count(summary['count'], `${what}.count`),
    p50: finite(summary['p50'], `${what}.p50`),
    p90: finite(summary['p90'], `${what}.p90`),
    p99: finite(summary['p99'], `${what}.p99`),
    p999: finite(summary['p999'], `${what}.p999`),
    max: finite(summary['max'], `${what}.max`),
  };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) malformed(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) malformed(`${what} is not a finite number`);
  return value;
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) malformed(`${what} is not a non-negative integer`);
  return value;
}

function flag(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') malformed(`${what} is not a boolean`);
  return value;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > 256) malformed(`${what} is not a string of at most 256 characters`);
  return value;
}

function malformed(problem: string): never {
  throw new SeamlessError(ErrorCode.Protocol, `malformed algo stats: ${problem}`);
}
