import type { Advertisement } from './advertisement.js';
import type { Publication, PublicationListener, PublicationOptions } from './publication.js';
import type { Subscription, SubscriptionListener, SubscriptionOptions } from './subscription.js';
import type { TransportKind } from './transport-kind.js';

/** The version of the {@link Transport} contract this package describes. */
export const TRANSPORT_SPECIFICATION_VERSION = 'v1';

/**
 * The contract every Seamless transport implements and the facade consumes. A transport moves
 * bytes for publications it opens and subscriptions it attaches to advertised publishers; it
 * knows nothing of topic resolution or of other transports.
 *
 * Implementations are created by a factory that takes their collaborators as arguments
 * (`createShmTransport(options)`, `createSocketTransport(options)`), so tests can inject
 * others.
 *
 * @example
 * ```ts
 * import type { Transport } from '@seamless/transport';
 *
 * async function route(transports: readonly Transport[], advertisement: Advertisement) {
 *   for (const transport of transports) {
 *     if (await transport.canReach(advertisement)) return transport;
 *   }
 *   return undefined;
 * }
 * ```
 */
export interface Transport<Kind extends TransportKind = TransportKind> {
  /** The contract version, checked by the facade so mismatched packages fail loudly. */
  readonly specificationVersion: typeof TRANSPORT_SPECIFICATION_VERSION;
  /** Which transport this is. */
  readonly kind: Kind;
  /** Opens the sending side for one publisher. */
  openPublication(options: PublicationOptions, listener?: PublicationListener): Promise<Publication>;
  /**
   * Whether this transport can attach to the advertised publisher from here. Shared memory
   * opens the advertised segment and checks its nonce; TCP needs a TCP endpoint. Never throws.
   */
  canReach(advertisement: Advertisement): Promise<boolean>;
  /**
   * Attaches to one advertised publisher.
   *
   * @throws SeamlessError when the publisher cannot be reached (`ERR_CONNECTION`,
   *   `ERR_SHM_UNAVAILABLE`) or speaks another protocol (`ERR_PROTOCOL`).
   */
  openSubscription(advertisement: Advertisement, options: SubscriptionOptions, listener: SubscriptionListener): Promise<Subscription>;
  /** Closes every publication and subscription of this transport. Idempotent. */
  close(): Promise<void>;
}
