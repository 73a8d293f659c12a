// The latency chart: round-trip time by percentile (the usual HDR histogram plot), one panel
// per message size, one line per case, both axes logarithmic: x is 1 / (1 − percentile), so
// 90%, 99%, 99.9%... are evenly spaced, and y spans whole decades of microseconds.
import { formatSize } from '../format.js';
import type { BenchReport, RoundTripEntry } from '../results.js';
import { describePinning } from './markdown.js';

const PANEL_WIDTH = 380;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 58, right: 28, top: 30, bottom: 42 } as const;
const TITLE_HEIGHT = 46;
const LEGEND_ROW = 18;
const LEGEND_COLUMNS = 3;
const X_TICKS = [50, 90, 99, 99.9, 99.99, 99.999];
const X_MIN = tail(50);
const X_MAX = tail(99.999);

// One colour per case, in report order (colour-blind friendly, Okabe–Ito and extensions).
const PALETTE = ['#d55e00', '#e69f00', '#cc79a7', '#0072b2', '#56b4e9', '#009e73', '#66c2a5', '#6a3d9a', '#999999'];

function tail(percentile: number): number {
  return Math.log10(100 / (100 - percentile));
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function number(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

function decadeLabel(exponent: number): string {
  const microseconds = 10 ** exponent;
  if (microseconds >= 1000) return `${microseconds / 1000} ms`;
  return `${microseconds < 1 ? microseconds.toFixed(-exponent) : microseconds.toFixed(0)} µs`;
}

function percentLabel(percentile: number): string {
  return `${percentile}%`;
}

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly dashed: boolean;
  readonly points: readonly (readonly [number, number])[]; // [percentile, microseconds]
}

function panel(x0: number, y0: number, size: number, series: readonly Series[]): string[] {
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = series.flatMap((line) => line.points.map(([, microseconds]) => microseconds)).filter((value) => value > 0);
  let low = Math.floor(Math.log10(Math.min(...values)));
  let high = Math.ceil(Math.log10(Math.max(...values)));
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    low = 0;
    high = 1;
  }
  if (high <= low) high = low + 1;
  const left = x0 + MARGIN.left;
  const top = y0 + MARGIN.top;
  const xOf = (percentile: number): number => left + ((tail(percentile) - X_MIN) / (X_MAX - X_MIN)) * plotWidth;
  const yOf = (microseconds: number): number => top + plotHeight - ((Math.log10(microseconds) - low) / (high - low)) * plotHeight;
  const out: string[] = [
    `<text x="${number(left + plotWidth / 2)}" y="${number(y0 + 18)}" text-anchor="middle" font-weight="bold">${escapeXml(`${formatSize(size)} messages`)}</text>`,
    `<rect x="${number(left)}" y="${number(top)}" width="${number(plotWidth)}" height="${number(plotHeight)}" fill="none" stroke="#888"/>`,
  ];
  for (let exponent = low; exponent <= high; exponent++) {
    const y = yOf(10 ** exponent);
    out.push(
      `<line x1="${number(left)}" y1="${number(y)}" x2="${number(left + plotWidth)}" y2="${number(y)}" stroke="#ddd"/>`,
      `<text x="${number(left - 6)}" y="${number(y + 4)}" text-anchor="end">${escapeXml(decadeLabel(exponent))}</text>`,
    );
  }
  for (const percentile of X_TICKS) {
    const x = xOf(percentile);
    out.push(
      `<line x1="${number(x)}" y1="${number(top)}" x2="${number(x)}" y2="${number(top + plotHeight)}" stroke="#ddd"/>`,
      `<text x="${number(x)}" y="${number(top + plotHeight + 16)}" text-anchor="middle">${escapeXml(percentLabel(percentile))}</text>`,
    );
  }
  out.push(
    `<text x="${number(left + plotWidth / 2)}" y="${number(top + plotHeight + 34)}" text-anchor="middle" fill="#555">percentile</text>`,
  );
  for (const line of series) {
    const points = line.points.filter(([, microseconds]) => microseconds > 0);
    if (points.length === 0) continue;
    const coordinates = points.map(([percentile, microseconds]) => `${number(xOf(percentile))},${number(yOf(microseconds))}`).join(' ');
    const dash = line.dashed ? ' stroke-dasharray="6 3"' : '';
    out.push(
      `<polyline points="${coordinates}" fill="none" stroke="${line.colour}" stroke-width="2"${dash}><title>${escapeXml(line.name)}</title></polyline>`,
    );
  }
  return out;
}

/** The SVG document of the report's round-trip latency curves (medians of the runs). */
export function renderLatencyChart(report: BenchReport): string {
  const colours = new Map(report.cases.map((description, index) => [description.name, PALETTE[index % PALETTE.length] ?? '#000']));
  const title = (name: string): string => report.cases.find((description) => description.name === name)?.title ?? name;
  const sizes = report.settings.roundTripSizes.filter((size) => report.roundTrip.some((entry) => entry.size === size));
  const shown = report.cases.filter((description) => report.roundTrip.some((entry) => entry.case === description.name));
  const legendRows = Math.ceil(shown.length / LEGEND_COLUMNS);
  const width = Math.max(1, sizes.length) * PANEL_WIDTH;
  const height = TITLE_HEIGHT + PANEL_HEIGHT + 12 + legendRows * LEGEND_ROW + 10;
  const when = `${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">${escapeXml('Round-trip time by percentile (lower is better)')}</text>`,
    `<text x="12" y="37" fill="#555">${escapeXml(
      `${when}, ${report.machine.vCpus} vCPUs, ${describePinning(report.settings.cpus)}; medians of ${report.settings.runs} runs`,
    )}</text>`,
  ];
  sizes.forEach((size, index) => {
    const series: Series[] = report.roundTrip
      .filter((entry: RoundTripEntry) => entry.size === size)
      .map((entry) => ({
        name: title(entry.case),
        colour: colours.get(entry.case) ?? '#000',
        dashed: entry.case === report.baseline,
        points: entry.summary.curve.map(([percentile, nanoseconds]) => [percentile, nanoseconds / 1000] as const),
      }));
    out.push(...panel(index * PANEL_WIDTH, TITLE_HEIGHT, size, series));
  });
  const legendTop = TITLE_HEIGHT + PANEL_HEIGHT + 12;
  const columnWidth = width / LEGEND_COLUMNS;
  shown.forEach((description, index) => {
    const x = 12 + (index % LEGEND_COLUMNS) * columnWidth;
    const y = legendTop + Math.floor(index / LEGEND_COLUMNS) * LEGEND_ROW;
    const dash = description.name === report.baseline ? ' stroke-dasharray="6 3"' : '';
    out.push(
      `<line x1="${number(x)}" y1="${number(y)}" x2="${number(x + 24)}" y2="${number(y)}" stroke="${colours.get(description.name) ?? '#000'}" stroke-width="2"${dash}/>`,
      `<text x="${number(x + 30)}" y="${number(y + 4)}">${escapeXml(description.title)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
