import {
  ErrorCode,
  SeamlessError,
  TRANSPORT_SPECIFICATION_VERSION,
  endpointOf,
  validatePublicationOptions,
  validateSubscriptionOptions,
} from '@seamless/transport';
import type {
  Advertisement,
  PublicationListener,
  PublicationOptions,
  SubscriptionListener,
  SubscriptionOptions,
  Transport,
} from '@seamless/transport';
import { ProcessMonitor, establishPresence, processMonitor } from '@seamless/local-addrs';
import { loadBinding } from './os/load-binding.js';
import { createFifo } from './os/native.js';
import { reclaimLeftovers } from './os/reclaim-leftovers.js';
import type { ReclaimReport } from './os/reclaim-leftovers.js';
import { reclaimOnce } from './os/reclaim-schedule.js';
import { RingDescriptor as D } from './ring/ring-descriptor.js';
import { SHM_TRANSPORT_KIND, parseShmEndpoint } from './shm-endpoint.js';
import type { ShmEndpoint } from './shm-endpoint.js';
import { ShmPublication } from './shm-publication.js';
import { ShmSubscription, attachSegment } from './shm-subscription.js';
import { SHM_DIRECTORY } from './os/shm-directory.js';

/** Options of {@link createShmTransport}. */
export interface ShmTransportOptions {
  /**
   * The smallest ring of a publication, in bytes: a power of two from 4 KiB to 1 GiB (default
   * 64 KiB). A publication's ring is the smallest power of two at least this large in which a
   * message of its `maxMessageSize` takes at most half the ring: with the facade's default
   * `maxMessageSize` of 64 KiB that is 256 KiB (a 268 KiB segment, so a 64 MB /dev/shm holds
   * about 240 of them); with 1 KiB messages, 64 KiB. A publication with `history` N has that
   * ring plus room for N + 1 messages of `maxMessageSize`, rounded up to a power of two (1 KiB
   * messages, history 1000: 2 MiB).
   */
  readonly capacity?: number;
  /** Permission bits of new segments (default `0o600`: this user only). */
  readonly mode?: number;
  /** Prefix of segment names, `/<prefix>-<uid>-<presence>-<random>` (default `seamless`). */
  readonly namePrefix?: string;
  /** The uid that must own segments this transport attaches to (default: this process's). */
  readonly uid?: number;
  /**
   * How often the processes on the other side are checked for having died (default 250 ms):
   * a dead reader holds a reliable writer back, and a dead writer goes unreported, at most
   * about this long. Without it the transport uses the process-wide monitor of
   * `@seamless/local-addrs` (250 ms); with it, a monitor of its own. Either way one sweep
   * covers every publication and subscription, whatever their number.
   */
  readonly livenessIntervalMs?: number;
  /**
   * Remove what dead processes of this user left in /dev/shm (segments with this prefix,
   * doorbells, presence pipes), once per process, in the background (default true).
   */
  readonly reclaim?: boolean;
  /**
   * Space to leave free in /dev/shm (default 1 MiB): a publication whose segment would leave
   * less is refused with `ERR_SHM_UNAVAILABLE` (and the facade sends it over TCP), so that the
   * host registry, doorbells and other programs still find room.
   */
  readonly minFreeBytes?: number;
}

/** A shared-memory {@link Transport}, with the ring details of its publications exposed. */
export interface ShmTransport extends Transport<ShmEndpoint> {
  readonly kind: typeof SHM_TRANSPORT_KIND;
  openPublication(options: PublicationOptions, listener?: PublicationListener): Promise<ShmPublication>;
  openSubscription(advertisement: Advertisement, options: SubscriptionOptions, listener: SubscriptionListener): Promise<ShmSubscription>;
  /**
   * Removes what dead processes of this user left in /dev/shm now (the transport also does it
   * once per process at start, in the background) and says what it removed.
   */
  reclaim(): Promise<ReclaimReport>;
}

