import { readFileSync } from 'node:fs';
import { gcPausesBetween } from './gc-pauses.js';
import type { GcPauses } from './gc-pauses.js';

/** What a {@link CpuMeter} measured. */
export interface CpuReading {
  /** CPU time, user + system, nanoseconds; NaN if the meter never started. */
  readonly nanoseconds: number;
  /**
   * Read- and write-type system calls (read, write, readv, writev, recvmsg, sendmsg... as the
   * kernel counts them in /proc/self/io `syscr` + `syscw`); NaN where /proc is missing.
   */
  readonly ioCalls: number;
  /** Garbage-collection pauses in the window (when the process records them, see gc-pauses.ts). */
  readonly gc: GcPauses;
}

// read + write system calls so far, from /proc/self/io.
function ioCalls(): number {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return field('syscr') + field('syscw');
  } catch {
    return Number.NaN;
  }
}

// Reading /proc/self/io costs an open, a read and a close: not counted.
const READING_COST = 3;

/**
 * CPU time of this process (user + system, all its threads — libuv's, zeromq's I/O thread),
 * its I/O system calls and its GC pauses between `start()` and `stop()`. Both are idempotent:
 * the first call counts.
 */
export class CpuMeter {
  #started: { readonly cpu: NodeJS.CpuUsage; readonly ioCalls: number; readonly at: number } | undefined;
  #stopped: { readonly nanoseconds: number; readonly ioCalls: number; readonly at: number } | undefined;

  start(): void {
    if (this.#started !== undefined) return;
    const calls = ioCalls();
    this.#started = { cpu: process.cpuUsage(), ioCalls: calls, at: performance.now() };
  }

  /**
   * Stops (once) and returns what was measured. GC pauses are looked up on every call: call
   * again on a later turn of the event loop to see them all.
   */
  stop(): CpuReading {
    const started = this.#started;
    if (started === undefined) return { nanoseconds: Number.NaN, ioCalls: Number.NaN, gc: { count: 0, totalMs: 0, longestMs: 0 } };
    if (this.#stopped === undefined) {
      const at = performance.now();
      const used = process.cpuUsage(started.cpu);
      this.#stopped = {
        nanoseconds: (used.user + used.system) * 1000,
        ioCalls: Math.max(0, ioCalls() - started.ioCalls - READING_COST),
        at,
      };
    }
    const { nanoseconds, ioCalls: calls, at } = this.#stopped;
    return { nanoseconds, ioCalls: calls, gc: gcPausesBetween(started.at, at) };
  }
}
