import type { Advertisement } from './advertisement.js';
import type { Publication, PublicationListener, PublicationOptions } from './publication.js';
import type { Subscription, SubscriptionListener, SubscriptionOptions } from './subscription.js';
import type { TransportKind } from './transport-kind.js';

/**
 * The version of the {@link Transport} contract this package describes. `'v2'` opened the
 * contract: transports name their own kind, validate their own endpoint and say their
 * {@link TransportReach}, instead of the facade knowing `'shm'` and `'tcp'`.
 */
export const TRANSPORT_SPECIFICATION_VERSION = 'v2';

/**
 * Which publishers a transport can reach at all, which is also how the facade ranks them:
 *
 * - `'host'`: only publishers on this host (this kernel), such as shared memory. The facade
 *   offers it an advertisement only when the paper's rule holds (one of the advertised
 *   addresses is this host's, loopback only within our network namespace, the same boot id);
 *   the transport's own `canReach` probe then decides (a container may not share the memory).
 * - `'network'`: any publisher whose endpoint it can connect to, such as TCP.
 *
 * The facade prefers `'host'` transports over `'network'` ones, and keeps the order it was
 * given among transports of the same reach.
 */
export type TransportReach = 'host' | 'network';

/** Every {@link TransportReach}, best first. */
export const TRANSPORT_REACHES: readonly TransportReach[] = ['host', 'network'];

/**
 * The contract every Seamless transport implements and the facade consumes. A transport moves
 * bytes for publications it opens and subscriptions it attaches to advertised publishers; it
 * knows nothing of topic resolution or of other transports, and the facade knows nothing of any
 * particular transport: it reads `kind` and `reach`, puts each publication's `endpoint` into
 * the advertisement under `kind`, and asks `canReach` before it subscribes.
 *
 * Implementations are created by a factory that takes their collaborators as arguments
 * (`createShmTransport(options)`, `createSocketTransport(options)`), so tests can inject
 * others.
 *
 * @example
 * ```ts
 * import type { Advertisement, Transport } from '@seamless/transport';
 *
 * async function route(transports: readonly Transport[], advertisement: Advertisement) {
 *   for (const transport of transports) {
 *     if (await transport.canReach(advertisement)) return transport;
 *   }
 *   return undefined;
 * }
 * ```
 */
export interface Transport<Endpoint = unknown> {
  /** The contract version, checked by the facade so mismatched packages fail loudly. */
  readonly specificationVersion: typeof TRANSPORT_SPECIFICATION_VERSION;
  /** The name this transport gives itself (see {@link TransportKind}); unique on one bus. */
  readonly kind: TransportKind;
  /** Which publishers it can reach at all (see {@link TransportReach}). */
  readonly reach: TransportReach;
  /**
   * Reads this transport's entry of an advertisement's `endpoints` (untrusted: it came through
   * a resolver) and returns it typed.
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` naming the bad field.
   */
  parseEndpoint(value: unknown): Endpoint;
  /** Opens the sending side for one publisher. */
  openPublication(options: PublicationOptions, listener?: PublicationListener): Promise<Publication<Endpoint>>;
  /**
   * Whether this transport can attach to the advertised publisher from here. Shared memory
   * opens the advertised segment and checks its nonce; TCP needs a valid TCP endpoint.
   * `false` when the advertisement has no valid entry of this kind. Never throws.
   */
  canReach(advertisement: Advertisement): Promise<boolean>;
  /**
   * Attaches to one advertised publisher.
   *
   * @throws SeamlessError when the publisher cannot be reached (`ERR_CONNECTION`,
   *   `ERR_SHM_UNAVAILABLE`), its endpoint is missing or invalid (`ERR_ADVERTISEMENT_INVALID`)
   *   or it speaks another protocol (`ERR_PROTOCOL`).
   */
  openSubscription(advertisement: Advertisement, options: SubscriptionOptions, listener: SubscriptionListener): Promise<Subscription>;
  /** Closes every publication and subscription of this transport. Idempotent. */
  close(): Promise<void>;
}
