import { readFileSync } from 'node:fs';

/**
 * The start time of process `pid` in clock ticks since boot (field 22 of `/proc/<pid>/stat`),
 * or `undefined` when the process does not exist (or this is not Linux). A pid together with
 * its start time names one process for the lifetime of the system: a recycled pid has a
 * different start time.
 *
 * @example
 * ```ts
 * const alive = processStartTime(pid) === recordedStartTime;
 * ```
 */
export function processStartTime(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 is at index 0, so field 22 is at index 19.
  const value = Number(fields[19]);
  return Number.isSafeInteger(value) ? value : undefined;
}

let ownStartTime: number | undefined;

/** This process's start time (see {@link processStartTime}); 0 where `/proc` is unavailable. */
export function ownProcessStartTime(): number {
  ownStartTime ??= processStartTime(process.pid) ?? 0;
  return ownStartTime;
}
