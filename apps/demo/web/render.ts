// Rendering the dashboard page: at most once an animation frame, the connection pill and
// every panel from the page state, the costly charts at most every CHART_INTERVAL_MS.
import { renderCharts } from './charts-panel.js';
import { element, setClass, setText } from './dom.js';
import * as format from './format.js';
import { renderOrders } from './orders-panel.js';
import { renderFlow, renderKpis } from './overview.js';
import { STALE_AFTER_MS, state } from './page-state.js';
import { renderPnl } from './pnl-panel.js';
import { renderQuotes } from './quotes-panel.js';
import { renderStreams } from './streams-panel.js';

// Charts are the costly part of a frame; the points come every 250 ms anyway.
const CHART_INTERVAL_MS = 250;

let renderPending = false;
let chartsDrawnAt = Number.NEGATIVE_INFINITY;

/** Renders the page in the next animation frame (once, however often it is called before). */
export function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
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
