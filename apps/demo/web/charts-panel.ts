// The charts of the dashboard page: one price chart per symbol over the charting window, with
// the algorithm's fills marked on it.
import type { DashboardView } from '../src/dashboard-protocol.js';
import { LineChart, priceChartOptions } from './chart.js';
import type { ChartMarker } from './chart.js';
import { element, escapeHtml, setText, signClass } from './dom.js';
import * as format from './format.js';
import { state } from './page-state.js';

const charts = new Map<string, { readonly chart: LineChart; readonly price: Element; readonly change: Element }>();

/** Draws every symbol's chart, adding a tile for each symbol seen for the first time. */
export function renderCharts(view: DashboardView): void {
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
