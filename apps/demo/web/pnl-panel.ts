// The P&L panel of the dashboard page: total, realized and unrealized P&L, its chart, the gross
// exposure against its limit, and the algorithm's positions.
import type { DashboardView } from '../src/dashboard-protocol.js';
import { LineChart, pnlChartOptions } from './chart.js';
import { element, escapeHtml, setClass, setText, signClass } from './dom.js';
import * as format from './format.js';
import { state } from './page-state.js';

let pnlChart: LineChart | undefined;
let renderedPositions = '';

/** Renders the P&L panel. */
export function renderPnl(view: DashboardView): void {
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
