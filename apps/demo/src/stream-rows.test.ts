import { describe, expect, it } from 'vitest';
import type { AlgoStats } from './algo-stats.js';
import { algoTicksRow, subscriptionRow } from './stream-rows.js';
import type { StreamWindow } from './stream-monitor.js';

const identity = { id: 'orders', topic: 'algo.orders', from: 'algo', to: 'dashboard' } as const;
const window: StreamWindow = { rate: 3, active: true, latency: null, transports: ['shm'], total: 9, lost: 0, malformed: 0 };
const route = { publisherId: 'p-1', transport: 'tcp', reason: 'another namespace' } as const;

describe('stream rows', () => {
  it('shows the transports that carried messages, else those of the routes', () => {
    expect(subscriptionRow(identity, window, [route])).toMatchObject({
      transports: ['shm'],
      state: 'live',
      publishers: 1,
      reason: 'tcp: another namespace',
    });
    const quiet = { ...window, active: false, transports: [] };
    expect(subscriptionRow(identity, quiet, [route])).toMatchObject({ transports: ['tcp'], state: 'idle' });
    expect(subscriptionRow(identity, quiet, [])).toMatchObject({ transports: [], state: 'down', publishers: 0 });
  });

  it('describes feed to algorithm from the statistics, or as down without them', () => {
    expect(algoTicksRow(undefined)).toMatchObject({ id: 'ticks-to-algo', state: 'down', transports: [] });
    const stats = {
      pid: 9,
      ticks: { total: 10, rate: 100, active: true, lost: 2, malformed: 0, transports: ['tcp'], publishers: 1, latency: null },
    } as unknown as AlgoStats;
    expect(algoTicksRow(stats)).toMatchObject({ transports: ['tcp'], rate: 100, lost: 2, state: 'live', from: 'feed', to: 'algo' });
  });
});
