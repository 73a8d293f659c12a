// The orders table of the dashboard page: the most recent orders and their fills, newest first.
import { element, escapeHtml, setText } from './dom.js';
import * as format from './format.js';
import { state } from './page-state.js';

const ORDER_ROWS = 12;

let renderedOrdersVersion = -1;

/** Renders the orders table, only when the orders changed since it last did. */
export function renderOrders(): void {
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
