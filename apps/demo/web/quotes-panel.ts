// The prices table of the dashboard page: bid, ask and last (flashing on a change), the day's
// change, high, low and volume, and the algorithm's position, per symbol.
import type { DashboardView } from '../src/dashboard-protocol.js';
import { element, escapeHtml, setText, signClass } from './dom.js';
import * as format from './format.js';

const quoteRows = new Map<string, { readonly row: HTMLTableRowElement; last: number }>();

/** Renders the prices table, adding a row for each symbol seen for the first time. */
export function renderQuotes(view: DashboardView): void {
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
    const percent = cell('percent');
    setText(percent, format.percent((difference / quote.open) * 100));
    // The change since the first price this dashboard got: with the last value cache, the one
    // published before it started.
    const since = `since ${format.timeOfDay(quote.openAt, false)} (${format.price(quote.open)})`;
    if (percent.getAttribute('title') !== since) percent.setAttribute('title', since);
    signClass(percent, difference);
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