/** The default smallest ring of a publication. */
export const DEFAULT_CAPACITY = 1 << 16;
/** The default space left free in /dev/shm. */
export const DEFAULT_MIN_FREE_BYTES = 1 << 20;

/**
 * Creates the shared-memory transport: one POSIX shared-memory segment with a lock-free ring
 * per publication, read in place by every subscriber on the same host.
 *
 * Throws {@link SeamlessError} `ERR_SHM_UNAVAILABLE` (with the reason) when the native addon
 * cannot be loaded or this process's presence pipe cannot be made in /dev/shm, and
 * `ERR_INVALID_ARGUMENT` for bad options.
 *
 * @example
 * ```ts
 * import { createShmTransport } from '@seamless/shm-transport';
 *
 * const transport = createShmTransport({ capacity: 1 << 16 });
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
  const livenessIntervalMs = options.livenessIntervalMs ?? 250;
  if (!Number.isFinite(livenessIntervalMs) || livenessIntervalMs < 1 || livenessIntervalMs > 60_000) {
    invalid(`livenessIntervalMs must be between 1 and 60000, got ${String(livenessIntervalMs)}`);
  }
  const minFreeBytes = options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  if (!Number.isSafeInteger(minFreeBytes) || minFreeBytes < 0)
    invalid(`minFreeBytes must be a non-negative integer, got ${String(minFreeBytes)}`);
  // Fail here, once, with the reason, rather than on the first publication.
  loadBinding();
  establishPresence(createFifo, { directory: SHM_DIRECTORY });
  const monitor = options.livenessIntervalMs === undefined ? processMonitor() : new ProcessMonitor({ intervalMs: livenessIntervalMs });
  if (options.reclaim !== false) void reclaimOnce(namePrefix, uid);

  const publications = new Set<ShmPublication>();
  const subscriptions = new Set<ShmSubscription>();
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new SeamlessError(ErrorCode.Closed, 'the shared-memory transport is closed');
  };

  return {
    specificationVersion: TRANSPORT_SPECIFICATION_VERSION,
    kind: SHM_TRANSPORT_KIND,
    reach: 'host',
    parseEndpoint: parseShmEndpoint,

    openPublication: (publicationOptions, listener) =>
      settle(() => {
        ensureOpen();
        // The segment header holds 64 bytes of publisher id: a longer one is refused here,
        // never written over the topic.
        const checked = validatePublicationOptions(publicationOptions, 'openPublication');
        const publication: ShmPublication = new ShmPublication(
          checked,
          {
            capacity,
            mode,
            namePrefix,
            uid,
            monitor,
            livenessIntervalMs,
            minFreeBytes,
            onClose: () => publications.delete(publication),
          },
          listener,
        );
        publications.add(publication);
        return publication;
      }),

    canReach: (advertisement) =>
      settle(() => {
        if (closed || endpointOf(advertisement, SHM_TRANSPORT_KIND) === undefined) return false;
        try {
          attachSegment(advertisement, uid).segment.close();
          return true;
        } catch {
          return false;
        }
      }),

    openSubscription: (advertisement, subscriptionOptions, listener) =>
      settle(() => {
        ensureOpen();
        const checked = validateSubscriptionOptions(subscriptionOptions, 'openSubscription');
        const attached = attachSegment(advertisement, uid);
        let subscription: ShmSubscription;
        try {
          subscription = new ShmSubscription(attached, checked, listener, {
            uid,
            monitor,
            namePrefix,
            onClose: () => subscriptions.delete(subscription),
          });
        } catch (error) {
          attached.segment.close();
          throw error;
        }
        subscriptions.add(subscription);
        return subscription;
      }),

    reclaim: () => reclaimLeftovers({ namePrefix, uid }),

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await Promise.all([...publications].map((publication) => publication.close()));
      if (monitor !== processMonitor()) monitor.close();
    },
  };
}

// Runs `work` now and turns its result or exception into a promise: every failure of a
// method that returns a promise, argument validation included, is a rejection.
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}
