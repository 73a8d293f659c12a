import { randomBytes } from 'node:crypto';
import { LocalAddressTable, hostIdentity } from '@seamless/local-addrs';
import { createSocketTransport } from '@seamless/socket-transport';
import type { SocketTransportOptions } from '@seamless/socket-transport';
import { HostResolver, MulticastResolver, composeResolvers } from '@seamless/topic-resolver';
import type { HostResolverOptions, MulticastResolverOptions, Resolver } from '@seamless/topic-resolver';
import {
  ADVERTISEMENT_VERSION,
  ErrorCode,
  SeamlessError,
  TRANSPORT_REACHES,
  TRANSPORT_SPECIFICATION_VERSION,
  describeValue,
  transportKindProblem,
  validateDeliveryPolicy,
  validateMessageSize,
  validateOptionsObject,
  validateSubscriptionOptions,
  validateTopic,
} from '@seamless/transport';
import type { Advertisement, HostIdentity, Publication, Transport, TransportKind, TransportReach } from '@seamless/transport';
import { chooseRoute } from './choose-route.js';
import { loadShmTransport } from './load-shm-transport.js';
import type { ShmTransportOptions } from './load-shm-transport.js';
import { Publisher } from './publisher.js';
import type { PublisherOptions } from './publisher.js';
import { Subscriber } from './subscriber.js';
import type { SubscriberOptions } from './subscriber.js';

/** Where warnings go (default: `process.emitWarning`). */
export interface SeamlessLogger {
  warn(message: string): void;
}

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

const processLogger: SeamlessLogger = {
  warn: (message) => {
    process.emitWarning(message, { code: 'SEAMLESS' });
  },
};

// Conditions already warned about in this process (by any bus, and by either build of this
// package when both are loaded): a warning says what to fix, once, not once per bus or
// publisher.
const warned: Set<string> = ((globalThis as Record<symbol, Set<string> | undefined>)[Symbol.for('@seamless/seamless:warned')] ??=
  new Set());

function warnOncePerProcess(logger: SeamlessLogger, condition: string, message: () => string): void {
  if (warned.has(condition)) return;
  warned.add(condition);
  logger.warn(message());
}

/**
 * A Seamless bus: publishers and subscribers by topic, each peer reached over the best
 * transport. Made by {@link createSeamless}.
 */
export class Seamless {
  /** This process's host identity, as advertised. */
  readonly identity: HostIdentity;
  /** The host's address table (the paper's local IP table). */
  readonly localAddresses: LocalAddressTable;
  readonly resolver: Resolver;
  readonly #transports: ReadonlyMap<TransportKind, Transport>;
  readonly #owned: { resolver: boolean; localAddresses: boolean; transports: readonly Transport[] };
  readonly #options: SeamlessOptions;
  readonly #logger: SeamlessLogger;
  readonly #publishers = new Set<Publisher>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #sendPublishers = new Map<string, Promise<Publisher>>();
  #closed = false;

  /** @internal Use {@link createSeamless}. */
  constructor(parts: {
    readonly identity: HostIdentity;
    readonly localAddresses: LocalAddressTable;
    readonly resolver: Resolver;
    readonly transports: ReadonlyMap<TransportKind, Transport>;
    readonly owned: { resolver: boolean; localAddresses: boolean; transports: readonly Transport[] };
    readonly options: SeamlessOptions;
  }) {
    this.identity = parts.identity;
    this.localAddresses = parts.localAddresses;
    this.resolver = parts.resolver;
    this.#transports = parts.transports;
    this.#owned = parts.owned;
    this.#options = parts.options;
    this.#logger = parts.options.logger ?? processLogger;
  }

