import { readFileSync, readlinkSync } from 'node:fs';
import { ownPresence } from './process-presence.js';
import { readProcessStat } from './process-stat.js';

/**
 * Who a process is, as recorded by whoever needs to ask later, maybe from another process or
 * another PID namespace, whether it still runs (see {@link processLiveness}). Every field is a
 * plain value, so it can be stored in shared memory or a file; each is empty where unknown.
 *
 * @example
 * ```ts
 * const me: ProcessIdentity = ownProcessIdentity();
 * registry.write({ owner: me, ... });
 * ```
 */
export interface ProcessIdentity {
  /** The pid, in the process's own PID namespace. */
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks since boot): with the pid, one process for the system's lifetime. 0: unknown. */
  readonly startTime: number;
  /** The inode of `/proc/<pid>/ns/pid`: pids mean something only within one. 0: unknown. */
  readonly pidNamespace: number;
  /** `/proc/sys/kernel/random/boot_id`. '': unknown. */
  readonly bootId: string;
  /** The token of the process's presence pipe (see {@link establishPresence}). '': none. */
  readonly presence: string;
  /** The device of the directory holding that pipe. 0: unknown. */
  readonly presenceDevice: number;
}

interface StaticFacts {
  readonly pid: number;
  readonly startTime: number;
  readonly pidNamespace: number;
  readonly bootId: string;
}

let facts: StaticFacts | undefined;

/**
 * This process's identity: read from `/proc` once (empty fields where `/proc` is missing),
 * with the presence token once one is established.
 *
 * @example
 * ```ts
 * const { pid, startTime, pidNamespace, presence } = ownProcessIdentity();
 * ```
 */
export function ownProcessIdentity(): ProcessIdentity {
  // Compared with the pid: a forked copy of this module state must not claim its parent's identity.
  if (facts?.pid !== process.pid) {
    const stat = process.platform === 'linux' ? readProcessStat(process.pid) : undefined;
    facts = {
      pid: process.pid,
      startTime: stat?.found === true ? stat.stat.startTime : 0,
      pidNamespace: pidNamespaceOf('self'),
      bootId: attempt(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()) ?? '',
    };
  }
  const presence = ownPresence();
  return { ...facts, presence: presence?.token ?? '', presenceDevice: presence?.device ?? 0 };
}

/**
 * One string per process, for maps keyed by process: equal for two records of the same
 * process, different for any two processes.
 *
 * @example
 * ```ts
 * owners.set(processKey(entry.owner), entry.owner);
 * ```
 */
export function processKey(identity: ProcessIdentity): string {
  return `${identity.presence}/${identity.presenceDevice}/${identity.pid}/${identity.startTime}/${identity.pidNamespace}/${identity.bootId}`;
}

/**
 * Whether `identity` is this process: same pid, start time, PID namespace and boot (a pid
 * alone is not enough: two containers' first processes are both pid 1).
 *
 * @example
 * ```ts
 * if (isOwnProcess(entry.owner)) return 'ours';
 * ```
 */
export function isOwnProcess(identity: ProcessIdentity): boolean {
  const own = ownProcessIdentity();
  return (
    identity.pid === own.pid &&
    identity.startTime === own.startTime &&
    identity.pidNamespace === own.pidNamespace &&
    identity.bootId === own.bootId
  );
}

/**
 * The PID namespace of process `pid` (or this one) as the inode of `/proc/<pid>/ns/pid`; 0 when
 * it cannot be read (not Linux, no `/proc`, no permission).
 *
 * @example
 * ```ts
 * pidNamespaceOf('self'); // 4026531836
 * ```
 */
export function pidNamespaceOf(pid: number | 'self'): number {
  const link = attempt(() => readlinkSync(`/proc/${String(pid)}/ns/pid`));
  const value = Number(/\[(\d+)\]/.exec(link ?? '')?.[1]);
  return Number.isSafeInteger(value) && value > 0 && value < 2 ** 32 ? value : 0;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
