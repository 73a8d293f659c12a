import { PerformanceObserver } from 'node:perf_hooks';

/** Garbage-collection pauses of this process within a time window. */
export interface GcPauses {
  readonly count: number;
  /** Sum of the pauses, milliseconds. */
  readonly totalMs: number;
  /** The longest pause, milliseconds (0 without any). */
  readonly longestMs: number;
}

const pauses: { readonly start: number; readonly duration: number }[] = [];
const MAX_KEPT = 100_000;
let observer: PerformanceObserver | undefined;

/** Starts recording this process's GC pauses (perf_hooks `gc` entries). Idempotent. */
export function recordGcPauses(): void {
  if (observer !== undefined) return;
  observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (pauses.length >= MAX_KEPT) pauses.shift();
      pauses.push({ start: entry.startTime, duration: entry.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/**
 * The recorded pauses that started between `from` and `to` (performance.now() times). Entries
 * reach the observer on a later turn of the event loop: ask after the window has closed.
 */
export function gcPausesBetween(from: number, to: number): GcPauses {
  let count = 0;
  let totalMs = 0;
  let longestMs = 0;
  for (const pause of pauses) {
    if (pause.start < from || pause.start > to) continue;
    count++;
    totalMs += pause.duration;
    longestMs = Math.max(longestMs, pause.duration);
  }
  return { count, totalMs, longestMs };
}
