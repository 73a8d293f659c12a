import type { Route } from '@seamless/seamless';
import type { AlgoStats } from './algo-stats.js';
import { isTransportLabel } from './dashboard-protocol.js';
import type { StreamEnd, StreamRow, TransportLabel } from './dashboard-protocol.js';
import type { StreamWindow } from './stream-monitor.js';
import { TOPICS } from './topics.js';

/** Which stream a row describes. */
export interface StreamIdentity {
  readonly id: StreamRow['id'];
  readonly topic: string;
  readonly from: StreamEnd;
  readonly to: StreamEnd;
}

/**
 * A row of the stream table for one of the dashboard's own streams: what its monitor measured
 * over the last window, and its routes — several for a pattern (`md.>`: a publisher per
 * symbol), counted as publishers and topics. The transports shown are those that carried the
 * window's messages (`message.transport`), or, when none came, those of the routes.
 *
 * @example
 * ```ts
 * const row = subscriptionRow(identity, monitor.takeWindow(performance.now()), subscriber.routes());
 * ```
 */
export function subscriptionRow(identity: StreamIdentity, window: StreamWindow, routes: readonly Route[]): StreamRow {
  const kinds = window.transports.length > 0 ? window.transports : [...new Set(routes.map((route) => route.transport))].sort();
  const transports: readonly TransportLabel[] = kinds.filter(isTransportLabel);
  return {
    ...identity,
    transports,
    reason: [...new Set(routes.map((route) => `${route.transport}: ${route.reason}`))].join('; '),
    publishers: routes.length,
    topics: new Set(routes.map((route) => route.topic)).size,
    rate: window.rate,
    latency: window.latency,
    total: window.total,
    fromHistory: window.fromHistory,
    lost: window.lost,
    malformed: window.malformed,
    state: window.active ? 'live' : routes.length > 0 ? 'idle' : 'down',
  };
}

/**
 * The row of the stream the dashboard cannot see itself, feed to algorithm, from the
 * algorithm's statistics (`undefined` while the algorithm is offline).
 *
 * @example
 * ```ts
 * const row = algoTicksRow(state.algoStats(Date.now()));
 * ```
 */
export function algoTicksRow(stats: AlgoStats | undefined): StreamRow {
  const identity = { id: 'ticks-to-algo', topic: TOPICS.ticks, from: 'feed', to: 'algo' } as const;
  if (stats === undefined) {
    return {
      ...identity,
      transports: [],
      reason: 'the algorithm is not running',
      publishers: 0,
      topics: 0,
      rate: 0,
      latency: null,
      total: 0,
      fromHistory: 0,
      lost: 0,
      malformed: 0,
      state: 'down',
    };
  }
  const { ticks } = stats;
  return {
    ...identity,
    transports: ticks.transports.filter(isTransportLabel),
    reason: `as the algorithm (pid ${stats.pid}) reports it`,
    publishers: ticks.publishers,
    topics: ticks.topics,
    rate: ticks.rate,
    latency: ticks.latency,
    total: ticks.total,
    fromHistory: ticks.fromHistory,
    lost: ticks.lost,
    malformed: ticks.malformed,
    state: ticks.active ? 'live' : ticks.publishers > 0 ? 'idle' : 'down',
  };
}
