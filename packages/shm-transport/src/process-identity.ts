import { readFileSync, readlinkSync } from 'node:fs';

/**
 * The start time of process `pid` in clock ticks since boot (field 22 of `/proc/<pid>/stat`),
 * or `undefined` when the process does not exist (or this is not Linux). A pid together with
 * its start time names one process for the lifetime of the system: a recycled pid has a
 * different start time.
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

/**
 * The PID namespace of process `pid` as the inode number of `/proc/<pid>/ns/pid` (0 when it
 * cannot be read). Pids can only be compared within one PID namespace.
 */
export function pidNamespaceOf(pid: number | 'self'): number {
  try {
    const match = /\[(\d+)\]/.exec(readlinkSync(`/proc/${String(pid)}/ns/pid`));
    const value = Number(match?.[1]);
    return Number.isSafeInteger(value) && value > 0 && value < 2 ** 32 ? value : 0;
  } catch {
    return 0;
  }
}

/** Who a process is: pid, start time and PID namespace. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: number;
  readonly pidNamespace: number;
}

let own: ProcessIdentity | undefined;

/** This process's identity (start time 0 and namespace 0 where `/proc` is unavailable). */
export function ownProcessIdentity(): ProcessIdentity {
  own ??= { pid: process.pid, startTime: processStartTime(process.pid) ?? 0, pidNamespace: pidNamespaceOf('self') };
  return own;
}

/**
 * Whether the process recorded as `identity` is provably gone: it shares our PID namespace
 * (otherwise its pid means nothing here, and it is presumed alive) and no process with that
 * pid and start time exists.
 */
export function isProcessGone(identity: ProcessIdentity): boolean {
  const mine = ownProcessIdentity();
  if (identity.pidNamespace === 0 || identity.pidNamespace !== mine.pidNamespace) return false;
  if (!Number.isInteger(identity.pid) || identity.pid <= 0) return true;
  const startTime = processStartTime(identity.pid);
  return startTime === undefined || startTime !== identity.startTime;
}
