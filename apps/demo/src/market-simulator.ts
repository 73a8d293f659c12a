import { ErrorCode, SeamlessError } from '@seamless/seamless';
import { isValidSymbol } from './codec.js';
import { gaussian, seededRandom } from './random.js';
import type { RandomSource } from './random.js';

/** The symbols the feed quotes unless told otherwise. */
export const DEFAULT_SYMBOLS: readonly string[] = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM'];

// Starting prices and relative activity of well-known names (made-up but plausible numbers).
const REFERENCE: Readonly<Record<string, { readonly price: number; readonly weight: number }>> = {
  AAPL: { price: 189.3, weight: 1.4 },
  MSFT: { price: 415.1, weight: 1.2 },
  NVDA: { price: 121.8, weight: 1.7 },
  AMZN: { price: 178.6, weight: 1.1 },
  GOOGL: { price: 152.4, weight: 0.9 },
  META: { price: 495.2, weight: 1.0 },
  TSLA: { price: 176.9, weight: 1.5 },
  JPM: { price: 198.7, weight: 0.7 },
  NFLX: { price: 612.5, weight: 0.6 },
  AMD: { price: 158.2, weight: 1.0 },
  INTC: { price: 31.4, weight: 0.8 },
  V: { price: 274.9, weight: 0.6 },
};

/** One quote update as the simulator makes it (the feed adds the times). */
export interface Quote {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  readonly size: number;
}

/** Options of {@link MarketSimulator}. */
export interface MarketSimulatorOptions {
  readonly symbols: readonly string[];
  /** Seed of the random walk: the same seed and the same times give the same market. */
  readonly seed: number;
  /** Volatility of the log price per square root of a second (default 0.0008). */
  readonly volatility?: number;
  /** Standard deviation of a trend's drift per second (default 0.0005). */
  readonly trendVolatility?: number;
  /** Mean lifetime of a trend in seconds (default 20). */
  readonly meanTrendSeconds?: number;
}

interface SymbolState {
  readonly symbol: string;
  readonly start: number;
  readonly weight: number;
  logPrice: number;
  drift: number;
  lastSeconds: number | undefined;
}

const TICK_SIZE = 0.01;
const REVERSION_PER_SECOND = 1 / 600;

/**
 * A plausible market for a set of symbols: each mid price follows a geometric random walk with
 * trends that come and go (a drift redrawn at random times, pulled gently back towards the
 * starting price), quoted on a one-cent grid with a spread of about one basis point; trades
 * print at the bid or the ask in round lots (sometimes odd ones). Busier names tick more often.
 *
 * @example
 * ```ts
 * const market = new MarketSimulator({ symbols: ['AAPL', 'MSFT'], seed: 7 });
 * const quote = market.next(performance.now() / 1000);
 * console.log(quote.symbol, quote.bid, quote.ask);
 * ```
 */
export class MarketSimulator {
  readonly #states: SymbolState[];
  readonly #cumulativeWeights: number[];
  readonly #random: RandomSource;
  readonly #volatility: number;
  readonly #trendVolatility: number;
  readonly #meanTrendSeconds: number;

  /** @throws SeamlessError `ERR_INVALID_ARGUMENT` for no symbols, a bad symbol, a duplicate. */
  constructor(options: MarketSimulatorOptions) {
    if (options.symbols.length === 0) invalid('at least one symbol is needed');
    if (new Set(options.symbols).size !== options.symbols.length) invalid('symbols must not repeat');
    this.#random = seededRandom(options.seed);
    this.#volatility = positive(options.volatility ?? 0.0008, 'volatility');
    this.#trendVolatility = positive(options.trendVolatility ?? 0.0005, 'trendVolatility');
    this.#meanTrendSeconds = positive(options.meanTrendSeconds ?? 20, 'meanTrendSeconds');
    this.#states = options.symbols.map((symbol) => {
      if (!isValidSymbol(symbol)) invalid(`symbol ${JSON.stringify(symbol)} is not 1-16 characters of A-Z 0-9 . _ -`);
      const reference = REFERENCE[symbol] ?? { price: 20 + 480 * this.#random(), weight: 1 };
      return {
        symbol,
        start: Math.log(reference.price),
        weight: reference.weight,
        logPrice: Math.log(reference.price),
        drift: this.#trendVolatility * gaussian(this.#random),
        lastSeconds: undefined,
      };
    });
    let sum = 0;
    this.#cumulativeWeights = this.#states.map((state) => (sum += state.weight));
  }

  /** The symbols quoted, in the order given. */
  get symbols(): readonly string[] {
    return this.#states.map((state) => state.symbol);
  }

  /** The next quote update: a symbol picked by activity, its walk advanced to `nowSeconds`. */
  next(nowSeconds: number): Quote {
    return this.#advance(this.#pick(), nowSeconds);
  }

  #pick(): SymbolState {
    const total = this.#cumulativeWeights[this.#cumulativeWeights.length - 1] ?? 0;
    const target = this.#random() * total;
    const index = this.#cumulativeWeights.findIndex((weight) => weight > target);
    const state = this.#states[index === -1 ? this.#states.length - 1 : index];
    if (state === undefined) throw new RangeError('the simulator has no symbols');
    return state;
  }

  #advance(state: SymbolState, nowSeconds: number): Quote {
    const random = this.#random;
    const elapsed = state.lastSeconds === undefined ? 0 : Math.max(0, nowSeconds - state.lastSeconds);
    state.lastSeconds = nowSeconds;
    if (random() < 1 - Math.exp(-elapsed / this.#meanTrendSeconds)) state.drift = this.#trendVolatility * gaussian(random);
    const drift = state.drift - REVERSION_PER_SECOND * (state.logPrice - state.start);
    state.logPrice +=
      (drift - (this.#volatility * this.#volatility) / 2) * elapsed + this.#volatility * Math.sqrt(elapsed) * gaussian(random);
    // The quote, in whole cents: a spread of about one basis point, now and then a cent wider.
    const midCents = Math.exp(state.logPrice) / TICK_SIZE;
    const spread = Math.max(1, Math.round(midCents * 0.0001)) + (random() < 0.15 ? 1 : 0);
    const bidCents = Math.max(1, Math.round(midCents - spread / 2));
    const askCents = bidCents + spread;
    const lots = [1, 1, 1, 1, 2, 2, 3, 5, 10][Math.floor(random() * 9)] ?? 1;
    return {
      symbol: state.symbol,
      bid: bidCents / 100,
      ask: askCents / 100,
      last: (random() < 0.5 ? bidCents : askCents) / 100,
      size: random() < 0.1 ? 1 + Math.floor(random() * 99) : 100 * lots,
    };
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) invalid(`${name} must be a positive number, got ${String(value)}`);
  return value;
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}
