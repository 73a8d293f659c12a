import { describe, expect, it } from 'vitest';
import { TradingEngine } from './trading-engine.js';
import type { Decision, StrategySettings } from './trading-engine.js';

const settings: StrategySettings = {
  fastMs: 1000,
  slowMs: 4000,
  bandBps: 2,
  warmupMs: 1000,
  cooldownMs: 0,
  targetNotional: 10_000,
  lotSize: 10,
  maxPosition: 1000,
  maxGrossNotional: 1_000_000,
};

// Drives one symbol along `price(t)` (spread 2 cents) and returns the decisions.
function drive(
  engine: TradingEngine,
  symbol: string,
  price: (timeMs: number) => number,
  fromMs: number,
  toMs: number,
  source = 'feed-1',
): Decision[] {
  const decisions: Decision[] = [];
  for (let time = fromMs; time <= toMs; time += 10) {
    const mid = price(time);
    const decision = engine.onTick({ symbol, bid: mid - 0.01, ask: mid + 0.01 }, time, source);
    if (decision !== undefined) decisions.push(decision);
  }
  return decisions;
}

const rising = (time: number): number => 100 + time / 1000;
const upThenDown = (time: number): number => (time < 8000 ? 100 + time / 1000 : 108 - (time - 8000) / 1000);

describe('TradingEngine', () => {
  it('buys into an uptrend, sized by notional in lots, filled at the ask', () => {
    const engine = new TradingEngine(settings);
    const decisions = drive(engine, 'AAPL', rising, 0, 6000);
    expect(decisions).toHaveLength(1);
    const [buy] = decisions;
    expect(buy).toMatchObject({ orderId: 1, side: 'buy', status: 'accepted', signal: 'golden-cross', limit: 'none', quantity: 100 });
    expect(buy?.fill?.price).toBe(buy?.price);
    expect(buy?.fill?.positionAfter).toBe(100);
    expect(engine.book.position('AAPL')).toBe(100);
  });

  it('reverses on a death cross: sells the long and goes short in one order, realizing the P&L', () => {
    const engine = new TradingEngine(settings);
    const decisions = drive(engine, 'AAPL', upThenDown, 0, 20_000);
    expect(decisions.map((decision) => [decision.side, decision.signal])).toEqual([
      ['buy', 'golden-cross'],
      ['sell', 'death-cross'],
    ]);
    const [buy, sell] = decisions;
    // Sells the 100 held, and as many again as $10,000 buys at that price, in lots of 10.
    const short = Math.round(10_000 / ((sell?.price ?? 0) + 0.01) / 10) * 10;
    expect(buy?.quantity).toBe(100);
    expect(sell?.quantity).toBe(100 + short);
    expect(engine.book.position('AAPL')).toBe(-short);
    expect(engine.book.totals().realized).toBeGreaterThan(0);
    expect(engine.counters).toEqual({ accepted: 2, rejected: 0 });
  });

  it('waits out the cooldown between orders in one symbol', () => {
    const engine = new TradingEngine({ ...settings, cooldownMs: 60_000 });
    const decisions = drive(engine, 'AAPL', upThenDown, 0, 20_000);
    expect(decisions).toHaveLength(1);
  });

  it('caps the position at maxPosition and says so', () => {
    const engine = new TradingEngine({ ...settings, maxPosition: 55 });
    const [buy] = drive(engine, 'AAPL', rising, 0, 6000);
    expect(buy).toMatchObject({ quantity: 50, limit: 'position', status: 'accepted' });
  });

  it('trims an order to the gross exposure limit, and rejects it once when nothing fits', () => {
    const engine = new TradingEngine({ ...settings, maxGrossNotional: 15_000 });
    const [first] = drive(engine, 'AAPL', rising, 0, 6000);
    expect(first).toMatchObject({ quantity: 100, limit: 'none' });
    const [second] = drive(engine, 'MSFT', rising, 0, 6000);
    // About $10,500 is used; $4,500 is left: 40 shares at ~$105.
    expect(second).toMatchObject({ symbol: 'MSFT', quantity: 40, limit: 'gross', status: 'accepted' });
    const third = drive(engine, 'NVDA', rising, 0, 6000);
    expect(third).toHaveLength(1); // rejected once, not on every tick
    expect(third[0]).toMatchObject({ symbol: 'NVDA', status: 'rejected', limit: 'gross', quantity: 100 });
    expect(third[0]?.fill).toBeUndefined();
    expect(engine.book.position('NVDA')).toBe(0);
    expect(engine.counters).toEqual({ accepted: 2, rejected: 1 });
    expect(engine.book.totals().grossNotional).toBeLessThanOrEqual(15_000);
  });

  it('starts the averages over when the quotes come from a new source (a restarted feed)', () => {
    const engine = new TradingEngine(settings);
    drive(engine, 'AAPL', rising, 0, 6000, 'feed-1');
    // The new feed starts far below: without the reset this would be a death cross at once.
    const decisions = drive(engine, 'AAPL', (time) => 50 + (time - 6010) / 1000, 6010, 8000, 'feed-2');
    expect(decisions).toEqual([]);
  });

  it('numbers orders from 1 and refuses nonsense settings', () => {
    const engine = new TradingEngine(settings);
    const ids = [...drive(engine, 'A', upThenDown, 0, 20_000), ...drive(engine, 'B', rising, 0, 6000)].map((decision) => decision.orderId);
    expect(ids).toEqual([1, 2, 3]);
    expect(() => new TradingEngine({ ...settings, lotSize: 0 })).toThrow(RangeError);
    expect(() => new TradingEngine({ ...settings, maxGrossNotional: -1 })).toThrow(RangeError);
  });
});
