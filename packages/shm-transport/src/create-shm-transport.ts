import { ErrorCode, SeamlessError, TRANSPORT_SPECIFICATION_VERSION, validateTopic } from '@seamless/transport';
import type {
  Advertisement,
  PublicationListener,
  PublicationOptions,
  SubscriptionListener,
  SubscriptionOptions,
  Transport,
} from '@seamless/transport';
import { loadBinding } from './load-binding.js';
import { RingDescriptor as D } from './ring-descriptor.js';
import { ShmPublication } from './shm-publication.js';
import { ShmSubscription, attachSegment } from './shm-subscription.js';

/** Options of {@link createShmTransport}. */
export interface ShmTransportOptions {
  /**
   * Ring bytes per publication, a power of two from 4 KiB to 1 GiB (default 1 MiB). Raised
   * automatically when a publication's `maxMessageSize` needs more (a message may take at
   * most half the ring).
   */
  readonly capacity?: number;
  /** Permission bits of new segments (default `0o600`: this user only). */
  readonly mode?: number;
  /** Prefix of segment names, `/<prefix>-<uid>-<random>` (default `seamless`). */
  readonly namePrefix?: string;
  /** The uid that must own segments this transport attaches to (default: this process's). */
  readonly uid?: number;
}

/** A shared-memory {@link Transport}, with the ring details of its publications exposed. */
export interface ShmTransport extends Transport<'shm'> {
  openPublication(options: PublicationOptions, listener?: PublicationListener): Promise<ShmPublication>;
  openSubscription(
    advertisement: Advertisement,
    options: SubscriptionOptions,
    listener: SubscriptionListener,
  ): Promise<ShmSubscription>;
}

const DEFAULT_CAPACITY = 1 << 20;

/**
 * Creates the shared-memory transport: one POSIX shared-memory segment with a lock-free ring
 * per publication, read in place by every subscriber on the same host.
 *
 * Throws {@link SeamlessError} `ERR_SHM_UNAVAILABLE` (with the reason) when the native addon
 * cannot be loaded, and `ERR_INVALID_ARGUMENT` for bad options.
 *
 * @example
 * ```ts
 * import { createShmTransport } from '@seamless/shm-transport';
 *
 * const transport = createShmTransport({ capacity: 1 << 20 });
 * const publication = await transport.openPublication({
 *   topic: 'md.AAPL', publisherId: 'p1', policy: 'reliable', maxMessageSize: 1024,
 * });
 * ```
 */
export function createShmTransport(options: ShmTransportOptions = {}): ShmTransport {
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < D.minCapacity || capacity > D.maxCapacity || (capacity & (capacity - 1)) !== 0) {
    invalid(`capacity must be a power of two from ${D.minCapacity} to ${D.maxCapacity}, got ${String(capacity)}`);
  }
  const mode = options.mode ?? 0o600;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777 || (mode & 0o600) !== 0o600) {
    invalid(`mode must be permission bits including 0o600, got ${String(mode)}`);
  }
  const namePrefix = options.namePrefix ?? 'seamless';
  if (typeof namePrefix !== 'string' || !/^[A-Za-z0-9_.]{1,32}$/.test(namePrefix)) {
    invalid('namePrefix must be 1..32 characters of [A-Za-z0-9_.]');
  }
  const uid = options.uid ?? process.getuid?.() ?? 0;
  if (!Number.isInteger(uid) || uid < 0) invalid(`uid must be a non-negative integer, got ${String(uid)}`);
  // Fail here, once, with the reason, rather than on the first publication.
  loadBinding();

  const publications = new Set<ShmPublication>();
  const subscriptions = new Set<ShmSubscription>();
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new SeamlessError(ErrorCode.Closed, 'the shared-memory transport is closed');
  };

  return {
    specificationVersion: TRANSPORT_SPECIFICATION_VERSION,
    kind: 'shm',

    openPublication(publicationOptions, listener) {
      ensureOpen();
      validateTopic(publicationOptions.topic);
      const { maxMessageSize } = publicationOptions;
      if (!Number.isInteger(maxMessageSize) || maxMessageSize < 0) {
        invalid(`maxMessageSize must be a non-negative integer, got ${String(maxMessageSize)}`);
      }
      const publication = new ShmPublication(publicationOptions, { capacity, mode, namePrefix, uid }, listener);
      publications.add(publication);
      const close = publication.close.bind(publication);
      publication.close = async () => {
        publications.delete(publication);
        await close();
      };
      return Promise.resolve(publication);
    },

    canReach(advertisement) {
      if (closed || advertisement.endpoints.shm === undefined) return Promise.resolve(false);
      try {
        attachSegment(advertisement, uid).segment.close();
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },

    openSubscription(advertisement, subscriptionOptions, listener) {
      ensureOpen();
      const subscription = new ShmSubscription(attachSegment(advertisement, uid), subscriptionOptions, listener);
      subscriptions.add(subscription);
      const close = subscription.close.bind(subscription);
      subscription.close = async () => {
        subscriptions.delete(subscription);
        await close();
      };
      return Promise.resolve(subscription);
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await Promise.all([...publications].map((publication) => publication.close()));
    },
  };
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}
