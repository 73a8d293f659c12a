import { describe, expect, it } from 'vitest';
import type { AlgoStats } from './algo-stats.js';
import type { Fill, Order, Tick } from './codec.js';
import { DashboardState } from './dashboard-state.js';
import type { StreamRow } from './dashboard-protocol.js';
import { DEFAULT_STRATEGY } from './trading-engine.js';

const server = { pid: 1, hostname: 'box', netNamespace: 'net:[1]', startedAt: 0, clients: 0 };

function tick(symbol: string, last: number, size = 100, timestamp = 1000): Tick {
  return { symbol, bid: last - 0.01, ask: last + 0.01, last, size, timestamp, sentAt: 1, clockDomain: 1, source: 1 };
}

function order(orderId: number, source = 5): Order {
  return {
    orderId,
    symbol: 'AAPL',
    side: 'buy',
    quantity: 100,
    price: 10,
    status: 'accepted',
    signal: 'golden-cross',
    limit: 'none',
    timestamp: 2000,
    decidedAt: 5_000,
    tickSentAt: 3_000,
    clockDomain: 1,
    source,
  };
}

function fill(orderId: number, source = 5): Fill {
  return {
    orderId,
    symbol: 'AAPL',
    side: 'buy',
    quantity: 100,
    price: 10.01,
    positionAfter: 100,
    realizedAfter: 0,
    timestamp: 2000,
    sentAt: 6_000,
    clockDomain: 1,
    source,
  };
}

function stats(total: number, netNamespace = 'net:[1]'): AlgoStats {
  return {
    kind: 'algo-stats',
    version: 1,
    pid: 77,
    hostname: 'box',
    netNamespace,
    startedAt: 0,
    sentAt: 0,
    clockDomain: 1,
    ticks: {
      total: 5,
      rate: 1,
      active: true,
      lost: 0,
      malformed: 0,
      transports: ['shm'],
      publishers: 1,
      topics: 1,
      fromHistory: 0,
      latency: null,
    },
    decision: null,
    orders: { accepted: 1, rejected: 0, fills: 1 },
    pnl: { realized: 0, unrealized: total, total, grossNotional: 1000 },
    positions: [],
    strategy: DEFAULT_STRATEGY,
  };
}

describe('DashboardState', () => {
  it('keeps a price table row per symbol: last, open and when, high, low, volume, direction', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]' });
    state.onTick(tick('MSFT', 50));
    state.onTick(tick('AAPL', 10, 100, 700));
    state.onTick(tick('AAPL', 12, 200, 800));
    state.onTick(tick('AAPL', 9, 100, 900));
    const { quotes } = state.snapshot(0, server);
    expect(quotes.map((quote) => quote.symbol)).toEqual(['AAPL', 'MSFT']);
    expect(quotes[0]).toMatchObject({
      last: 9,
      open: 10,
      openAt: 700,
      high: 12,
      low: 9,
      volume: 400,
      ticks: 3,
      direction: -1,
      updatedAt: 900,
    });
  });

  it('samples chart points, sends only the new ones in an update, and forgets what is older than the window', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]', windowSeconds: 10 });
    state.onTick(tick('AAPL', 10));
    state.sample(1000);
    state.onTick(tick('AAPL', 11));
    state.sample(2000);
    expect(state.takeUpdate(2000, server).points).toEqual({
      AAPL: [
        [1000, 10],
        [2000, 11],
      ],
    });
    expect(state.takeUpdate(2100, server).points).toEqual({});
    state.sample(12_500);
    expect(state.snapshot(12_500, server).charts).toEqual({ AAPL: [[12_500, 11]] });
  });

  it('pairs each fill with its order, whichever arrives first', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]' });
    state.onOrder(order(1));
    state.onFill(fill(1));
    state.onFill(fill(2)); // before its order
    state.onOrder(order(2));
    const { orders } = state.snapshot(0, server);
    expect(orders.map((row) => [row.orderId, row.fill?.price])).toEqual([
      [2, 10.01],
      [1, 10.01],
    ]);
    expect(orders[0]?.decisionLatency).toBe(2_000);
  });

  it('tells orders of a restarted algorithm apart (same order id, another source)', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]' });
    state.onOrder(order(1, 5));
    state.onOrder(order(1, 6));
    state.onOrder(order(1, 6)); // a duplicate is ignored
    state.onFill(fill(1, 6));
    const { orders } = state.snapshot(0, server);
    expect(orders).toHaveLength(2);
    expect(orders.map((row) => row.fill === null)).toEqual([false, true]);
  });

  it('sends new and changed orders once, newest first, and keeps at most maxOrders', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]', maxOrders: 3 });
    for (const id of [1, 2, 3, 4]) state.onOrder(order(id));
    expect(state.takeUpdate(0, server).orders.map((row) => row.orderId)).toEqual([4, 3, 2]);
    state.onFill(fill(3));
    expect(state.takeUpdate(0, server).orders.map((row) => [row.orderId, row.fill !== null])).toEqual([[3, true]]);
    expect(state.takeUpdate(0, server).orders).toEqual([]);
  });

  it('shows the algorithm while its statistics keep coming, with its P&L history and namespace', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]', algoTimeoutMs: 1000 });
    expect(state.snapshot(0, server).algo).toBeNull();
    state.onStats(stats(5), 1000);
    state.onStats(stats(7, 'net:[2]'), 1500);
    expect(state.snapshot(2000, server)).toMatchObject({
      algo: { online: true, total: 7, sameNetNamespace: false, pid: 77 },
      pnlHistory: [
        [1000, 5],
        [1500, 7],
      ],
    });
    expect(state.takeUpdate(2000, server).pnlPoints).toEqual([
      [1000, 5],
      [1500, 7],
    ]);
    expect(state.algoStats(2000)).toBeDefined();
    expect(state.snapshot(2600, server).algo?.online).toBe(false);
    expect(state.algoStats(2600)).toBeUndefined();
  });

  it('carries the stream table it is given', () => {
    const state = new DashboardState({ netNamespace: 'net:[1]' });
    const row = { id: 'stats', topic: 'algo.stats', transports: ['shm'] } as unknown as StreamRow;
    state.setStreams([row]);
    expect(state.takeUpdate(0, server).streams).toEqual([row]);
  });
});
