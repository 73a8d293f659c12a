import { describe, expect, it } from 'vitest';
import { PositionBook } from './position-book.js';

describe('PositionBook', () => {
  it('averages the cost of buys and realizes against it when selling', () => {
    const book = new PositionBook();
    book.apply('AAPL', 'buy', 100, 10);
    expect(book.apply('AAPL', 'buy', 100, 12)).toMatchObject({ position: 200, averagePrice: 11, realized: 0 });
    expect(book.apply('AAPL', 'sell', 50, 15)).toMatchObject({ position: 150, averagePrice: 11, realized: 200 });
    expect(book.apply('AAPL', 'sell', 150, 9)).toMatchObject({ position: 0, averagePrice: 0, realized: -100 });
  });

  it('opens the other side at the trade price when a trade crosses zero', () => {
    const book = new PositionBook();
    book.apply('MSFT', 'buy', 100, 50);
    expect(book.apply('MSFT', 'sell', 300, 55)).toMatchObject({ position: -200, averagePrice: 55, realized: 500 });
    // Covering a short below its price is a profit.
    expect(book.apply('MSFT', 'buy', 200, 54)).toMatchObject({ position: 0, realized: 700 });
  });

  it('marks open positions to market and totals the book', () => {
    const book = new PositionBook();
    book.apply('AAPL', 'buy', 100, 10);
    book.apply('MSFT', 'sell', 10, 100);
    book.mark('AAPL', 11);
    book.mark('MSFT', 90);
    expect(book.positions().map((entry) => [entry.symbol, entry.unrealized])).toEqual([
      ['AAPL', 100],
      ['MSFT', 100],
    ]);
    expect(book.totals()).toEqual({ realized: 0, unrealized: 200, total: 200, grossNotional: 100 * 11 + 10 * 90 });
    expect(book.position('AAPL')).toBe(100);
    expect(book.position('NONE')).toBe(0);
  });
});
