import { randomBytes } from 'node:crypto';
import type { LocalAddressTable } from '@seamless/local-addrs';
import type { Resolver } from '@seamless/topic-resolver';
import {
  ADVERTISEMENT_VERSION,
  ErrorCode,
  isTopicPattern,
  SeamlessError,
  TopicPattern,
  topicPatternProblem,
  validateDeliveryPolicy,
  validateHistory,
  validateMessageSize,
  validateOptionsObject,
  validateSubscriptionOptions,
  validateTopic,
} from '@seamless/transport';
import type { Advertisement, HostIdentity, Publication, Transport, TransportKind } from '@seamless/transport';
import { chooseRoute } from './choose-route.js';
import { PublicationEvents } from './publication-events.js';
import { Publisher } from './publisher.js';
import type { PublisherOptions } from './publisher.js';
import { processLogger, warnOncePerProcess } from './seamless-logger.js';
import type { SeamlessLogger } from './seamless-logger.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from './seamless-options.js';
import type { SeamlessOptions } from './seamless-options.js';
import { Subscriber } from './subscriber.js';
import type { SubscriberOptions } from './subscriber.js';

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
   * Creates a publisher on `topic` (a concrete topic, not a pattern): opens it on every
   * transport and advertises it.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID` (a pattern included), `ERR_INVALID_ARGUMENT`,
   *   `ERR_CLOSED`, `ERR_SHM_UNAVAILABLE` when no transport has room for it.
   */
  async publisher(topic: string, options: PublisherOptions = {}): Promise<Publisher> {
    this.#ensureOpen();
    concreteTopic(topic, 'publisher()');
    validateOptionsObject(options, 'publisher()', ['policy', 'maxMessageSize', 'history']);
    const policy = validateDeliveryPolicy(options.policy ?? 'reliable', 'publisher()');
    const maxMessageSize = validateMessageSize(
      options.maxMessageSize ?? this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      'publisher()',
    );
    const history = validateHistory(options.history ?? 0, 'publisher()');
    const publisherId = `p-${randomBytes(8).toString('hex')}`;
    const events = new PublicationEvents();
    const publications: Publication[] = [];
    try {
      const transports = [...this.#transports.values()];
      const endpoints: Record<TransportKind, unknown> = {};
      for (const [index, transport] of transports.entries()) {
        try {
          const publication = await transport.openPublication({ topic, publisherId, policy, maxMessageSize, history }, events);
          publications.push(publication);
          // Under the transport's kind (checked at createSeamless): what subscribers look it up by.
          endpoints[transport.kind] = publication.endpoint;
        } catch (error) {
          // A host-only transport without room (shared memory in a full /dev/shm) costs this
          // publisher the fast path, not its existence: the others carry it, for everyone.
          const others = publications.length > 0 || index < transports.length - 1;
          if (!others || transport.reach !== 'host' || !SeamlessError.isInstance(error, ErrorCode.ShmUnavailable)) throw error;
          warnOncePerProcess(
            this.#logger,
            `host-unavailable: ${transport.kind}`,
            () =>
              `Seamless: publisher "${topic}" and any later one that finds no room run without their ${transport.kind} transport: ${error.message}`,
          );
        }
      }
      const advertisement: Advertisement = {
        version: ADVERTISEMENT_VERSION,
        topic,
        publisherId,
        policy,
        maxMessageSize,
        ...(history === 0 ? {} : { history }),
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
        history,
        publications,
        lease,
        events,
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
   * transport. `topic` may be a pattern: levels are separated by `.` or `/`, `*` is exactly
   * one level and `>` (last) one or more, so `md.*` matches `md.AAPL` but not `md.us.AAPL`,
   * and `md.>` both; every matching publisher is received from, including those that appear
   * later, and `message.topic` is the concrete topic.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_INVALID_ARGUMENT`, `ERR_CLOSED`.
   */
  subscriber(topic: string, options: SubscriberOptions = {}): Promise<Subscriber> {
    let checked: SubscriberOptions;
    let pattern: TopicPattern;
    try {
      this.#ensureOpen();
      pattern = TopicPattern.parse(topic);
      checked = validateSubscriptionOptions(options, 'subscriber()');
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const subscriber: Subscriber = new Subscriber({
      pattern,
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
    concreteTopic(topic, 'send()');
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

// publisher() and send() take a concrete topic: a pattern is refused with a word on where it
// belongs, anything else invalid as validateTopic says.
function concreteTopic(topic: string, where: string): void {
  if (typeof topic === 'string' && isTopicPattern(topic) && topicPatternProblem(topic) === undefined) {
    throw new SeamlessError(
      ErrorCode.TopicInvalid,
      `${where} takes a concrete topic, not the pattern ${JSON.stringify(topic)}: patterns are for subscriber()`,
      { details: { topic } },
    );
  }
  validateTopic(topic);
}
