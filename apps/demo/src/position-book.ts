import type { Side } from './codec.js';

/** One symbol's position and profit and loss. */
export interface PositionView {
  readonly symbol: string;
  /** Shares held; negative when short. */
  readonly position: number;
  /** Average price of the open position (0 when flat). */
  readonly averagePrice: number;
  /** The last price the position was marked at (the mid). */
  readonly mark: number;
  readonly realized: number;
  /** `position × (mark − averagePrice)`. */
  readonly unrealized: number;
}

/** The whole book's profit and loss and exposure. */
export interface BookTotals {
  readonly realized: number;
  readonly unrealized: number;
  readonly total: number;
  /** Σ |position| × mark over every symbol. */
  readonly grossNotional: number;
}

interface Entry {
  position: number;
  averagePrice: number;
  mark: number;
  realized: number;
}

/**
 * Positions per symbol with average-cost accounting: buying into a long position (or selling
 * into a short one) moves the average price; trading against it realizes profit or loss
 * against the average; crossing through zero opens the new side at the trade price.
 *
 * @example
 * ```ts
 * const book = new PositionBook();
 * book.apply('AAPL', 'buy', 100, 10);
 * book.apply('AAPL', 'sell', 100, 11);
 * book.totals().realized; // 100
 * ```
 */
export class PositionBook {
  readonly #entries = new Map<string, Entry>();

  /** Applies a trade and returns the symbol's state after it. */
  apply(symbol: string, side: Side, quantity: number, price: number): PositionView {
    const entry = this.#entry(symbol);
    const signed = side === 'buy' ? quantity : -quantity;
    const before = entry.position;
    if (before === 0 || Math.sign(before) === Math.sign(signed)) {
      entry.averagePrice = (Math.abs(before) * entry.averagePrice + quantity * price) / (Math.abs(before) + quantity);
    } else {
      const closing = Math.min(quantity, Math.abs(before));
      entry.realized += closing * (price - entry.averagePrice) * Math.sign(before);
      if (quantity > Math.abs(before)) entry.averagePrice = price;
      else if (quantity === Math.abs(before)) entry.averagePrice = 0;
    }
    entry.position = before + signed;
    if (entry.mark === 0) entry.mark = price;
    return view(symbol, entry);
  }

  /** Marks the symbol at `price` (for unrealized profit and loss and exposure). */
  mark(symbol: string, price: number): void {
    this.#entry(symbol).mark = price;
  }

  position(symbol: string): number {
    return this.#entries.get(symbol)?.position ?? 0;
  }

  /** Every symbol seen, sorted by name. */
  positions(): PositionView[] {
    return [...this.#entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([symbol, entry]) => view(symbol, entry));
  }

  totals(): BookTotals {
    let realized = 0;
    let unrealized = 0;
    let grossNotional = 0;
    for (const entry of this.#entries.values()) {
      realized += entry.realized;
      unrealized += unrealizedOf(entry);
      grossNotional += Math.abs(entry.position) * entry.mark;
    }
    return { realized, unrealized, total: realized + unrealized, grossNotional };
  }

  #entry(symbol: string): Entry {
    let entry = this.#entries.get(symbol);
    if (entry === undefined) {
      entry = { position: 0, averagePrice: 0, mark: 0, realized: 0 };
      this.#entries.set(symbol, entry);
    }
    return entry;
  }
}

function unrealizedOf(entry: Entry): number {
  return entry.position === 0 ? 0 : entry.position * (entry.mark - entry.averagePrice);
}

function view(symbol: string, entry: Entry): PositionView {
  return {
    symbol,
    position: entry.position,
    averagePrice: entry.averagePrice,
    mark: entry.mark,
    realized: entry.realized,
    unrealized: unrealizedOf(entry),
  };
}
