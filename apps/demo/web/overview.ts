// The top of the dashboard page: the key figures in the header, and the diagram of the three
// processes with the streams between them.
import type { DashboardView, LatencyView, StreamRow } from '../src/dashboard-protocol.js';
import { element, setClass, setText, signClass } from './dom.js';
import * as format from './format.js';
import { setTransport, transportOf } from './transport-badge.js';

/** Renders the key figures: P&L, decision latency, tick rate, orders and exposure. */
export function renderKpis(view: DashboardView, streams: ReadonlyMap<string, StreamRow>): void {
  const algo = view.algo;
  const pnl = element('kpi-pnl');
  setText(pnl, algo === null ? '—' : format.money(algo.total));
  signClass(pnl, algo?.total ?? 0);
  setText(
    element('kpi-decision'),
    algo?.decision == null ? '—' : `${format.latency(algo.decision.p50)} · p99 ${format.latency(algo.decision.p99)}`,
  );
  const ticks = streams.get('ticks-to-dashboard');
  setText(element('kpi-rate'), ticks === undefined || ticks.state === 'down' ? '—' : `${format.rate(ticks.rate)} ticks/s`);
  setText(element('kpi-orders'), algo === null ? '—' : `${format.integer(algo.fills)} filled · ${format.integer(algo.rejected)} rejected`);
  setText(element('kpi-gross'), algo === null ? '—' : `${format.dollars(algo.grossNotional)} / ${format.dollars(algo.maxGrossNotional)}`);
}

function latencySummary(latency: LatencyView | null): string {
  return latency === null ? 'latency —' : `p50 ${format.latency(latency.p50)} · p99 ${format.latency(latency.p99)}`;
}

function renderLink(id: string, rows: readonly (StreamRow | undefined)[]): void {
  const present = rows.filter((row): row is StreamRow => row !== undefined);
  const transports = [...new Set(present.flatMap((row) => row.transports))].sort();
  const link = element(id);
  const live = present.some((row) => row.state === 'live');
  link.dataset['transport'] = live ? transportOf(transports) : '';
  const badge = link.querySelector('.transport');
  if (badge !== null) setTransport(badge, transports);
  const rate = present.reduce((sum, row) => sum + row.rate, 0);
  // The latency of the busiest stream that measured one.
  const measured = present.filter((row) => row.latency !== null).sort((a, b) => b.rate - a.rate)[0];
  const rateText = link.querySelector('.link-rate');
  if (rateText !== null) setText(rateText, present.length === 0 || !live ? 'no messages' : `${format.rate(rate)} msg/s`);
  const latencyText = link.querySelector('.link-latency');
  if (latencyText !== null) setText(latencyText, present.length === 0 || !live ? '' : latencySummary(measured?.latency ?? null));
}

/** Renders the processes (up or not, pid, uptime) and the links between them (transport, rate, latency). */
export function renderFlow(view: DashboardView, streams: ReadonlyMap<string, StreamRow>): void {
  const ticks = streams.get('ticks-to-dashboard');
  const feedUp = (ticks?.publishers ?? 0) > 0;
  setClass(element('node-feed'), 'down', !feedUp);
  setText(element('node-feed-meta'), feedUp ? `${view.quotes.length} symbols · ${format.rate(ticks?.rate ?? 0)}/s` : 'not running');
  const algo = view.algo;
  const algoUp = algo?.online === true;
  setClass(element('node-algo'), 'down', !algoUp);
  setText(
    element('node-algo-meta'),
    algo === null || !algoUp ? 'not running' : `pid ${algo.pid} · up ${format.duration((view.time - algo.startedAt) / 1000)}`,
  );
  const role = element('node-algo-role');
  const ownNamespace = algoUp && !algo.sameNetNamespace;
  setText(role, ownNamespace ? 'own network namespace' : 'EMA crossover');
  setClass(role, 'namespace', ownNamespace);
  setText(element('node-dashboard-meta'), `pid ${view.server.pid} · ${view.server.clients} page${view.server.clients === 1 ? '' : 's'}`);
  renderLink('link-ticks-to-algo', [streams.get('ticks-to-algo')]);
  renderLink('link-algo-to-dashboard', [streams.get('orders'), streams.get('fills'), streams.get('stats')]);
  renderLink('link-ticks-to-dashboard', [ticks]);
}