  /** The transports in use, by kind. */
  get transports(): readonly TransportKind[] {
    return [...this.#transports.keys()];
  }

  /**
   * Creates a publisher on `topic`: opens it on every transport and advertises it.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_INVALID_ARGUMENT`, `ERR_CLOSED`.
   */
  async publisher(topic: string, options: PublisherOptions = {}): Promise<Publisher> {
    this.#ensureOpen();
    validateTopic(topic);
    validateOptionsObject(options, 'publisher()');
    const policy = validateDeliveryPolicy(options.policy ?? 'reliable', 'publisher()');
    const maxMessageSize = validateMessageSize(
      options.maxMessageSize ?? this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      'publisher()',
    );
    const publisherId = `p-${randomBytes(8).toString('hex')}`;
    const countChanged: { listener: (() => void) | undefined } = { listener: undefined };
    const publications: Publication[] = [];
    try {
      const transports = [...this.#transports.values()];
      for (const [index, transport] of transports.entries()) {
        try {
          publications.push(
            await transport.openPublication(
              { topic, publisherId, policy, maxMessageSize },
              { subscribersChanged: () => countChanged.listener?.() },
            ),
          );
        } catch (error) {
          // Shared memory that has no room (a full /dev/shm) costs this publisher the fast
          // path, not its existence: the other transports carry it, for every subscriber.
          const others = publications.length > 0 || index < transports.length - 1;
          if (!others || !SeamlessError.isInstance(error, ErrorCode.ShmUnavailable)) throw error;
          warnOncePerProcess(
            this.#logger,
            'shm-unavailable',
            () => `Seamless: publisher "${topic}" and any later one that finds no room run without shared memory: ${error.message}`,
          );
        }
      }
      const endpoints: Record<TransportKind, unknown> = {};
      for (const publication of publications) endpoints[publication.kind] = publication.endpoint;
      const advertisement: Advertisement = {
        version: ADVERTISEMENT_VERSION,
        topic,
        publisherId,
        policy,
        maxMessageSize,
        host: this.identity,
        addresses: this.#advertisedAddresses(),
        endpoints,
      };
      const lease = await this.resolver.advertise(advertisement);
      const publisher: Publisher = new Publisher({
        topic,
        publisherId,
        policy,
        maxMessageSize,
        publications,
        lease,
        subscriberCountChanged: countChanged,
        onClose: () => this.#publishers.delete(publisher),
      });
      this.#publishers.add(publisher);
      return publisher;
    } catch (error) {
      await Promise.all(publications.map((publication) => publication.close()));
      throw error;
    }
  }

  /**
   * Subscribes to `topic`: every current and future publisher of it, each over the best
   * transport.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_INVALID_ARGUMENT`, `ERR_CLOSED`.
   */
  subscriber(topic: string, options: SubscriberOptions = {}): Promise<Subscriber> {
    let checked: SubscriberOptions;
    try {
      this.#ensureOpen();
      validateTopic(topic);
      checked = validateSubscriptionOptions(options, 'subscriber()');
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const subscriber: Subscriber = new Subscriber({
      topic,
      options: checked,
      resolver: this.resolver,
      transports: this.#transports,
      route: (advertisement) =>
        chooseRoute({
          advertisement,
          identity: this.identity,
          localAddressesIn: (addresses, routeOptions) => this.localAddresses.localAddressesIn(addresses, routeOptions),
          transports: [...this.#transports.values()],
        }),
      onClose: () => this.#subscribers.delete(subscriber),
    });
    this.#subscribers.add(subscriber);
    return Promise.resolve(subscriber);
  }

  /**
   * The paper's `send(DataBuffer, TopicName)`: publishes one message on `topic` through a
   * reliable publisher this bus creates on first use and keeps. Waits while subscribers are
   * back-pressured, so nothing is dropped.
   *
   * @example
   * ```ts
   * await bus.send('md.AAPL', new Uint8Array([1, 2, 3]));
   * ```
   */
  async send(topic: string, data: Uint8Array | string): Promise<void> {
    this.#ensureOpen();
    validateTopic(topic);
    let pending = this.#sendPublishers.get(topic);
    if (pending === undefined) {
      pending = this.publisher(topic);
      this.#sendPublishers.set(topic, pending);
      pending.catch(() => this.#sendPublishers.delete(topic));
    }
    const publisher = await pending;
    while (!publisher.send(data)) await publisher.drained();
  }

  /**
   * Closes every publisher and subscriber of this bus, then the transports, resolver and
   * address table it created (injected ones stay open: they are the caller's). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscribers].map((subscriber) => subscriber.close()));
    await Promise.all([...this.#publishers].map((publisher) => publisher.close()));
    await Promise.all(this.#owned.transports.map((transport) => transport.close()));
    if (this.#owned.resolver) await this.resolver.close();
    if (this.#owned.localAddresses) this.localAddresses.close();
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // What publishers advertise: the host's addresses a remote peer can use (not link-local
  // IPv6, which needs a zone), plus loopback for peers in this network namespace. With a TCP
  // listener bound to one address, just that address.
  #advertisedAddresses(): string[] {
    const host = this.#options.tcp?.host;
    if (host !== undefined && host !== '0.0.0.0' && host !== '::') return [host];
    const remote = this.localAddresses.nonLoopbackAddresses().filter((address) => !address.startsWith('fe80:'));
    return [...remote, '127.0.0.1'];
  }

  #ensureOpen(): void {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, 'this Seamless bus is closed');
  }
}

/**
 * Creates a Seamless bus. With no options it finds publishers on this host through a registry
 * in /dev/shm and on the LAN through UDP multicast, and reaches each over shared memory when it
 * is on this host and over TCP otherwise. If the shared-memory addon cannot load, it says why
 * once and uses TCP only.
 *
 * @example
 * ```ts
 * import { createSeamless } from '@seamless/seamless';
 *
 * const bus = await createSeamless();
 * const subscriber = await bus.subscriber('md.AAPL');
 * const publisher = await bus.publisher('md.AAPL');
 * await publisher.waitForSubscribers(1);
 * publisher.send('hello');
 * for await (const message of subscriber) {
 *   console.log(message.transport, new TextDecoder().decode(message.data)); // shm hello
 *   break;
 * }
 * await bus.close();
 * ```
 */
export async function createSeamless(options: SeamlessOptions = {}): Promise<Seamless> {
  validateOptionsObject(options, 'createSeamless()');
  const logger = options.logger ?? processLogger;
  const identity = options.identity ?? hostIdentity();
  const ownedAddresses = options.localAddresses === undefined;
  const localAddresses = options.localAddresses ?? new LocalAddressTable({ refreshIntervalMs: 10_000 });
  const ownedTransports: Transport[] = [];
  const transports = new Map<TransportKind, Transport>();
  try {
    if (options.transports !== undefined) {
      const given: unknown = options.transports;
      if (!Array.isArray(given)) invalid('transports must be an array');
      for (const transport of given as readonly unknown[]) {
        checkTransport(transport);
        if (transports.has(transport.kind)) invalid(`two transports of kind ${transport.kind}`);
        transports.set(transport.kind, transport);
      }
    } else {
      if (options.shm !== false) {
        const shm = await loadShmTransport(options.shm ?? {});
        if (shm.transport !== undefined) {
          transports.set(shm.transport.kind, shm.transport);
          ownedTransports.push(shm.transport);
        } else {
          const reason = shm.reason;
          warnOncePerProcess(
            logger,
            `shm-unavailable: ${reason}`,
            () => `Seamless: shared memory is unavailable, using TCP only: ${reason}`,
          );
        }
      }
      const tcp = createSocketTransport({ identity, ...options.tcp });
      transports.set(tcp.kind, tcp);
      ownedTransports.push(tcp);
    }
    if (transports.size === 0) invalid('no transport: pass at least one in `transports`');
    const ownedResolver = options.resolver === undefined;
    const resolver =
      options.resolver ??
      (options.multicast === false
        ? new HostResolver(options.hostResolver)
        : composeResolvers(new HostResolver(options.hostResolver), new MulticastResolver({ logger, ...options.multicast })));
    return new Seamless({
      identity,
      localAddresses,
      resolver,
      transports,
      owned: { resolver: ownedResolver, localAddresses: ownedAddresses, transports: ownedTransports },
      options,
    });
  } catch (error) {
    await Promise.all(ownedTransports.map((transport) => transport.close()));
    if (ownedAddresses) localAddresses.close();
    throw error;
  }
}

function invalid(message: string): never {
  throw new SeamlessError(ErrorCode.InvalidArgument, message);
}

// An injected transport must speak this contract: checked here, once, so a mismatched package
// fails at createSeamless and not on the first message.
function checkTransport(value: unknown): asserts value is Transport {
  const candidate = value as Partial<Record<keyof Transport, unknown>> | null;
  if (candidate?.specificationVersion !== TRANSPORT_SPECIFICATION_VERSION) {
    invalid(`a transport speaks contract ${String(candidate?.specificationVersion)}, this facade needs ${TRANSPORT_SPECIFICATION_VERSION}`);
  }
  const kindProblem = transportKindProblem(candidate.kind);
  if (kindProblem !== undefined) invalid(`a transport's kind ${describeValue(candidate.kind)} ${kindProblem}`);
  const kind = candidate.kind as string;
  if (!TRANSPORT_REACHES.includes(candidate.reach as TransportReach)) {
    invalid(`transport ${kind}: reach must be one of ${TRANSPORT_REACHES.join(', ')}, got ${describeValue(candidate.reach)}`);
  }
  for (const method of ['parseEndpoint', 'openPublication', 'canReach', 'openSubscription', 'close'] as const) {
    if (typeof candidate[method] !== 'function') invalid(`transport ${kind}: ${method} must be a function`);
  }
}
