// The dashboard page: keeps a WebSocket to the dashboard process (reconnecting when it goes
// away), applies the snapshot and the updates it sends, and renders at most once a frame.
import type {
  DashboardView,
  LatencyView,
  OrderRow,
  PricePoint,
  ServerMessage,
  StreamRow,
  TransportLabel,
} from '../src/dashboard-protocol.js';
import { LineChart, pnlChartOptions, priceChartOptions } from './chart.js';
import type { ChartMarker } from './chart.js';
import * as format from './format.js';

const MAX_ORDERS = 100;
const ORDER_ROWS = 12;
const STALE_AFTER_MS = 4000;
// Charts are the costly part of a frame; the points come every 250 ms anyway.
const CHART_INTERVAL_MS = 250;

interface PageState {
  windowSeconds: number;
  readonly charts: Map<string, PricePoint[]>;
  pnl: PricePoint[];
  orders: OrderRow[];
  ordersVersion: number;
  view: DashboardView | undefined;
  lastMessageAt: number;
  connected: boolean;
}

const state: PageState = {
  windowSeconds: 120,
  charts: new Map(),
  pnl: [],
  orders: [],
  ordersVersion: 0,
  view: undefined,
  lastMessageAt: 0,
  connected: false,
};

// ---- connection --------------------------------------------------------------------------

let socket: WebSocket | undefined;
let retryMs = 500;

function connect(): void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const current = new WebSocket(url);
  socket = current;
  current.addEventListener('open', () => {
    retryMs = 500;
    state.connected = true;
    state.lastMessageAt = Date.now();
    scheduleRender();
  });
  current.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(event.data) as ServerMessage;
    } catch {
      return;
    }
    state.lastMessageAt = Date.now();
    apply(message);
    scheduleRender();
  });
  current.addEventListener('close', () => {
    if (socket !== current) return;
    state.connected = false;
    scheduleRender();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  });
}

// A connection that went quiet (the dashboard process froze or the network dropped) is
// replaced by a new one.
setInterval(() => {
  if (socket?.readyState === WebSocket.OPEN && Date.now() - state.lastMessageAt > STALE_AFTER_MS) socket.close();
  scheduleRender();
}, 1000);

function apply(message: ServerMessage): void {
  if (message.type === 'pong') return;
  const windowMs = state.windowSeconds * 1000;
  if (message.type === 'snapshot') {
    state.windowSeconds = message.windowSeconds;
    state.charts.clear();
    for (const [symbol, points] of Object.entries(message.charts)) state.charts.set(symbol, [...points]);
    state.pnl = [...message.pnlHistory];
    state.orders = [...message.orders];
  } else {
    for (const [symbol, points] of Object.entries(message.points)) {
      const chart = state.charts.get(symbol) ?? [];
      chart.push(...points);
      trim(chart, message.time - windowMs);
      state.charts.set(symbol, chart);
    }
    state.pnl.push(...message.pnlPoints);
    trim(state.pnl, message.time - windowMs);
    if (message.orders.length > 0) {
      const fresh: OrderRow[] = [];
      for (const row of message.orders) {
        const index = state.orders.findIndex((existing) => existing.key === row.key);
        if (index >= 0) state.orders[index] = row;
        else fresh.push(row);
      }
      state.orders = [...fresh, ...state.orders].slice(0, MAX_ORDERS);
    }
  }
  if (message.orders.length > 0 || message.type === 'snapshot') state.ordersVersion++;
  state.view = message;
}

function trim(points: PricePoint[], oldest: number): void {
  const drop = points.findIndex(([time]) => time >= oldest);
  if (drop > 0) points.splice(0, drop);
  else if (drop === -1) points.length = 0;
}

// ---- rendering ---------------------------------------------------------------------------

let renderPending = false;
let chartsDrawnAt = Number.NEGATIVE_INFINITY;

function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

function setText(target: Element, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}

function setClass(target: Element, name: string, on: boolean): void {
  target.classList.toggle(name, on);
}

