import { describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLS, MarketSimulator } from './market-simulator.js';

function run(seed: number, count: number, symbols: readonly string[] = DEFAULT_SYMBOLS): ReturnType<MarketSimulator['next']>[] {
  const market = new MarketSimulator({ symbols, seed });
  return Array.from({ length: count }, (_, index) => market.next(index / 4000));
}

describe('MarketSimulator', () => {
  it('quotes at least eight symbols by default', () => {
    expect(DEFAULT_SYMBOLS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(run(1, 2000).map((quote) => quote.symbol))).toEqual(new Set(DEFAULT_SYMBOLS));
  });

  it('is reproducible: the same seed and times give the same market', () => {
    expect(run(42, 500)).toEqual(run(42, 500));
    expect(run(42, 500)).not.toEqual(run(43, 500));
  });

  it('makes plausible quotes: positive, on the cent grid, bid below ask by a cent or a few, trades at the touch, round lots mostly', () => {
    const quotes = run(7, 20_000);
    const onGrid = (price: number): boolean => Math.abs(Math.round(price * 100) - price * 100) < 1e-6;
    const implausible = quotes.filter(
      (quote) =>
        !(quote.bid > 0 && onGrid(quote.bid) && onGrid(quote.ask)) ||
        !(quote.ask - quote.bid >= 0.0099 && quote.ask - quote.bid < 0.2) ||
        (quote.last !== quote.bid && quote.last !== quote.ask) ||
        !(Number.isInteger(quote.size) && quote.size > 0),
    );
    expect(implausible).toEqual([]);
    expect(quotes.filter((quote) => quote.size % 100 === 0).length / quotes.length).toBeGreaterThan(0.8);
  });

  it('moves like a market: five simulated seconds move prices a little, not wildly', () => {
    const quotes = run(11, 20_000); // 5 s at 4000 ticks/s
    for (const symbol of DEFAULT_SYMBOLS) {
      const mine = quotes.filter((quote) => quote.symbol === symbol);
      const first = mine[0]?.bid ?? 0;
      const last = mine[mine.length - 1]?.bid ?? 0;
      expect(new Set(mine.map((quote) => quote.bid)).size).toBeGreaterThan(5);
      expect(Math.abs(last / first - 1)).toBeLessThan(0.05);
    }
  });

  it('ticks busier names more often', () => {
    const quotes = run(5, 40_000);
    const count = (symbol: string): number => quotes.filter((quote) => quote.symbol === symbol).length;
    expect(count('NVDA')).toBeGreaterThan(count('JPM') * 1.5);
  });

  it('quotes unknown symbols too, and refuses bad or repeated ones', () => {
    expect(run(1, 100, ['ZZZ', 'X.Y']).every((quote) => quote.bid > 0)).toBe(true);
    expect(() => new MarketSimulator({ symbols: [], seed: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error);
    expect(() => new MarketSimulator({ symbols: ['ok', 'A'], seed: 1 })).toThrow(/symbol "ok"/);
    expect(() => new MarketSimulator({ symbols: ['A', 'A'], seed: 1 })).toThrow(/repeat/);
    expect(() => new MarketSimulator({ symbols: ['A'], seed: 1, volatility: 0 })).toThrow(/volatility/);
  });
});
