import type { AlgoStats } from './algo-stats.js';
import type { Fill, Order, Tick } from './codec.js';
import type {
  AlgoView,
  OrderRow,
  PricePoint,
  QuoteRow,
  ServerView,
  SnapshotMessage,
  StreamRow,
  UpdateMessage,
} from './dashboard-protocol.js';

/** Options of {@link DashboardState}. */
export interface DashboardStateOptions {
  /** History the charts keep, in seconds (default 120). */
  readonly windowSeconds?: number;
  /** Orders kept for the blotter (default 100). */
  readonly maxOrders?: number;
  /** The algorithm counts as offline this long after its last statistics (default 2500 ms). */
  readonly algoTimeoutMs?: number;
  /** The dashboard's own network namespace, to tell whether the algorithm shares it. */
  readonly netNamespace: string;
}

interface Quote {
  bid: number;
  ask: number;
  last: number;
  open: number;
  openAt: number;
  high: number;
  low: number;
  volume: number;
  ticks: number;
  updatedAt: number;
  direction: -1 | 0 | 1;
}

type MutableOrderRow = { -readonly [K in keyof OrderRow]: OrderRow[K] };

const MAX_PENDING_FILLS = 256;

/**
 * Everything the dashboard shows, built from the messages it receives: the price table, the
 * price history per symbol (sampled), the order blotter with fills, the algorithm's state and
 * profit and loss, and the stream table. It produces the snapshot a new page gets and the
 * updates pushed afterwards; it does no input or output itself.
 *
 * @example
 * ```ts
 * const state = new DashboardState({ netNamespace: bus.identity.netNamespace });
 * state.onTick(decodeTick(message.data));
 * setInterval(() => state.sample(Date.now()), 250);
 * broadcast(state.takeUpdate(Date.now(), server));
 * ```
 */
export class DashboardState {
  readonly windowSeconds: number;
  readonly #maxOrders: number;
  readonly #algoTimeoutMs: number;
  readonly #netNamespace: string;
  readonly #quotes = new Map<string, Quote>();
  readonly #charts = new Map<string, PricePoint[]>();
  readonly #newPoints = new Map<string, PricePoint[]>();
  readonly #orders: MutableOrderRow[] = [];
  readonly #changedOrders = new Set<string>();
  readonly #pendingFills = new Map<string, Fill>();
  readonly #pnlHistory: PricePoint[] = [];
  #newPnlPoints: PricePoint[] = [];
  #stats: AlgoStats | undefined;
  #statsAt = Number.NEGATIVE_INFINITY;
  #streams: readonly StreamRow[] = [];

  constructor(options: DashboardStateOptions) {
    this.windowSeconds = options.windowSeconds ?? 120;
    this.#maxOrders = options.maxOrders ?? 100;
    this.#algoTimeoutMs = options.algoTimeoutMs ?? 2500;
    this.#netNamespace = options.netNamespace;
  }

