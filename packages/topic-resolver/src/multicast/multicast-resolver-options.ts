import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { invalidArgument } from '@seamless/transport';
import { integerOption } from '../check-option.js';
import type { ResolverStats } from '../resolver.js';
import { processWarningLogger } from '../resolver-logger.js';
import type { ResolverLogger } from '../resolver-logger.js';
import { MIN_ANNOUNCED_LEASE_MS } from './datagram-codec.js';

/**
 * The default multicast group: in 239.255.0.0/16, the IPv4 local scope (RFC 2365).
 *
 * @example
 * ```ts
 * // A second, separate discovery domain on the same LAN:
 * new MulticastResolver({ group: DEFAULT_MULTICAST_GROUP, port: DEFAULT_MULTICAST_PORT + 1 });
 * ```
 */
export const DEFAULT_MULTICAST_GROUP = '239.255.83.77';
/**
 * The default UDP port of the multicast group; open it (UDP, inbound) in host firewalls.
 *
 * @example
 * ```ts
 * console.log(`allow udp to ${DEFAULT_MULTICAST_GROUP}:${DEFAULT_MULTICAST_PORT}`);
 * ```
 */
export const DEFAULT_MULTICAST_PORT = 21477;

/**
 * Options of {@link MulticastResolver}; every one is optional.
 *
 * @example
 * ```ts
 * const options: MulticastResolverOptions = { interfaces: ['eth0'], announceIntervalMs: 500, leaseMs: 2000 };
 * ```
 */
export interface MulticastResolverOptions {
  /** The IPv4 multicast group (default {@link DEFAULT_MULTICAST_GROUP}). */
  readonly group?: string;
  /** The UDP port (default {@link DEFAULT_MULTICAST_PORT}). Resolvers meet only on the same group and port. */
  readonly port?: number;
  /**
   * The local interfaces to join the group on and send from: IPv4 addresses (`'10.0.0.5'`) or
   * interface names (`'eth0'`, resolved to their first IPv4 address when the resolver is
   * created). Default: one, chosen by the kernel from the route to the group (usually the
   * default route; add `ip route add 224.0.0.0/4 dev eth0` to choose another).
   */
  readonly interfaces?: readonly string[];
  /** The multicast TTL (default 1: the local network only; raise it to cross multicast routers). */
  readonly ttl?: number;
  /** Whether other processes on this host receive our datagrams (default `true`). */
  readonly loopback?: boolean;
  /**
   * How often this resolver sends its heartbeat (default 1000 ms, ±10% jitter): one small
   * datagram that renews all of its advertisements, however many, and lets every receiver
   * check that it holds exactly what was announced.
   */
  readonly announceIntervalMs?: number;
  /**
   * The lease our announcements and heartbeats carry (default 3500 ms): a receiver removes
   * every advertisement of a resolver it hears nothing from within it, so a killed publisher
   * disappears after at most this long. Must exceed `announceIntervalMs`; the default survives
   * two lost heartbeats in a row.
   */
  readonly leaseMs?: number;
  /**
   * How long the first `resolve()` after creation waits for answers to the start-up query
   * (default 150 ms). Later calls answer from the cache at once.
   */
  readonly settleMs?: number;
  /**
   * The most advertisements kept at once (default 100000); more from the network are ignored,
   * counted in `stats.dropped` and warned about once.
   */
  readonly maxAdvertisements?: number;
  /**
   * The most bytes per second this resolver sends on average (default 4 MiB/s, in bursts of at
   * most 16 KiB): ten thousand advertisements are announced in about a second without
   * overflowing a receiver's socket buffer. Heartbeats, queries and goodbyes go first.
   */
  readonly maxSendBytesPerSecond?: number;
  /**
   * The receive buffer asked for (default 4 MiB; the kernel caps it at `net.core.rmem_max`,
   * often 208 KiB, which is what a burst must fit).
   */
  readonly receiveBufferBytes?: number;
  /** Receives the warning given when multicast does not work here, once (default: process warnings). */
  readonly logger?: ResolverLogger;
}

/**
 * Counters of a {@link MulticastResolver}.
 *
 * @example
 * ```ts
 * const { available, received, invalid, expired } = resolver.stats;
 * ```
 */
