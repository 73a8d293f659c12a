// How figures are written in the report: a few significant digits and a unit that fits.

const kibi = 1024;

/** A message size: `64 B`, `1 KiB`, `64 KiB`. */
export function formatSize(bytes: number): string {
  if (bytes >= kibi && bytes % kibi === 0) return `${bytes / kibi} KiB`;
  return `${bytes} B`;
}

function digits(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A duration given in nanoseconds: below 1 µs in ns (`85 ns`), then in µs (`1.25 µs`), from 10 ms on in ms. */
export function formatNanoseconds(nanoseconds: number): string {
  if (!Number.isFinite(nanoseconds)) return '—';
  if (nanoseconds < 1000) return `${nanoseconds.toFixed(0)} ns`;
  if (nanoseconds < 1e7) return `${digits(nanoseconds / 1000)} µs`;
  return `${digits(nanoseconds / 1e6)} ms`;
}

/** A latency given in nanoseconds, always in µs (tables compare better in one unit). */
export function formatMicroseconds(nanoseconds: number): string {
  if (!Number.isFinite(nanoseconds)) return '—';
  return `${digits(nanoseconds / 1000)} µs`;
}

/** A rate with a metric prefix: `12.3 M`, `850 k`, `912`. */
function metric(value: number): string {
  if (value >= 1e9) return `${digits(value / 1e9)} G`;
  if (value >= 1e6) return `${digits(value / 1e6)} M`;
  if (value >= 1e3) return `${digits(value / 1e3)} k`;
  return `${digits(value)} `;
}

/** Messages per second: `1.23 M msg/s`. */
export function formatMessageRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  return `${metric(perSecond)}msg/s`;
}

/** Bytes per second with decimal prefixes: `3.21 GB/s`, `850 MB/s`. */
export function formatByteRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '—';
  return `${metric(perSecond)}B/s`;
}

/** A ratio against the baseline: `0.42×`, `3.1×`, `—` when there is none. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (value >= 100) return `${value.toFixed(0)}×`;
  if (value >= 10) return `${value.toFixed(1)}×`;
  return `${value.toFixed(2)}×`;
}

/** A figure followed by its ratio: `0.31 µs (0.02×)`; the baseline's own figures get no ratio. */
export function withRatio(figure: string, value: number | undefined, isBaseline: boolean): string {
  if (figure === '—') return figure;
  if (isBaseline) return `${figure} (1×)`;
  return `${figure} (${formatRatio(value)})`;
}
