import {
  describeValue,
  ErrorCode,
  invalidArgument,
  parseAdvertisement,
  requireEndpoint,
  SeamlessError,
  TRANSPORT_SPECIFICATION_VERSION,
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
import { hostname as osHostname } from 'node:os';
import { chooseAddresses } from './choose-addresses.js';
import { connectToPublisher } from './connect-to-publisher.js';
import type { StreamStart } from './handshake.js';
import { TCP_TRANSPORT_KIND, parseSocketEndpoint } from './socket-endpoint.js';
import type { SocketEndpoint } from './socket-endpoint.js';
import { SocketPublicationImpl } from './socket-publication.js';
import type { SocketPublication } from './socket-publication.js';
import { SocketServer } from './socket-server.js';
import { SocketSubscriptionImpl } from './socket-subscription.js';
import type { SocketSubscription } from './socket-subscription.js';
import { resolveSocketTransportOptions } from './socket-transport-options.js';
import type { ResolvedOptions, SocketTransportOptions } from './socket-transport-options.js';

/**
 * The socket transport: a {@link Transport} of kind `'tcp'` whose publications and
 * subscriptions carry the socket-specific figures.
 *
 * @example
 * ```ts
 * const transport: SocketTransport = createSocketTransport({ identity: hostIdentity() });
 * if (await transport.canReach(advertisement)) await transport.openSubscription(advertisement, {}, listener);
 * ```
 */
export interface SocketTransport extends Transport<SocketEndpoint> {
  readonly kind: typeof TCP_TRANSPORT_KIND;
  /**
   * Opens the sending side of one publisher. The first call starts the listener; every
   * publication of this transport shares it and advertises its port.
   *
   * @throws SeamlessError `ERR_TOPIC_INVALID`, `ERR_INVALID_ARGUMENT` for bad options or a
   *   publisher id already open here, `ERR_CONNECTION` when the listener cannot bind,
   *   `ERR_CLOSED` after `close()`.
   */
  openPublication(options: PublicationOptions, listener?: PublicationListener): Promise<SocketPublication>;
  /**
   * Connects to one advertised publisher (one pass over its usable addresses) and returns the
   * subscription; after that it reconnects by itself.
   *
   * @throws SeamlessError `ERR_ADVERTISEMENT_INVALID` (no or a malformed tcp endpoint),
   *   `ERR_INVALID_ARGUMENT` (bad options), `ERR_CONNECTION` (no usable address, unreachable, TLS refused, plain TCP
   *   refused because `tls.client` is set), `ERR_PUBLISHER_GONE` (the listener does not know
   *   the publisher), `ERR_PROTOCOL`, `ERR_CLOSED`.
   */
  openSubscription(advertisement: Advertisement, options: SubscriptionOptions, listener: SubscriptionListener): Promise<SocketSubscription>;
  /** The listening port, once the first publication opened the listener. */
  readonly port: number | undefined;
  /**
   * The address the listener is bound to, once open: `'::'` or `'0.0.0.0'` for all interfaces
   * (advertise every address of the host), otherwise the one address to advertise.
   */
  readonly address: string | undefined;
}

/**
 * Creates the TCP (and TLS) transport. It listens only once a publication is opened (one
 * listening socket for all of them), and connects to publishers for subscriptions.
 *
 * @throws SeamlessError `ERR_INVALID_ARGUMENT` for bad options, naming the field.
 *
 * @example
 * ```ts
 * import { createSocketTransport } from '@seamless/socket-transport';
 *
 * const identity = { bootId: 'boot', ipcNamespace: 'ipc', netNamespace: 'net', hostname: 'here' };
 * const transport = createSocketTransport({ host: '127.0.0.1', identity });
 * const publication = await transport.openPublication({
 *   topic: 'md.AAPL', publisherId: 'p1', policy: 'reliable', maxMessageSize: 1024,
 * });
 * console.log(publication.endpoint); // { port: 41234, tls: false }
 * await transport.close();
 * ```
 */
export function createSocketTransport(options: SocketTransportOptions = {}): SocketTransport {
  const settings = resolveSocketTransportOptions(options);
  return new SocketTransportImpl(settings);
}

class SocketTransportImpl implements SocketTransport {
  readonly specificationVersion = TRANSPORT_SPECIFICATION_VERSION;
  readonly kind = TCP_TRANSPORT_KIND;
  readonly reach = 'network' as const;

  readonly #server: SocketServer;
  readonly #publications = new Set<SocketPublicationImpl>();
  readonly #subscriptions = new Set<SocketSubscriptionImpl>();
  readonly #connecting = new Set<AbortController>();
  #closing: Promise<void> | undefined;

  readonly #settings: ResolvedOptions;

  constructor(settings: ResolvedOptions) {
    this.#settings = settings;
    this.#server = new SocketServer(settings);
  }

  get port(): number | undefined {
    return this.#server.port;
  }

  get address(): string | undefined {
    return this.#server.address;
  }

  async openPublication(options: PublicationOptions, listener?: PublicationListener): Promise<SocketPublication> {
    this.#checkOpen();
    const checked = this.#checkPublicationOptions(options);
    if (listener !== undefined && (typeof listener !== 'object' || (listener as unknown) === null)) {
      throw invalid(`openPublication: listener must be an object, got ${describeValue(listener)}`);
    }
    for (const method of ['subscribersChanged', 'subscriberAdded', 'subscriberRemoved'] as const) {
      if (listener?.[method] !== undefined && typeof listener[method] !== 'function') {
        throw invalid(`openPublication: listener.${method} must be a function`);
      }
    }
    if (this.#server.has(checked.publisherId)) {
      throw invalid(`openPublication: publisher id "${checked.publisherId}" is already open on this transport`);
    }
    const port = await this.#server.listen();
    this.#checkOpen();
    if (this.#server.has(checked.publisherId)) {
      throw invalid(`openPublication: publisher id "${checked.publisherId}" is already open on this transport`);
    }
    const publication = new SocketPublicationImpl({
      ...checked,
      history: checked.history ?? 0,
      endpoint: Object.freeze({ port, tls: this.#server.tls }),
      listener,
      maxSendQueueBytes: this.#settings.maxSendQueueBytes,
      heartbeat: this.#settings.heartbeat,
      lingerMs: this.#settings.lingerMs,
      onProblem: this.#settings.onConnectionError,
      onClose: (closing) => {
        this.#server.remove(closing);
        this.#publications.delete(closing);
      },
    });
    this.#publications.add(publication);
    this.#server.add(publication);
    return publication;
  }

  parseEndpoint(value: unknown): SocketEndpoint {
    return parseSocketEndpoint(value);
  }

  canReach(advertisement: Advertisement): Promise<boolean> {
    try {
      if (this.#closing !== undefined) return Promise.resolve(false);
      const parsed = parseAdvertisement(advertisement);
      return Promise.resolve(this.#plan(parsed).problem === undefined);
    } catch {
      return Promise.resolve(false);
    }
  }

  async openSubscription(
    advertisement: Advertisement,
    options: SubscriptionOptions,
    listener: SubscriptionListener,
  ): Promise<SocketSubscription> {
    this.#checkOpen();
    const parsed = parseAdvertisement(advertisement);
    const checked = this.#checkSubscriptionOptions(options, parsed);
    if (typeof listener !== 'object' || (listener as unknown) === null) {
      throw invalid(`openSubscription: listener must be an object, got ${describeValue(listener)}`);
    }
    if (typeof listener.readable !== 'function' || typeof listener.ended !== 'function') {
      throw invalid('openSubscription: listener must have readable() and ended() methods');
    }
    const plan = this.#plan(parsed);
    if (plan.problem !== undefined) throw plan.problem;
    const settings = this.#settings;
    const hostname = settings.identity?.hostname ?? osHostname();
    const connect = (signal: AbortSignal, start: StreamStart): ReturnType<typeof connectToPublisher> =>
      connectToPublisher({
        topic: parsed.topic,
        publisherId: parsed.publisherId,
        addresses: plan.addresses,
        port: plan.port,
        tls: plan.tls ? (settings.tls.client ?? {}) : undefined,
        maxMessageSize: checked.maxMessageSize,
        heartbeatTimeoutMs: settings.heartbeat.timeoutMs,
        connectTimeoutMs: settings.connectTimeoutMs,
        network: settings.network,
        start,
        pid: process.pid,
        hostname,
        signal,
      });
    const controller = new AbortController();
    this.#connecting.add(controller);
    let first;
    try {
      first = await connect(controller.signal, checked.history ? 'oldest' : 'live');
    } finally {
      this.#connecting.delete(controller);
    }
    if (this.#closing !== undefined) {
      first.socket.destroy();
      this.#checkOpen();
    }
    const subscription = new SocketSubscriptionImpl(
      {
        topic: parsed.topic,
        publisherId: parsed.publisherId,
        listener,
        copy: checked.copy,
        history: checked.history,
        maxReceiveQueueBytes: settings.maxReceiveQueueBytes,
        heartbeat: settings.heartbeat,
        reconnect: settings.reconnect,
        random: settings.random,
        connect,
        onClose: (closed) => this.#subscriptions.delete(closed),
      },
      first,
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    for (const controller of this.#connecting) controller.abort();
    await Promise.all([
      ...[...this.#subscriptions].map((subscription) => subscription.close()),
      ...[...this.#publications].map((publication) => publication.close()),
    ]);
    await this.#server.close();
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw new SeamlessError(ErrorCode.Closed, 'the socket transport is closed');
  }

  /** Where and how to connect to an advertised publisher, or why not. */
  #plan(advertisement: Advertisement): {
    readonly addresses: readonly string[];
    readonly port: number;
    readonly tls: boolean;
    readonly problem?: SeamlessError;
  } {
    const who = `publisher "${advertisement.publisherId}" of topic "${advertisement.topic}"`;
    let endpoint: SocketEndpoint;
    try {
      endpoint = parseSocketEndpoint(requireEndpoint(advertisement, TCP_TRANSPORT_KIND));
    } catch (error) {
      return { addresses: [], port: 0, tls: false, problem: error as SeamlessError };
    }
    if (!endpoint.tls && this.#settings.tls.client !== undefined) {
      return {
        addresses: [],
        port: endpoint.port,
        tls: false,
        problem: new SeamlessError(
          ErrorCode.Connection,
          `${who} offers plain TCP only; refused because this transport has tls.client options (no downgrade)`,
          { details: { publisherId: advertisement.publisherId } },
        ),
      };
    }
    const choice = chooseAddresses(advertisement.addresses, advertisement.host, this.#settings.identity);
    if (choice.addresses.length === 0) {
      const skipped = choice.skipped.map(({ address, reason }) => `${address} (${reason})`).join(', ');
      const hint =
        this.#settings.identity === undefined && choice.skipped.some(({ reason }) => reason.startsWith('loopback'))
          ? '; loopback addresses are used only with the identity option (hostIdentity() of @seamless/local-addrs)'
          : '';
      return {
        addresses: [],
        port: endpoint.port,
        tls: endpoint.tls,
        problem: new SeamlessError(
          ErrorCode.Connection,
          `${who} has no usable address${skipped === '' ? '' : `: skipped ${skipped}`}${hint}`,
          { details: { publisherId: advertisement.publisherId, skipped: choice.skipped } },
        ),
      };
    }
    return { addresses: choice.addresses, port: endpoint.port, tls: endpoint.tls };
  }

  #checkPublicationOptions(options: PublicationOptions): PublicationOptions {
    const checked = validatePublicationOptions(options, 'openPublication');
    if (checked.maxMessageSize > this.#settings.maxMessageSize) {
      throw invalidArgument(
        'openPublication',
        'maxMessageSize',
        `must be at most this transport's maxMessageSize ${this.#settings.maxMessageSize}`,
        checked.maxMessageSize,
      );
    }
    return checked;
  }

  #checkSubscriptionOptions(
    options: SubscriptionOptions,
    advertisement: Advertisement,
  ): { copy: boolean; history: boolean; maxMessageSize: number } {
    const { copy = false, history = true, maxMessageSize } = validateSubscriptionOptions(options, 'openSubscription');
    return {
      copy,
      history,
      maxMessageSize: Math.min(maxMessageSize ?? advertisement.maxMessageSize, this.#settings.maxMessageSize),
    };
  }
}

function invalid(message: string): SeamlessError {
  return new SeamlessError(ErrorCode.InvalidArgument, message);
}
