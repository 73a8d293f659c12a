import { statSync } from 'node:fs';
import { ownProcessIdentity } from './process-identity.js';
import type { ProcessIdentity } from './process-identity.js';
import { defaultPresenceDirectory, ownPresence, probePresence } from './process-presence.js';
import type { PresenceLocation } from './process-presence.js';
import { readProcessStat } from './process-stat.js';

/**
 * Whether a process runs: `'unknown'` when it cannot be told from here (then only a lease can
 * retire what it left).
 *
 * @example
 * ```ts
 * if (processLiveness(owner) === 'dead') removeEntry();
 * ```
 */
export type Liveness = 'alive' | 'dead' | 'unknown';

const devices = new Map<string, number>();

/**
 * The one liveness check of Seamless, used by every package. In order:
 *
 * 1. Recorded on another boot: dead.
 * 2. It has a presence pipe (see {@link establishPresence}): alive while the pipe has its
 *    holder, dead when it has none. This works from any PID namespace (containers). A missing
 *    pipe means dead when this process sees the directory the owner made it in (same device),
 *    since a presence disappears only at its owner's exit or after its death; otherwise this
 *    step says nothing.
 * 3. It is in this PID namespace: dead when `/proc/<pid>/stat` is missing, shows a zombie, or
 *    shows another start time (the pid was recycled); alive otherwise.
 * 4. Elsewhere (another PID namespace, without a presence we can see): unknown.
 *
 * On platforms without `/proc` (macOS, the BSDs) step 3 uses `kill(pid, 0)`.
 *
 * Every field of `identity` may come from untrusted memory; nonsense gives `'dead'` or
 * `'unknown'`, never an exception.
 *
 * @example
 * ```ts
 * processLiveness({ pid: 4242, startTime: 98868, pidNamespace: 4026531836, bootId: '', presence: '', presenceDevice: 0 });
 * ```
 */
export function processLiveness(
  identity: ProcessIdentity,
  location: Omit<PresenceLocation, 'uid'> & { readonly uid?: number } = {},
): Liveness {
  const own = ownProcessIdentity();
  if (identity.bootId !== '' && own.bootId !== '' && identity.bootId !== own.bootId) return 'dead';
  if (identity.presence !== '') {
    const probe = probePresence(identity.presence, location);
    if (probe !== 'absent') return probe;
    if (identity.presenceDevice !== 0 && identity.presenceDevice === deviceOf(location.directory ?? defaultPresenceDirectory())) {
      return 'dead';
    }
  }
  if (!Number.isSafeInteger(identity.pid) || identity.pid <= 0 || identity.pid > 0x7fffffff) return 'dead';
  if (process.platform !== 'linux') return signalLiveness(identity.pid);
  if (identity.pidNamespace === 0 || identity.pidNamespace !== own.pidNamespace) return 'unknown';
  if (identity.pid === own.pid && identity.startTime === own.startTime) return 'alive';
  const reading = readProcessStat(identity.pid);
  if (!reading.found) return reading.reason === 'no-such-process' ? 'dead' : 'unknown';
  if (reading.stat.state === 'Z' || reading.stat.state === 'X') return 'dead';
  if (identity.startTime !== 0 && reading.stat.startTime !== identity.startTime) return 'dead';
  return 'alive';
}

function deviceOf(directory: string): number {
  const presence = ownPresence();
  if (presence?.directory === directory) return presence.device;
  let device = devices.get(directory);
  if (device === undefined) {
    try {
      device = statSync(directory).dev;
    } catch {
      device = -1;
    }
    devices.set(directory, device);
  }
  return device;
}

function signalLiveness(pid: number): Liveness {
  try {
    process.kill(pid, 0);
    return 'alive';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ESRCH' ? 'dead' : code === 'EPERM' ? 'alive' : 'unknown';
  }
}
