import type { ResolverStats } from '../resolver.js';
import type { ResolverLogger } from '../resolver-logger.js';

/**
 * Options of {@link HostResolver}; every one is optional.
 *
 * @example
 * ```ts
 * const options: HostResolverOptions = { directory: '/run/my-app/seamless', rescanIntervalMs: 200 };
 * ```
 */
export interface HostResolverOptions {
  /**
   * The registry directory (default {@link defaultRegistryDirectory}). Created with mode 0700
   * when missing; refused when it is not a directory of this user closed to everyone else.
   * Only processes using the same directory see each other.
   */
  readonly directory?: string;
  /**
   * How long our entries stay valid for a reader that cannot tell whether we live, without a
   * renewal (default 5000 ms). Readers that can check the owner (same PID namespace, or a
   * presence pipe they see: `@seamless/local-addrs`) keep an entry exactly as long as its
   * owner lives and ignore the lease; the others retire it when the owner's instance stops
   * renewing for this long.
   */
  readonly leaseMs?: number;
  /**
   * How often this resolver renews its entries (default 1000 ms, less than `leaseMs`): one
   * heartbeat file for all of them, however many, and any entry someone removed is put back.
   */
  readonly renewIntervalMs?: number;
  /**
   * How often a watched directory is re-scanned as a safety net under `fs.watch` (default
   * 500 ms). This is what notices an owner killed with SIGKILL, so it bounds how long a dead
   * publisher stays visible.
   */
  readonly rescanIntervalMs?: number;
  /** Receives warnings such as "file change notification is unavailable" (default: process warnings). */
  readonly logger?: ResolverLogger;
}

/**
 * Counters of a {@link HostResolver}.
 *
 * @example
 * ```ts
 * const { invalid, ownerExited, expired, scans } = resolver.stats;
 * ```
 */
export interface HostResolverStats extends ResolverStats {
  /** Full scans of the registry directory. */
  readonly scans: number;
  /** Entries of dead owners this resolver deleted. */
  readonly ownerExited: number;
  /** Entries this resolver deleted because their owner could not be checked and its lease ran out. */
  readonly expired: number;
}
