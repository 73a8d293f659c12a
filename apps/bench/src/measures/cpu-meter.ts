import { readFileSync } from 'node:fs';

/** What a {@link CpuMeter} measured. */
export interface CpuReading {
  /** CPU time, user + system, nanoseconds; NaN if the meter never started. */
  readonly nanoseconds: number;
  /**
   * Read- and write-type system calls (read, write, readv, writev, recvmsg, sendmsg... as the
   * kernel counts them in /proc/self/io `syscr` + `syscw`); NaN where /proc is missing.
   */
  readonly ioCalls: number;
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
 * CPU time of this process (user + system, all its threads — libuv's, zeromq's I/O thread)
 * and its I/O system calls between `start()` and `stop()`. Both are idempotent: the first call
 * counts.
 */
export class CpuMeter {
  #started: { readonly cpu: NodeJS.CpuUsage; readonly ioCalls: number } | undefined;
  #reading: CpuReading | undefined;

  start(): void {
    if (this.#started !== undefined) return;
    const calls = ioCalls();
    this.#started = { cpu: process.cpuUsage(), ioCalls: calls };
  }

  /** Stops (once) and returns what was measured. */
  stop(): CpuReading {
    if (this.#reading === undefined) {
      const started = this.#started;
      if (started === undefined) return { nanoseconds: Number.NaN, ioCalls: Number.NaN };
      const used = process.cpuUsage(started.cpu);
      this.#reading = {
        nanoseconds: (used.user + used.system) * 1000,
        ioCalls: Math.max(0, ioCalls() - started.ioCalls - READING_COST),
      };
    }
    return this.#reading;
  }
}
