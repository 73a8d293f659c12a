import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Who owns a registry entry: enough to tell, later and from another process, whether that
 * process still runs. A pid alone is not enough (pids are recycled), so the process start time
 * (field 22 of `/proc/<pid>/stat`, in clock ticks since boot) is kept with it, and the boot id
 * and pid namespace say whether the pid can be looked up from here at all.
 */
export interface ProcessOwner {
  readonly pid: number;
  /** Decimal clock ticks since boot; `null` where `/proc` is unavailable. */
  readonly startTime: string | null;
  /** `/proc/sys/kernel/random/boot_id`; `null` where unavailable. */
  readonly bootId: string | null;
  /** The link text of `/proc/self/ns/pid`; `null` where unavailable. */
  readonly pidNamespace: string | null;
}

/** Whether a registry entry's owner runs: `'unknown'` when it cannot be checked from here. */
export type OwnerState = 'alive' | 'dead' | 'unknown';

/** The fields of `/proc/<pid>/stat` this package needs. */
export interface ProcessStat {
  /** One letter: R, S, D, Z (zombie), X (dead), T, t, I, ... */
  readonly state: string;
  /** Field 22, decimal clock ticks since boot. */
  readonly startTime: string;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may
 * itself contain spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcessStat(text: string): ProcessStat | undefined {
  const end = text.lastIndexOf(')');
  if (end === -1) return undefined;
  // After ") " come field 3 (state), 4, 5, ...; field 22 is the 20th of them.
  const fields = text.slice(end + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || !/^[A-Za-z]$/.test(state)) return undefined;
  if (startTime === undefined || !/^\d{1,20}$/.test(startTime)) return undefined;
  return { state, startTime };
}

let self: ProcessOwner | undefined;

/** This process as a {@link ProcessOwner} (read once, then cached). */
export function currentOwner(): ProcessOwner {
  // Compared with the pid: a forked copy of this module state must not claim its parent's identity.
  if (self?.pid === process.pid) return self;
  const stat = attempt(() => parseProcessStat(readFileSync('/proc/self/stat', 'utf8')));
  self = Object.freeze({
    pid: process.pid,
    startTime: stat?.startTime ?? null,
    bootId: nonEmpty(attempt(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())),
    pidNamespace: attempt(() => readlinkSync('/proc/self/ns/pid')) ?? null,
  });
  return self;
}

/**
 * Tells whether `owner` still runs, as seen from the process `observer` (by default this one).
 *
 * - Another boot: dead.
 * - Another pid namespace (a container sharing the directory): unknown, since its pids mean
 *   nothing here; only the entry's lease can retire it.
 * - With `/proc`: dead when `/proc/<pid>/stat` is missing, shows a zombie, or shows another
 *   start time (the pid was recycled).
 * - Without `/proc` (macOS, BSD): `kill(pid, 0)`; a recycled pid is then taken for the owner
 *   until the entry's lease runs out.
 */
export function ownerState(owner: ProcessOwner, observer: ProcessOwner = currentOwner()): OwnerState {
  if (owner.bootId !== null && observer.bootId !== null && owner.bootId !== observer.bootId) return 'dead';
  if (owner.pidNamespace !== observer.pidNamespace) return 'unknown';
  if (owner.pid === observer.pid && owner.startTime === observer.startTime) return 'alive';
  if (observer.startTime !== null) {
    let text: string;
    try {
      text = readFileSync(`/proc/${owner.pid}/stat`, 'utf8');
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'dead' : 'unknown';
    }
    const stat = parseProcessStat(text);
    if (stat === undefined) return 'unknown';
    if (stat.state === 'Z' || stat.state === 'X') return 'dead';
    if (owner.startTime !== null && stat.startTime !== owner.startTime) return 'dead';
    return 'alive';
  }
  try {
    process.kill(owner.pid, 0);
    return 'alive';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ESRCH' ? 'dead' : code === 'EPERM' ? 'alive' : 'unknown';
  }
}

function nonEmpty(text: string | undefined): string | null {
  return text === undefined || text === '' ? null : text;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