function signClass(target: Element, value: number): void {
  setClass(target, 'up', value > 0.004);
  setClass(target, 'down', value < -0.004);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function render(): void {
  const view = state.view;
  const live = state.connected && Date.now() - state.lastMessageAt < STALE_AFTER_MS;
  const pill = element('connection');
  setText(pill, live ? 'live' : state.connected ? 'stalled' : 'reconnecting');
  setClass(pill, 'pill-live', live);
  setClass(pill, 'pill-wait', !live);
  if (view === undefined) return;
  setText(element('clock'), format.timeOfDay(view.time, false));
  const streams = new Map(view.streams.map((stream) => [stream.id, stream]));
  renderKpis(view, streams);
  renderFlow(view, streams);
  renderStreams(view.streams);
  renderQuotes(view);
  renderOrders();
  if (performance.now() - chartsDrawnAt >= CHART_INTERVAL_MS) {
    chartsDrawnAt = performance.now();
    renderCharts(view);
    renderPnl(view);
  }
}

function renderKpis(view: DashboardView, streams: ReadonlyMap<string, StreamRow>): void {
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

function transportOf(transports: readonly TransportLabel[]): string {
  return transports.length === 0 ? '' : transports.join('+');
}

function setTransport(badge: Element, transports: readonly TransportLabel[]): void {
  const label = transportOf(transports);
  setText(badge, label === '' ? '—' : label);
  setClass(badge, 'shm', label === 'shm');
  setClass(badge, 'tcp', label === 'tcp');
  setClass(badge, 'both', transports.length > 1);
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

function renderFlow(view: DashboardView, streams: ReadonlyMap<string, StreamRow>): void {
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

const streamRows = new Map<string, HTMLTableRowElement>();

function renderStreams(streams: readonly StreamRow[]): void {
  const body = element('streams').querySelector('tbody');
  if (body === null) return;
  for (const stream of streams) {
    let row = streamRows.get(stream.id);
    if (row === undefined) {
      row = document.createElement('tr');
      row.dataset['stream'] = stream.id;
      row.innerHTML =
        `<td><span class="state-dot"></span><span class="topic"></span></td><td class="route muted"></td>` +
        `<td><span class="badge transport"></span></td><td class="num rate"></td><td class="num p50"></td>` +
        `<td class="num p99"></td><td class="num max"></td><td class="num lost"></td>`;
      body.append(row);
      streamRows.set(stream.id, row);
    }
    const cell = (name: string): Element => row.querySelector(`.${name}`) ?? row;
    const dot = cell('state-dot');
    setClass(dot, 'live', stream.state === 'live');
    setClass(dot, 'idle', stream.state === 'idle');
    setText(cell('topic'), stream.topic);
    setText(cell('route'), `${stream.from} → ${stream.to}`);
    setTransport(cell('transport'), stream.transports);
    row.title =
      `${stream.reason} · ${format.integer(stream.total)} received` +
      (stream.latency === null ? '' : ` · p90 ${format.latency(stream.latency.p90)} · p99.9 ${format.latency(stream.latency.p999)}`);
    setText(cell('rate'), stream.state === 'down' ? '—' : format.rate(stream.rate));
    const latency = stream.latency;
    for (const key of ['p50', 'p99', 'max'] as const) setText(cell(key), latency === null ? '—' : format.latency(latency[key]));
    setText(cell('lost'), format.integer(stream.lost));
  }
}

const quoteRows = new Map<string, { readonly row: HTMLTableRowElement; last: number }>();

function renderQuotes(view: DashboardView): void {
  const body = element('quotes').querySelector('tbody');
  if (body === null) return;
  const positions = new Map((view.algo?.positions ?? []).map((position) => [position.symbol, position.position]));
  for (const quote of view.quotes) {
    let entry = quoteRows.get(quote.symbol);
    if (entry === undefined) {
      const row = document.createElement('tr');
      row.dataset['symbol'] = quote.symbol;
      row.innerHTML =
        `<td class="symbol">${escapeHtml(quote.symbol)}</td><td class="num bid"></td><td class="num ask"></td><td class="num last"></td>` +
        `<td class="num percent"></td><td class="num high"></td><td class="num low"></td><td class="num volume"></td><td class="num position"></td>`;
      body.append(row);
      entry = { row, last: quote.last };
      quoteRows.set(quote.symbol, entry);
    }
    const { row } = entry;
    const cell = (name: string): Element => row.querySelector(`.${name}`) ?? row;
    setText(cell('bid'), format.price(quote.bid));
    setText(cell('ask'), format.price(quote.ask));
    const last = cell('last');
    setText(last, format.price(quote.last));
    if (quote.last !== entry.last) {
      const color = quote.last > entry.last ? 'rgba(34, 197, 94, 0.22)' : 'rgba(240, 72, 72, 0.22)';
      last.animate([{ backgroundColor: color }, { backgroundColor: 'transparent' }], { duration: 350 });
      entry.last = quote.last;
    }
    signClass(last, quote.direction);
    const difference = quote.last - quote.open;
    setText(cell('percent'), format.percent((difference / quote.open) * 100));
    signClass(cell('percent'), difference);
    setText(cell('high'), format.price(quote.high));
    setText(cell('low'), format.price(quote.low));
    setText(cell('volume'), format.integer(quote.volume));
    const position = positions.get(quote.symbol) ?? 0;
    setText(cell('position'), position === 0 ? '—' : format.integer(position));
    signClass(cell('position'), position);
  }
  const total = view.quotes.reduce((sum, quote) => sum + quote.ticks, 0);
  setText(element('quotes-hint'), `${view.quotes.length} symbols · ${format.integer(total)} ticks received`);
}

const charts = new Map<string, { readonly chart: LineChart; readonly price: Element; readonly change: Element }>();

function renderCharts(view: DashboardView): void {
  const grid = element('charts');
  const windowMs = state.windowSeconds * 1000;
  const markers = new Map<string, ChartMarker[]>();
  for (const order of state.orders) {
    if (order.fill === null) continue;
    const list = markers.get(order.symbol) ?? [];
    list.push({ time: order.timestamp, value: order.fill.price, side: order.side });
    markers.set(order.symbol, list);
  }
  for (const quote of view.quotes) {
    let entry = charts.get(quote.symbol);
    if (entry === undefined) {
      const tile = document.createElement('div');
      tile.className = 'chart-tile';
      tile.dataset['chart'] = quote.symbol;
      tile.innerHTML = `<div class="chart-head"><span class="symbol">${escapeHtml(quote.symbol)}</span><span class="change"></span><span class="price"></span></div>`;
      const chart = new LineChart(priceChartOptions(`chart-${charts.size}`));
      tile.append(chart.element);
      grid.append(tile);
      entry = { chart, price: tile.querySelector('.price') ?? tile, change: tile.querySelector('.change') ?? tile };
      charts.set(quote.symbol, entry);
    }
    const points = [...(state.charts.get(quote.symbol) ?? []), [view.time, quote.last] as const];
    entry.chart.draw(points, view.time, windowMs, markers.get(quote.symbol));
    setText(entry.price, format.price(quote.last));
    const difference = ((quote.last - quote.open) / quote.open) * 100;
    setText(entry.change, format.percent(difference));
    signClass(entry.change, difference);
  }
  setText(element('charts-window'), `last ${format.duration(state.windowSeconds)}`);
}

let renderedOrdersVersion = -1;

function renderOrders(): void {
  if (renderedOrdersVersion === state.ordersVersion) return;
  renderedOrdersVersion = state.ordersVersion;
  const body = element('orders').querySelector('tbody');
  if (body === null) return;
  if (state.orders.length === 0) {
    body.innerHTML = `<tr><td class="empty" colspan="8">No orders yet: the algorithm trades after its warm-up, on a moving-average crossover.</td></tr>`;
    return;
  }
  body.innerHTML = state.orders
    .slice(0, ORDER_ROWS)
    .map((order) => {
      const status = order.status === 'rejected' ? 'rejected' : order.fill === null ? 'accepted' : 'filled';
      const limit = order.limit === 'none' ? '' : ` · ${order.limit === 'gross' ? 'gross limit' : 'position limit'}`;
      const signal = `${order.signal === 'golden-cross' ? 'golden cross' : 'death cross'}${limit}`;
      const price = order.fill === null ? order.price : order.fill.price;
      return (
        `<tr data-order="${escapeHtml(order.key)}"><td class="num">${format.timeOfDay(order.timestamp)}</td>` +
        `<td><span class="side ${order.side}">${order.side.toUpperCase()}</span></td>` +
        `<td class="symbol">${escapeHtml(order.symbol)}</td><td class="num">${format.integer(order.quantity)}</td>` +
        `<td class="num">${format.price(price)}</td><td><span class="status-badge ${status}">${status}</span></td>` +
        `<td class="muted">${signal}</td><td class="num">${format.latency(order.decisionLatency)}</td></tr>`
      );
    })
    .join('');
  setText(element('orders-hint'), `${format.integer(state.orders.length)} recent`);
}

let pnlChart: LineChart | undefined;
let renderedPositions = '';

function renderPnl(view: DashboardView): void {
  const algo = view.algo;
  const total = element('pnl-total');
  setText(total, algo === null ? '—' : format.money(algo.total));
  signClass(total, algo?.total ?? 0);
  const realized = element('pnl-realized');
  setText(realized, algo === null ? '—' : format.money(algo.realized));
  signClass(realized, algo?.realized ?? 0);
  const unrealized = element('pnl-unrealized');
  setText(unrealized, algo === null ? '—' : format.money(algo.unrealized));
  signClass(unrealized, algo?.unrealized ?? 0);
  setText(
    element('pnl-hint'),
    algo === null ? '' : `algorithm pid ${algo.pid} · EMA ${algo.fastMs / 1000}s / ${algo.slowMs / 1000}s crossover`,
  );
  if (pnlChart === undefined) {
    pnlChart = new LineChart(pnlChartOptions('pnl'));
    element('pnl-chart').append(pnlChart.element);
  }
  pnlChart.draw(state.pnl, view.time, state.windowSeconds * 1000);
  const gross = algo?.grossNotional ?? 0;
  const limit = algo?.maxGrossNotional ?? 0;
  setText(element('exposure-text'), algo === null ? '—' : `${format.dollars(gross)} of ${format.dollars(limit)}`);
  const fill = element('exposure-fill');
  const fraction = limit > 0 ? Math.min(gross / limit, 1) : 0;
  fill.style.width = `${(fraction * 100).toFixed(1)}%`;
  setClass(fill, 'full', fraction > 0.9);
  const body = element('positions').querySelector('tbody');
  if (body === null) return;
  const rows = (algo?.positions ?? []).map(
    (position) =>
      `<tr><td class="symbol">${escapeHtml(position.symbol)}</td>` +
      `<td class="num ${position.position > 0 ? 'up' : position.position < 0 ? 'down' : 'muted'}">${position.position === 0 ? 'flat' : format.integer(position.position)}</td>` +
      `<td class="num">${position.position === 0 ? '—' : format.price(position.averagePrice)}</td><td class="num">${format.price(position.mark)}</td>` +
      `<td class="num ${position.unrealized > 0.004 ? 'up' : position.unrealized < -0.004 ? 'down' : ''}">${position.position === 0 ? '—' : format.money(position.unrealized)}</td></tr>`,
  );
  const html = rows.length === 0 ? `<tr><td class="empty" colspan="5">No positions yet</td></tr>` : rows.join('');
  if (html !== renderedPositions) {
    renderedPositions = html;
    body.innerHTML = html;
  }
}

connect();