  /** Symbols seen so far, sorted. */
  get symbols(): string[] {
    return [...this.#quotes.keys()].sort();
  }

  onTick(tick: Tick): void {
    const quote = this.#quotes.get(tick.symbol);
    if (quote === undefined) {
      this.#quotes.set(tick.symbol, {
        bid: tick.bid,
        ask: tick.ask,
        last: tick.last,
        open: tick.last,
        openAt: tick.timestamp,
        high: tick.last,
        low: tick.last,
        volume: tick.size,
        ticks: 1,
        updatedAt: tick.timestamp,
        direction: 0,
      });
      return;
    }
    if (tick.last !== quote.last) quote.direction = tick.last > quote.last ? 1 : -1;
    quote.bid = tick.bid;
    quote.ask = tick.ask;
    quote.last = tick.last;
    quote.high = Math.max(quote.high, tick.last);
    quote.low = Math.min(quote.low, tick.last);
    quote.volume += tick.size;
    quote.ticks++;
    quote.updatedAt = tick.timestamp;
  }

  onOrder(order: Order): void {
    const key = orderKey(order);
    if (this.#orders.some((row) => row.key === key)) return;
    const pending = this.#pendingFills.get(key);
    this.#pendingFills.delete(key);
    this.#orders.unshift({
      key,
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      quantity: order.quantity,
      price: order.price,
      status: order.status,
      signal: order.signal,
      limit: order.limit,
      timestamp: order.timestamp,
      decisionLatency: Math.max(0, order.decidedAt - order.tickSentAt),
      fill: pending === undefined ? null : { price: pending.price, positionAfter: pending.positionAfter },
    });
    this.#changedOrders.add(key);
    for (const dropped of this.#orders.splice(this.#maxOrders)) this.#changedOrders.delete(dropped.key);
  }

  /** A fill, before or after its order arrived. */
  onFill(fill: Fill): void {
    const key = orderKey(fill);
    const row = this.#orders.find((candidate) => candidate.key === key);
    if (row === undefined) {
      // Orders and fills are two topics: the fill may overtake its order.
      this.#pendingFills.set(key, fill);
      if (this.#pendingFills.size > MAX_PENDING_FILLS) {
        const oldest = this.#pendingFills.keys().next();
        if (oldest.done !== true) this.#pendingFills.delete(oldest.value);
      }
      return;
    }
    row.fill = { price: fill.price, positionAfter: fill.positionAfter };
    this.#changedOrders.add(key);
  }

  onStats(stats: AlgoStats, nowMs: number): void {
    this.#stats = stats;
    this.#statsAt = nowMs;
    const point: PricePoint = [nowMs, stats.pnl.total];
    this.#pnlHistory.push(point);
    this.#newPnlPoints.push(point);
    trim(this.#pnlHistory, nowMs - this.windowSeconds * 1000);
  }

  /** Adds a chart point (the last price) for every symbol at `nowMs`. */
  sample(nowMs: number): void {
    const oldest = nowMs - this.windowSeconds * 1000;
    for (const [symbol, quote] of this.#quotes) {
      const point: PricePoint = [nowMs, quote.last];
      const chart = this.#charts.get(symbol) ?? [];
      chart.push(point);
      trim(chart, oldest);
      this.#charts.set(symbol, chart);
      const fresh = this.#newPoints.get(symbol) ?? [];
      fresh.push(point);
      this.#newPoints.set(symbol, fresh);
    }
  }

  /** The stream table, measured by the dashboard process. */
  setStreams(streams: readonly StreamRow[]): void {
    this.#streams = streams;
  }

  /** The algorithm's latest statistics while it is online. */
  algoStats(nowMs: number): AlgoStats | undefined {
    return nowMs - this.#statsAt <= this.#algoTimeoutMs ? this.#stats : undefined;
  }

  /** Everything, for a page that just connected. */
  snapshot(nowMs: number, server: ServerView): SnapshotMessage {
    return {
      type: 'snapshot',
      ...this.#view(nowMs, server),
      windowSeconds: this.windowSeconds,
      charts: Object.fromEntries([...this.#charts].map(([symbol, points]) => [symbol, [...points]])),
      pnlHistory: [...this.#pnlHistory],
      orders: this.#orders.map((row) => ({ ...row })),
    };
  }

  /** What changed since the previous update (or snapshot), then forgets it. */
  takeUpdate(nowMs: number, server: ServerView): UpdateMessage {
    const update: UpdateMessage = {
      type: 'update',
      ...this.#view(nowMs, server),
      points: Object.fromEntries(this.#newPoints),
      pnlPoints: this.#newPnlPoints,
      orders: this.#orders.filter((row) => this.#changedOrders.has(row.key)).map((row) => ({ ...row })),
    };
    this.#newPoints.clear();
    this.#newPnlPoints = [];
    this.#changedOrders.clear();
    return update;
  }

  #view(nowMs: number, server: ServerView): Omit<SnapshotMessage, 'type' | 'windowSeconds' | 'charts' | 'pnlHistory' | 'orders'> {
    return { time: nowMs, quotes: this.#quoteRows(), streams: this.#streams, algo: this.#algoView(nowMs), server };
  }

  #quoteRows(): QuoteRow[] {
    return [...this.#quotes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([symbol, quote]) => ({ symbol, ...quote }));
  }

  #algoView(nowMs: number): AlgoView | null {
    const stats = this.#stats;
    if (stats === undefined) return null;
    return {
      online: nowMs - this.#statsAt <= this.#algoTimeoutMs,
      pid: stats.pid,
      hostname: stats.hostname,
      sameNetNamespace: stats.netNamespace === this.#netNamespace,
      netNamespace: stats.netNamespace,
      startedAt: stats.startedAt,
      ticks: stats.ticks.total,
      decision: stats.decision,
      accepted: stats.orders.accepted,
      rejected: stats.orders.rejected,
      fills: stats.orders.fills,
      realized: stats.pnl.realized,
      unrealized: stats.pnl.unrealized,
      total: stats.pnl.total,
      grossNotional: stats.pnl.grossNotional,
      maxGrossNotional: stats.strategy.maxGrossNotional,
      positions: stats.positions,
      fastMs: stats.strategy.fastMs,
      slowMs: stats.strategy.slowMs,
    };
  }
}

// Unique across algorithm restarts: the algorithm process's random id and the order id.
function orderKey(record: { readonly source: number; readonly orderId: number }): string {
  return `${record.source.toString(16).padStart(8, '0')}-${record.orderId}`;
}

// Drops points older than `oldest` from the front of a time-ordered list.
function trim(points: PricePoint[], oldest: number): void {
  let drop = 0;
  while (drop < points.length && (points[drop]?.[0] ?? oldest) < oldest) drop++;
  if (drop > 0) points.splice(0, drop);
}
