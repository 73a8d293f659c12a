import type { LocalAddressTable } from '@seamless/local-addrs';
import type { SocketTransportOptions } from '@seamless/socket-transport';
import type { HostResolverOptions, MulticastResolverOptions, Resolver } from '@seamless/topic-resolver';
import type { HostIdentity, Transport } from '@seamless/transport';
import type { ShmTransportOptions } from './load-shm-transport.js';
import type { SeamlessLogger } from './seamless-logger.js';

/**
 * Options of {@link createSeamless}. Every collaborator can be replaced: pass your own
 * resolver, address table, identity or transports (tests do), or tune the defaults.
 */
export interface SeamlessOptions {
  /** The topic resolver (default: a `HostResolver` composed with a `MulticastResolver`). */
  readonly resolver?: Resolver;
  /** Options of the default `HostResolver` (registry directory, lease...). */
  readonly hostResolver?: HostResolverOptions;
  /** Options of the default `MulticastResolver`, or `false` for this host only. */
  readonly multicast?: MulticastResolverOptions | false;
  /** The host's address table (default: from `os.networkInterfaces()`, refreshed every 10 s). */
  readonly localAddresses?: LocalAddressTable;
  /** This process's host identity (default: `hostIdentity()`). */
  readonly identity?: HostIdentity;
  /**
   * The transports, replacing the defaults. At most one per kind. Default: shared memory (if
   * `@seamless/shm-transport` loads) and TCP.
   */
  readonly transports?: readonly Transport[];
  /** Options of the default shared-memory transport, or `false` to use TCP only. */
  readonly shm?: ShmTransportOptions | false;
  /** Options of the default TCP transport (listen host and port, TLS, heartbeats...). */
  readonly tcp?: SocketTransportOptions;
  /** The default `maxMessageSize` of publishers (default 64 KiB). */
  readonly maxMessageSize?: number;
  /** Where warnings go, such as "shared memory unavailable, using TCP" (once). */
  readonly logger?: SeamlessLogger;
}

/** The default `maxMessageSize` of a publisher. */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;
