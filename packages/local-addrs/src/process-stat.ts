import { readFileSync } from 'node:fs';

/**
 * The fields of `/proc/<pid>/stat` that liveness needs.
 *
 * @example
 * ```ts
 * const stat = parseProcessStat('4242 (node) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 11 0 98868 …');
 * // { state: 'S', startTime: 98868 }
 * ```
 */
export interface ProcessStat {
  /** One letter: R, S, D, Z (zombie), X (dead), T, t, I, ... */
  readonly state: string;
  /** Field 22: when the process started, in clock ticks since boot. */
  readonly startTime: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`; `undefined` when it is not one. The command name
 * (field 2) is in parentheses and may itself contain spaces and parentheses, so fields are
 * counted from the last `)`.
 *
 * @example
 * ```ts
 * parseProcessStat(readFileSync('/proc/self/stat', 'latin1'))?.startTime;
 * ```
 */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const end = text.lastIndexOf(')');
  if (end === -1) return undefined;
  // After ") " come field 3 (state), 4, 5, ...; field 22 is the 20th of them.
  const fields = text.slice(end + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || !/^[A-Za-z]$/.test(state)) return undefined;
  if (startTime === undefined || !/^\d{1,16}$/.test(startTime)) return undefined;
  const ticks = Number(startTime);
  return Number.isSafeInteger(ticks) ? { state, startTime: ticks } : undefined;
}

/** What reading `/proc/<pid>/stat` found. */
export type ProcessStatReading =
  { readonly found: true; readonly stat: ProcessStat } | { readonly found: false; readonly reason: 'no-such-process' | 'unreadable' };

/**
 * Reads and parses `/proc/<pid>/stat` of this PID namespace.
 *
 * @example
 * ```ts
 * const reading = readProcessStat(4242);
 * if (!reading.found && reading.reason === 'no-such-process') console.log('gone');
 * ```
 */
export function readProcessStat(pid: number): ProcessStatReading {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { found: false, reason: code === 'ENOENT' || code === 'ESRCH' ? 'no-such-process' : 'unreadable' };
  }
  const stat = parseProcessStat(text);
  return stat === undefined ? { found: false, reason: 'unreadable' } : { found: true, stat };
}
