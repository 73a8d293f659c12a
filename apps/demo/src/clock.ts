// Time as the demo measures it. Latency is the difference of two readings of CLOCK_MONOTONIC,
// which every process of one kernel shares (network namespaces included), so a reading taken
// by the feed can be compared with one taken by the dashboard. Another host has another
// monotonic clock: each message carries its sender's clock domain (a hash of the kernel's boot
// id), and a receiver measures latency only for messages from its own domain.

/**
 * The monotonic clock in nanoseconds, as a number (exact up to 2^53 ns, about 104 days of
 * uptime; beyond that it rounds to a few nanoseconds, which is still far below what we measure).
 *
 * @example
 * ```ts
 * const start = monotonicNanoseconds();
 * work();
 * console.log(`${(monotonicNanoseconds() - start) / 1000} µs`);
 * ```
 */
export function monotonicNanoseconds(): number {
  return Number(process.hrtime.bigint());
}

/**
 * Wall-clock time in milliseconds since the epoch, with a sub-millisecond fraction (for
 * display: the "timestamp" of a tick or an order).
 *
 * @example
 * ```ts
 * new Date(wallClockMilliseconds()).toISOString();
 * ```
 */
export function wallClockMilliseconds(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The clock domain of a kernel: a 32-bit FNV-1a hash of its boot id. Two processes whose
 * monotonic readings can be compared have the same domain.
 *
 * @example
 * ```ts
 * const domain = clockDomainOf(bus.identity.bootId);
 * ```
 */
export function clockDomainOf(bootId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < bootId.length; index++) {
    hash ^= bootId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
