import { describe, expect, it } from 'vitest';
import type { AlgoStats } from './algo-stats.js';
import { algoTicksRow, subscriptionRow } from './stream-rows.js';
import type { StreamWindow } from './stream-monitor.js';

const identity = { id: 'orders', topic: 'algo.orders', from: 'algo', to: 'dashboard' } as const;
const window: StreamWindow = { rate: 3, active: true, latency: null, transports: ['shm'], total: 9, fromHistory: 2, lost: 0, malformed: 0 };
const route = { topic: 'algo.orders', publisherId: 'p-1', transport: 'tcp', reason: 'another namespace' } as const;

describe('stream rows', () => {
  it('shows the transports that carried messages, else those of the routes', () => {
    expect(subscriptionRow(identity, window, [route])).toMatchObject({
      transports: ['shm'],
      state: 'live',
      publishers: 1,
      topics: 1,
      fromHistory: 2,
      reason: 'tcp: another namespace',
    });
    const quiet = { ...window, active: false, transports: [] };
    expect(subscriptionRow(identity, quiet, [route])).toMatchObject({ transports: ['tcp'], state: 'idle' });
    expect(subscriptionRow(identity, quiet, [])).toMatchObject({ transports: [], state: 'down', publishers: 0, topics: 0 });
  });

  it("gathers a pattern's routes in one row: publishers, topics and each reason once", () => {
    const ticks = { id: 'ticks-to-dashboard', topic: 'md.>', from: 'feed', to: 'dashboard' } as const;
    const routes = [
      { topic: 'md.AAPL', publisherId: 'a-1', transport: 'shm', reason: 'same host' },
      { topic: 'md.MSFT', publisherId: 'a-2', transport: 'shm', reason: 'same host' },
      // A second feed of AAPL, on another host.
      { topic: 'md.AAPL', publisherId: 'b-1', transport: 'tcp', reason: 'another host' },
    ] as const;
    const quiet = { ...window, active: false, transports: [] };
    expect(subscriptionRow(ticks, quiet, routes)).toMatchObject({
      topic: 'md.>',
      publishers: 3,
      topics: 2,
      transports: ['shm', 'tcp'],
      reason: 'shm: same host; tcp: another host',
    });
  });

  it('describes feed to algorithm from the statistics, or as down without them', () => {
    expect(algoTicksRow(undefined)).toMatchObject({ id: 'ticks-to-algo', state: 'down', transports: [], topics: 0, fromHistory: 0 });
    const stats = {
      pid: 9,
      ticks: {
        total: 10,
        rate: 100,
        active: true,
        lost: 2,
        malformed: 0,
        transports: ['tcp'],
        publishers: 8,
        topics: 8,
        fromHistory: 8,
        latency: null,
      },
    } as unknown as AlgoStats;
    expect(algoTicksRow(stats)).toMatchObject({
      topic: 'md.>',
      transports: ['tcp'],
      rate: 100,
      lost: 2,
      publishers: 8,
      topics: 8,
      fromHistory: 8,
      state: 'live',
      from: 'feed',
      to: 'algo',
    });
  });
});
