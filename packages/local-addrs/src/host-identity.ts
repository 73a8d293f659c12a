import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname as osHostname, platform as osPlatform, uptime as osUptime } from 'node:os';
import type { HostIdentity } from '@seamless/transport';
import { realTimers } from '@seamless/transport';

/** The system calls {@link hostIdentity} makes; inject them to test other platforms. */
export interface HostIdentitySources {
  readonly platform?: () => string;
  readonly hostname?: () => string;
  readonly readFile?: (path: string) => string;
  readonly readLink?: (path: string) => string;
  /** Seconds since boot, like `os.uptime()`. */
  readonly uptime?: () => number;
  /** Milliseconds since the epoch, like `Date.now()`. */
  readonly now?: () => number;
}

// Per process: an identity part that could not be read must never match another process's.
const unknownSuffix = randomUUID();

/**
 * Describes the host and the namespaces this process lives in.
 *
 * On Linux: `bootId` is `/proc/sys/kernel/random/boot_id`; `ipcNamespace` and `netNamespace`
 * are the link texts of `/proc/self/ns/ipc` and `/proc/self/ns/net` (for example
 * `ipc:[4026531839]`), which name the namespace uniquely while the system runs.
 *
 * Fallbacks, conservative on purpose (a mismatch only costs the shared-memory fast path,
 * which the segment nonce probe guards anyway):
 * - Linux without a readable `/proc` entry: that part becomes `unknown:<random per process>`,
 *   so it never matches another process.
 * - Other platforms (macOS, Windows, BSD): `bootId` is derived from the boot time
 *   (`Date.now() - os.uptime()`, rounded to 10 s) and the host name; there are no IPC or
 *   network namespaces, so both are `host`.
 *
 * @example
 * ```ts
 * import { hostIdentity } from '@seamless/local-addrs';
 *
 * const { bootId, ipcNamespace, netNamespace, hostname } = hostIdentity();
 * ```
 */
export function hostIdentity(sources: HostIdentitySources = {}): HostIdentity {
  const {
    platform = osPlatform,
    hostname = osHostname,
    readFile = (path: string) => readFileSync(path, 'utf8'),
    readLink = readlinkSync,
    uptime = osUptime,
    now = realTimers.dateNow,
  } = sources;
  const name = safely(hostname) ?? 'unknown-host';
  if (platform() !== 'linux') {
    const bootSeconds = Math.round((now() / 1000 - uptime()) / 10) * 10;
    return { bootId: `boot:${name}:${bootSeconds}`, ipcNamespace: 'host', netNamespace: 'host', hostname: name };
  }
  const bootId = safely(() => readFile('/proc/sys/kernel/random/boot_id').trim());
  const ipcNamespace = safely(() => readLink('/proc/self/ns/ipc'));
  const netNamespace = safely(() => readLink('/proc/self/ns/net'));
  return {
    bootId: nonEmpty(bootId) ?? `unknown:${unknownSuffix}`,
    ipcNamespace: nonEmpty(ipcNamespace) ?? `unknown:${unknownSuffix}`,
    netNamespace: nonEmpty(netNamespace) ?? `unknown:${unknownSuffix}`,
    hostname: name,
  };
}

/**
 * Whether two identities run on the same kernel (boot id), the precondition for attaching to
 * each other's shared memory. The IPC namespace does not decide: POSIX shared memory lives in
 * the /dev/shm mount, which containers of other IPC namespaces often share (`--ipc=host`, a
 * /dev/shm volume); whether a given segment is really reachable only opening it can tell (the
 * facade's segment probe).
 *
 * @example
 * ```ts
 * if (canShareMemory(hostIdentity(), advertisement.host)) tryShm();
 * ```
 */
export function canShareMemory(a: HostIdentity, b: HostIdentity): boolean {
  return a.bootId === b.bootId && !a.bootId.startsWith('unknown:');
}

/**
 * Whether two identities share a network namespace on the same running kernel, so that their
 * loopback addresses reach each other.
 *
 * @example
 * ```ts
 * table.localAddressesIn(advertisement.addresses, {
 *   loopback: sameNetworkNamespace(hostIdentity(), advertisement.host),
 * });
 * ```
 */
export function sameNetworkNamespace(a: HostIdentity, b: HostIdentity): boolean {
  return (
    a.bootId === b.bootId && a.netNamespace === b.netNamespace && !a.bootId.startsWith('unknown:') && !a.netNamespace.startsWith('unknown:')
  );
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value.slice(0, 128);
}
