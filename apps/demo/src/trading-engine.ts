import type { OrderLimit, OrderSignal, OrderStatus, Side } from './codec.js';
import { MovingAverageCrossover } from './moving-average-crossover.js';
import type { CrossoverSettings, Trend } from './moving-average-crossover.js';
import { PositionBook } from './position-book.js';

/** Everything the strategy can be tuned with (the algorithm's command line sets these). */
export interface StrategySettings extends CrossoverSettings {
  /** After an order in a symbol, no new one in it for this long (milliseconds). */
  readonly cooldownMs: number;
  /** The position aimed for in a trend, in currency: shares = notional / price, in lots. */
  readonly targetNotional: number;
  /** Orders and positions are whole multiples of this many shares. */
  readonly lotSize: number;
  /** The largest position (long or short) in one symbol, in shares. */
  readonly maxPosition: number;
  /** The largest gross exposure (Σ |position| × price over every symbol), in currency. */
  readonly maxGrossNotional: number;
}

/** The defaults: trends of a few seconds, $20k per position, at most $120k gross. */
export const DEFAULT_STRATEGY: StrategySettings = {
  fastMs: 2000,
  slowMs: 8000,
  bandBps: 1.5,
  warmupMs: 4000,
  cooldownMs: 2000,
  targetNotional: 20_000,
  lotSize: 10,
  maxPosition: 1000,
  maxGrossNotional: 120_000,
};

/** The top of the book the engine decides on. */
export interface TopOfBook {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
}

/** An order the engine decided on, and its fill when it was accepted. */
export interface Decision {
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly status: OrderStatus;
  readonly signal: OrderSignal;
  readonly limit: OrderLimit;
  readonly fill?: {
    readonly price: number;
    readonly quantity: number;
    readonly positionAfter: number;
    readonly realizedAfter: number;
  };
}

/** Orders decided so far. */
export interface EngineCounters {
  readonly accepted: number;
  readonly rejected: number;
}

interface SymbolState {
  readonly crossover: MovingAverageCrossover;
  source: string | undefined;
  lastOrderMs: number;
  // The trend whose order a limit rejected: not retried until the trend changes.
  rejectedTrend: Trend;
}

/**
 * The trading algorithm without its input and output: a moving-average crossover per symbol
 * that keeps the position on the side of the trend (long after a golden cross, short after a
 * death cross), sized by notional, within a per-symbol position limit and a gross-exposure
 * limit (an order that would break a limit is trimmed to fit, or rejected when nothing fits),
 * and a market that fills every accepted order at once at the touch (buy at the ask, sell at
 * the bid).
 *
 * @example
 * ```ts
 * const engine = new TradingEngine(DEFAULT_STRATEGY);
 * const decision = engine.onTick({ symbol: 'AAPL', bid: 189.25, ask: 189.27 }, Date.now());
 * if (decision?.fill !== undefined) console.log('filled', decision.side, decision.quantity);
 * ```
 */
export class TradingEngine {
  readonly settings: StrategySettings;
  readonly book = new PositionBook();
  readonly #symbols = new Map<string, SymbolState>();
  #nextOrderId = 1;
  #accepted = 0;
  #rejected = 0;

  constructor(settings: StrategySettings) {
    for (const name of ['cooldownMs', 'targetNotional', 'lotSize', 'maxPosition', 'maxGrossNotional'] as const) {
      if (!(Number.isFinite(settings[name]) && settings[name] >= 0)) throw new RangeError(`${name} must be a non-negative number`);
    }
    if (!Number.isInteger(settings.lotSize) || settings.lotSize < 1) throw new RangeError('lotSize must be a positive integer');
    this.settings = settings;
  }

  get counters(): EngineCounters {
    return { accepted: this.#accepted, rejected: this.#rejected };
  }

  /**
   * Takes one quote at `timeMs` and returns the order it decides on, if any. `source` names
   * where the quote came from (the feed's publisher id): when it changes, the symbol's averages
   * start over, since a restarted feed's prices do not continue the old ones.
   */
  onTick(quote: TopOfBook, timeMs: number, source?: string): Decision | undefined {
    const { symbol, bid, ask } = quote;
    const mid = (bid + ask) / 2;
    const state = this.#state(symbol);
    if (source !== undefined && source !== state.source) {
      if (state.source !== undefined) state.crossover.reset();
      state.source = source;
      state.rejectedTrend = 0;
    }
    this.book.mark(symbol, mid);
    const trend = state.crossover.update(mid, timeMs);
    if (trend === 0 || state.rejectedTrend === trend) return undefined;
    if (state.rejectedTrend !== 0) state.rejectedTrend = 0;
    const position = this.book.position(symbol);
    if (Math.sign(position) === trend) return undefined;
    if (timeMs - state.lastOrderMs < this.settings.cooldownMs) return undefined;

    const { lotSize, maxPosition, maxGrossNotional, targetNotional } = this.settings;
    const wanted = Math.max(1, Math.round(targetNotional / mid / lotSize)) * lotSize;
    let size = wanted;
    let limit: OrderLimit = 'none';
    if (size > maxPosition) {
      size = Math.floor(maxPosition / lotSize) * lotSize;
      limit = 'position';
    }
    const room = maxGrossNotional - (this.book.totals().grossNotional - Math.abs(position) * mid);
    if (size * mid > room) {
      size = Math.max(0, Math.floor(room / mid / lotSize) * lotSize);
      limit = 'gross';
    }
    const target = size * trend;
    const signal: OrderSignal = trend > 0 ? 'golden-cross' : 'death-cross';
    const side: Side = trend > 0 ? 'buy' : 'sell';
    const price = side === 'buy' ? ask : bid;
    const orderId = this.#nextOrderId++;
    if (target === position) {
      state.rejectedTrend = trend;
      this.#rejected++;
      return { orderId, symbol, side, quantity: Math.abs(wanted * trend - position), price, status: 'rejected', signal, limit };
    }
    const quantity = Math.abs(target - position);
    const after = this.book.apply(symbol, side, quantity, price);
    state.lastOrderMs = timeMs;
    this.#accepted++;
    return {
      orderId,
      symbol,
      side,
      quantity,
      price,
      status: 'accepted',
      signal,
      limit,
      fill: { price, quantity, positionAfter: after.position, realizedAfter: after.realized },
    };
  }

  #state(symbol: string): SymbolState {
    let state = this.#symbols.get(symbol);
    if (state === undefined) {
      state = {
        crossover: new MovingAverageCrossover(this.settings),
        source: undefined,
        lastOrderMs: Number.NEGATIVE_INFINITY,
        rejectedTrend: 0,
      };
      this.#symbols.set(symbol, state);
    }
    return state;
  }
}
