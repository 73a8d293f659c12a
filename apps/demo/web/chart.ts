import type { PricePoint } from '../src/dashboard-protocol.js';
import * as format from './format.js';

/** A trade drawn on a chart: a triangle up (buy) under the price or down (sell) above it. */
export interface ChartMarker {
  readonly time: number;
  readonly value: number;
  readonly side: 'buy' | 'sell';
}

/** How a {@link LineChart} looks. */
export interface LineChartOptions {
  /** Unique on the page (gradient ids are derived from it). */
  readonly id: string;
  /** `trend`: green when the line ends above where it starts; `sign`: green above zero. */
  readonly coloring: 'trend' | 'sign';
  /** Formats the axis labels. */
  readonly label: (value: number) => string;
  /** The smallest value range shown, so that a quiet line does not look wild. */
  readonly minimumRange: (lastValue: number) => number;
  /** Draw a line at zero (for P&L). */
  readonly zeroLine?: boolean;
}

const UP = '#22c55e';
const DOWN = '#f04848';
const RIGHT_GUTTER = 50;

/**
 * A hand-drawn SVG line chart (no library: the page works offline): the last `window`
 * milliseconds of a series, or the whole series while it is shorter, with a filled area, the
 * last value marked on the right, the range on the axis, and trade markers.
 */
export class LineChart {
  readonly element: SVGSVGElement;
  readonly #options: LineChartOptions;

  constructor(options: LineChartOptions) {
    this.#options = options;
    this.element = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.element.classList.add('chart');
  }

  draw(points: readonly PricePoint[], nowMs: number, windowMs: number, markers: readonly ChartMarker[] = []): void {
    const width = Math.max(this.element.clientWidth, 60);
    const height = Math.max(this.element.clientHeight, 40);
    this.element.setAttribute('viewBox', `0 0 ${width} ${height}`);
    const oldest = nowMs - windowMs;
    const visible = points.filter(([time]) => time >= oldest);
    const first = visible[0];
    const last = visible[visible.length - 1];
    if (first === undefined || last === undefined || visible.length < 2) {
      this.element.innerHTML = `<text class="axis-text" x="${width / 2}" y="${height / 2}" text-anchor="middle">waiting for data</text>`;
      return;
    }
    const shown = markers.filter((marker) => marker.time >= first[0] && marker.time <= last[0]);
    let low = Math.min(...visible.map(([, value]) => value), ...shown.map((marker) => marker.value));
    let high = Math.max(...visible.map(([, value]) => value), ...shown.map((marker) => marker.value));
    if (this.#options.zeroLine === true) {
      low = Math.min(low, 0);
      high = Math.max(high, 0);
    }
    const minimum = this.#options.minimumRange(last[1]);
    if (high - low < minimum) {
      const middle = (high + low) / 2;
      low = middle - minimum / 2;
      high = middle + minimum / 2;
    }
    const padding = (high - low) * 0.12;
    low -= padding;
    high += padding;
    const plotRight = width - RIGHT_GUTTER;
    const top = 4;
    const bottom = height - 4;
    const start = first[0];
    const span = Math.max(last[0] - start, 1);
    const x = (time: number): number => ((time - start) / span) * (plotRight - 2) + 1;
    const y = (value: number): number => bottom - ((value - low) / (high - low)) * (bottom - top);

    const rising = this.#options.coloring === 'sign' ? last[1] >= 0 : last[1] >= first[1];
    const color = rising ? UP : DOWN;
    const gradient = `fill-${this.#options.id}`;
    const line = visible.map(([time, value], index) => `${index === 0 ? 'M' : 'L'}${x(time).toFixed(1)},${y(value).toFixed(1)}`).join('');
    const area = `${line}L${x(last[0]).toFixed(1)},${bottom}L${x(start).toFixed(1)},${bottom}Z`;
    const grid = [0.25, 0.5, 0.75]
      .map((fraction) => {
        const level = top + (bottom - top) * fraction;
        return `<line class="grid-line" x1="0" x2="${plotRight}" y1="${level}" y2="${level}"/>`;
      })
      .join('');
    const zero =
      this.#options.zeroLine === true
        ? `<line x1="0" x2="${plotRight}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#3a4a62" stroke-width="1"/>`
        : '';
    const triangles = shown
      .map((marker) => {
        const mx = x(marker.time);
        const my = y(marker.value);
        return marker.side === 'buy'
          ? `<path class="marker-buy" d="M${mx},${my + 3}l5,8h-10z"/>`
          : `<path class="marker-sell" d="M${mx},${my - 3}l5,-8h-10z"/>`;
      })
      .join('');
    const lastY = y(last[1]);
    const tagY = Math.min(Math.max(lastY, top + 7), bottom - 7);
    // The range labels, except where the last-value tag would cover one.
    const highLabel =
      tagY - top > 18
        ? `<text class="axis-text" x="${width - 2}" y="${top + 8}" text-anchor="end">${this.#options.label(high - padding)}</text>`
        : '';
    const lowLabel =
      bottom - tagY > 18
        ? `<text class="axis-text" x="${width - 2}" y="${bottom - 1}" text-anchor="end">${this.#options.label(low + padding)}</text>`
        : '';
    this.element.innerHTML =
      `<defs><linearGradient id="${gradient}" x1="0" x2="0" y1="0" y2="1">` +
      `<stop offset="0" stop-color="${color}" stop-opacity="0.28"/><stop offset="1" stop-color="${color}" stop-opacity="0"/>` +
      `</linearGradient></defs>` +
      grid +
      zero +
      `<path d="${area}" fill="url(#${gradient})"/>` +
      `<path d="${line}" fill="none" stroke="${color}" stroke-width="1.6" stroke-linejoin="round"/>` +
      `<line class="last-line" x1="0" x2="${plotRight}" y1="${lastY.toFixed(1)}" y2="${lastY.toFixed(1)}" stroke="${color}"/>` +
      triangles +
      highLabel +
      lowLabel +
      `<rect x="${plotRight + 2}" y="${(tagY - 7).toFixed(1)}" width="${RIGHT_GUTTER - 3}" height="14" rx="3" fill="${color}"/>` +
      `<text x="${width - 3}" y="${(tagY + 3.5).toFixed(1)}" text-anchor="end" fill="#04120a" font-family="monospace" font-size="9.5" font-weight="700">` +
      `${this.#options.label(last[1])}</text>`;
  }
}

/** Options of a price chart: two decimals, at least a 0.1% range. */
export function priceChartOptions(id: string): LineChartOptions {
  return { id, coloring: 'trend', label: format.price, minimumRange: (value) => Math.max(value * 0.001, 0.05) };
}

/** Options of the P&L chart: whole dollars, green above zero. */
export function pnlChartOptions(id: string): LineChartOptions {
  return {
    id,
    coloring: 'sign',
    label: (value) => format.money(value).replace(/\.\d\d$/, ''),
    minimumRange: () => 50,
    zeroLine: true,
  };
}
