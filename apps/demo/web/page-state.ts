// What the dashboard page knows: the latest view the dashboard process sent, the chart points
// and orders of the charting window, and the state of the connection.
import type { DashboardView, OrderRow, PricePoint, ServerMessage } from '../src/dashboard-protocol.js';

const MAX_ORDERS = 100;

/** A connection that sent nothing for this long is stalled. */
export const STALE_AFTER_MS = 4000;

/** The page's state, as the messages of the dashboard process leave it. */
export interface PageState {
  windowSeconds: number;
  readonly charts: Map<string, PricePoint[]>;
  pnl: PricePoint[];
  orders: OrderRow[];
  ordersVersion: number;
  view: DashboardView | undefined;
  lastMessageAt: number;
  connected: boolean;
}

/** The one state of the page. */
export const state: PageState = {
  windowSeconds: 120,
  charts: new Map(),
  pnl: [],
  orders: [],
  ordersVersion: 0,
  view: undefined,
  lastMessageAt: 0,
  connected: false,
};

/** Takes in a message from the dashboard process: a snapshot replaces everything, an update adds to it. */
export function applyMessage(message: ServerMessage): void {
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
