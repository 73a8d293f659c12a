// Number and time formats of the dashboard page.

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A price with two decimals and thousands separators: `1,234.50`. */
export function price(value: number): string {
  return cents.format(value);
}

/** A whole number with thousands separators. */
export function integer(value: number): string {
  return grouped.format(Math.round(value));
}

/** A signed amount of money: `+$1,234.56`, `−$87.10`. */
export function money(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  const sign = rounded > 0 ? '+' : rounded < 0 ? '−' : '';
  return `${sign}$${cents.format(Math.abs(rounded))}`;
}

/** Money without cents, for large amounts: `$96,400`. */
export function dollars(value: number): string {
  return `$${grouped.format(value)}`;
}

/** A signed change with two decimals. */
export function change(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${cents.format(Math.abs(rounded))}`;
}

/** A signed percentage with two decimals. */
export function percent(value: number): string {
  return `${change(value)}%`;
}

/** A message rate: whole numbers from 100 up, one decimal below. */
export function rate(value: number): string {
  return value >= 100 ? grouped.format(value) : value.toFixed(1);
}

/** A latency given in nanoseconds, in the unit that reads best: `850 ns`, `12.4 µs`, `3.1 ms`. */
export function latency(nanoseconds: number): string {
  if (nanoseconds < 1_000) return `${Math.round(nanoseconds)} ns`;
  if (nanoseconds < 100_000) return `${(nanoseconds / 1_000).toFixed(1)} µs`;
  if (nanoseconds < 1_000_000) return `${Math.round(nanoseconds / 1_000)} µs`;
  if (nanoseconds < 1_000_000_000) return `${(nanoseconds / 1_000_000).toFixed(1)} ms`;
  return `${(nanoseconds / 1_000_000_000).toFixed(1)} s`;
}

/** Wall-clock time of day, `HH:MM:SS.mmm` (local time). */
export function timeOfDay(milliseconds: number, withMilliseconds = true): string {
  const date = new Date(milliseconds);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const base = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return withMilliseconds ? `${base}.${pad(date.getMilliseconds(), 3)}` : base;
}

/** A duration in seconds as `1h 02m`, `3m 05s` or `12s`. */
export function duration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}