export interface MulticastResolverStats extends ResolverStats {
  /** Whether joining and sending on the group worked (false after the warning). */
  readonly available: boolean;
  /** Datagrams received from others (valid or not; our own, looped back, are not counted). */
  readonly received: number;
  /** Datagrams handed to the kernel. */
  readonly sent: number;
  /** Sends that failed (no route, interface down...). */
  readonly sendErrors: number;
  /** Advertisements removed because their sender's lease ran out. */
  readonly expired: number;
  /** Queries sent to a sender because its heartbeat did not match what we hold (a datagram was lost). */
  readonly repairs: number;
  /** Re-announcements of everything this resolver completed (answers to peers' queries). */
  readonly rounds: number;
  /** Advertisements ignored because `maxAdvertisements` was reached. */
  readonly dropped: number;
}

/** The options of a MulticastResolver after validation and defaults. */
export interface MulticastSettings {
  readonly group: string;
  readonly port: number;
  readonly interfaces: readonly string[];
  readonly ttl: number;
  readonly loopback: boolean;
  readonly announceIntervalMs: number;
  readonly leaseMs: number;
  readonly settleMs: number;
  readonly maxAdvertisements: number;
  readonly maxSendBytesPerSecond: number;
  readonly receiveBufferBytes: number;
  readonly logger: ResolverLogger;
}

/** The bytes the send pacer may send at once. */
export const SEND_BURST_BYTES = 16 * 1024;

const owner = 'MulticastResolver';

/**
 * Validates `options` and fills in the defaults.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` naming the option.
 */
export function multicastSettings(options: MulticastResolverOptions): MulticastSettings {
  const group = options.group ?? DEFAULT_MULTICAST_GROUP;
  if (!isIPv4(group) || Number(group.split('.')[0]) < 224 || Number(group.split('.')[0]) > 239) {
    throw invalidArgument(owner, 'group', 'must be an IPv4 multicast address (224.0.0.0/4)', group);
  }
  if (options.loopback !== undefined && typeof options.loopback !== 'boolean') {
    throw invalidArgument(owner, 'loopback', 'must be a boolean', options.loopback);
  }
  const announceIntervalMs = integerOption(owner, 'announceIntervalMs', options.announceIntervalMs, 1000, 10, 3_600_000);
  return {
    group,
    port: integerOption(owner, 'port', options.port, DEFAULT_MULTICAST_PORT, 1, 65535),
    interfaces: resolveInterfaces(options.interfaces),
    ttl: integerOption(owner, 'ttl', options.ttl, 1, 0, 255),
    loopback: options.loopback ?? true,
    announceIntervalMs,
    leaseMs: integerOption(
      owner,
      'leaseMs',
      options.leaseMs,
      Math.max(3500, announceIntervalMs * 3 + 500),
      Math.max(MIN_ANNOUNCED_LEASE_MS, announceIntervalMs + 1),
      86_400_000,
    ),
    settleMs: integerOption(owner, 'settleMs', options.settleMs, 150, 0, 60_000),
    maxAdvertisements: integerOption(owner, 'maxAdvertisements', options.maxAdvertisements, 100_000, 1, 10_000_000),
    maxSendBytesPerSecond: integerOption(
      owner,
      'maxSendBytesPerSecond',
      options.maxSendBytesPerSecond,
      4 * 1024 * 1024,
      16 * 1024,
      1024 ** 3,
    ),
    receiveBufferBytes: integerOption(owner, 'receiveBufferBytes', options.receiveBufferBytes, 4 * 1024 * 1024, 0, 1024 ** 3),
    logger: options.logger ?? processWarningLogger,
  };
}

/** Turns interface names into their first IPv4 address; checks addresses for shape. */
function resolveInterfaces(interfaces: readonly string[] | undefined): string[] {
  if (interfaces === undefined) return [];
  if (!Array.isArray(interfaces) || interfaces.length === 0) {
    throw invalidArgument(owner, 'interfaces', 'must be a non-empty array of IPv4 addresses or interface names', interfaces);
  }
  const available = networkInterfaces();
  const addresses = interfaces.map((entry: unknown) => {
    if (typeof entry !== 'string' || entry === '') {
      throw invalidArgument(owner, 'interfaces', 'must hold IPv4 addresses or interface names', entry);
    }
    if (isIPv4(entry)) return entry;
    const found = available[entry]?.find((address) => address.family === 'IPv4');
    if (found === undefined) {
      const names = Object.keys(available).join(', ');
      throw invalidArgument(
        owner,
        'interfaces',
        `must be IPv4 addresses or names of interfaces with an IPv4 address here (interfaces: ${names})`,
        entry,
      );
    }
    return found.address;
  });
  return [...new Set(addresses)];
}
