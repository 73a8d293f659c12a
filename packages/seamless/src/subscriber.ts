import { ErrorCode, MessageFeed, realTimers, SeamlessError } from '@seamless/transport';
import type {
  Advertisement,
  IdleStrategy,
  MessageFeedEvents,
  MessageHandler,
  Subscription,
  TopicPattern,
  Transport,
  TransportKind,
} from '@seamless/transport';
import type { Resolver } from '@seamless/topic-resolver';
import type { RouteAnswer } from './choose-route.js';
import { messageOf } from './message-of.js';

/** Options of `Seamless.subscriber()`. */
export interface SubscriberOptions {
  /** How to wait while nothing is ready: `'park'` (default), `'spin'`, `{ spinMicros }`. */
  readonly idle?: IdleStrategy;
  /** Hand `message` listeners owned copies instead of views (default false). */
  readonly copy?: boolean;
  /** Refuse messages larger than this (default: what each publisher advertises). */
  readonly maxMessageSize?: number;
  /**
   * Receive first what each publisher kept for late joiners (its `history`), then the live
   * stream (default `true`); `false`: live messages only.
   */
  readonly history?: boolean;
}

/** One publisher a subscriber receives from, and how. */
export interface Route {
  /** The publisher's topic: the concrete one a pattern subscriber matched. */
  readonly topic: string;
  readonly publisherId: string;
  readonly transport: TransportKind;
  /** Why this transport was chosen. */
  readonly reason: string;
}

/** Events of a {@link Subscriber}, beyond `message`. */
export interface SubscriberEvents extends MessageFeedEvents {
  /** A publisher of the topic was found and is now received from. */
  'publisher-added': [route: Route];
  /**
   * A publisher went away: revoked, its lease expired, its process died or its stream broke.
   * `error` says it with a code: the stream's own error (`ERR_PUBLISHER_GONE`,
   * `ERR_CONNECTION`, `ERR_PROTOCOL`, `ERR_MESSAGE_TOO_LARGE`), or `ERR_PUBLISHER_GONE` with
   * the resolver's reason in `details.reason` when discovery withdrew it. `reason` is its text.
   */
  'publisher-removed': [route: Route, reason: string, error: SeamlessError];
  /**
   * A publisher was found but cannot be reached: no route, or attaching failed. `error` has the
   * code of the last transport's failure (its `cause`), `ERR_CONNECTION` when no transport could
   * try; `reason` is its text, every attempt included.
   */
  'publisher-unreachable': [publisherId: string, reason: string, error: SeamlessError];
  /**
   * Topic resolution stopped (the resolver closed or failed): publishers appearing from now on
   * are not found. The ones attached stay attached.
   */
  'discovery-stopped': [error: SeamlessError];
}

/** What a subscriber needs from its bus; built by `Seamless.subscriber()`. */
export interface SubscriberParts {
  /** What was subscribed to: a concrete topic or a pattern. */
  readonly pattern: TopicPattern;
  readonly options: SubscriberOptions;
  readonly resolver: Resolver;
  readonly transports: ReadonlyMap<TransportKind, Transport>;
  readonly route: (advertisement: Advertisement) => RouteAnswer;
  readonly onClose: () => void;
}

// How long a publisher the resolver reported gone may still deliver what it sent before.
const REMOVAL_GRACE_MS = 1000;

interface Attached {
  readonly route: Route;
  readonly subscription: Subscription;
}

/**
 * Receives every message published on one topic, or on every topic a pattern matches, from
 * every publisher, and picks the transport per publisher (`chooseRoute`): by default shared
 * memory when the publisher is on this host, TCP otherwise. Publishers that appear later are
 * picked up; those that go away are dropped (`publisher-added`, `publisher-removed`). Order is
 * kept per publisher (`message.seq`), not across publishers. A publisher that keeps history
 * hands over what it kept first (unless `history: false`).
 *
 * Three ways to read: `message` events (zero copy: `data` is valid while the listener runs),
 * `for await` (owned copies, with back-pressure), and the synchronous {@link poll}.
 * An open subscriber keeps the process alive, like an open socket.
 *
 * @example
 * ```ts
 * const subscriber = await bus.subscriber('md.AAPL');
 * subscriber.on('publisher-added', (route) => console.log(route.publisherId, 'via', route.transport));
 * for await (const message of subscriber) console.log(message.seq, message.transport);
 * ```
 */
export class Subscriber extends MessageFeed<SubscriberEvents> {
  /** What was subscribed to, as given: a concrete topic or a pattern (`message.topic` is concrete). */
  readonly topic: string;
  /** Whether {@link topic} is a pattern. */
  readonly isPattern: boolean;
  readonly #parts: SubscriberParts;
  readonly #attached = new Map<string, Attached>();
  // The attached subscriptions as an array, for poll(): cheaper to walk than the map.
  #polled: Subscription[] = [];
  // Publishers being attached: a removal that arrives meanwhile cancels the attachment.
  readonly #pending = new Map<string, { cancelled: boolean }>();
  readonly #watch = new AbortController();
  readonly #watching: Promise<void>;
  #closing = false;

  /** @internal Built by `Seamless.subscriber()`. */
  constructor(parts: SubscriberParts) {
    super();
    this.topic = parts.pattern.text;
    this.isPattern = parts.pattern.isPattern;
    this.#parts = parts;
    this.on('subscription-ended', (subscription, reason) => {
      for (const [publisherId, attached] of this.#attached) {
        if (attached.subscription !== subscription) continue;
        this.#attached.delete(publisherId);
        this.#refreshPolled();
        this.emit('publisher-removed', attached.route, reason.message, reason);
      }
    });
    this.#watching = this.#follow();
  }

  /** The publishers received from right now, and the transport of each. */
  routes(): Route[] {
    return [...this.#attached.values()].map((attached) => attached.route);
  }

  /**
   * Hands every message that is ready now, up to `limit` (default: all), to `handler`,
   * synchronously, and returns how many. For callers that spin on their own; `data` is valid
   * until the handler returns.
   */
  poll(handler: MessageHandler, limit = Number.POSITIVE_INFINITY): number {
    if (this.closed) throw new SeamlessError(ErrorCode.Closed, `subscriber "${this.topic}" is closed`);
    if (typeof handler !== 'function') throw new SeamlessError(ErrorCode.InvalidArgument, 'poll() needs a handler function');
    let count = 0;
    for (const subscription of this.#polled) {
      if (count >= limit) break;
      try {
        count += subscription.poll(handler, limit - count);
      } catch (error) {
        // A broken stream ends that subscription (reported as publisher-removed).
        if (!SeamlessError.isInstance(error) || error.code === ErrorCode.Closed) continue;
        if (error.code !== ErrorCode.Protocol && error.code !== ErrorCode.MessageTooLarge) throw error;
      }
    }
    return count;
  }

  /** Stops watching the topic and detaches from every publisher. Idempotent. */
  override async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#watch.abort();
    for (const pending of this.#pending.values()) pending.cancelled = true;
    await super.close();
    const attached = [...this.#attached.values()];
    this.#attached.clear();
    this.#refreshPolled();
    await Promise.all(attached.map(({ subscription }) => subscription.close()));
    await this.#watching;
    this.#parts.onClose();
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #follow(): Promise<void> {
    try {
      const { pattern } = this.#parts;
      for await (const event of this.#parts.resolver.watch(this.topic, this.#watch.signal)) {
        // Held to the pattern whatever the resolver (an injected one may know only topics).
        if (!pattern.matches(event.advertisement.topic)) continue;
        if (event.type === 'added') {
          const { advertisement } = event;
          void this.#add(advertisement).catch((error: unknown) => {
            this.#unexpected(advertisement, error);
          });
        } else this.#remove(event.advertisement.publisherId, event.reason);
      }
      // The watch ended without our asking: the resolver was closed under us.
      if (!this.#closing) {
        this.emit(
          'discovery-stopped',
          new SeamlessError(ErrorCode.Closed, `topic resolution of "${this.topic}" stopped: the resolver was closed`),
        );
      }
    } catch (error) {
      // The resolver failed: nothing more will be found. Say so.
      if (!this.#closing) {
        const message = `topic resolution of "${this.topic}" stopped: ${(error as Error).message}`;
        this.emit(
          'discovery-stopped',
          new SeamlessError(SeamlessError.isInstance(error) ? error.code : ErrorCode.Connection, message, { cause: error }),
        );
      }
    }
  }

  async #add(advertisement: Advertisement): Promise<void> {
    const { publisherId, topic } = advertisement;
    if (this.#attached.has(publisherId) || this.#pending.has(publisherId) || this.#closing) return;
    const pending = { cancelled: false };
    this.#pending.set(publisherId, pending);
    try {
      const answer = this.#parts.route(advertisement);
      let subscription: Subscription | undefined;
      const attachment = { admitted: false };
      // Recorded (and announced) before the feed delivers the first message of the publisher:
      // a 'message' from it never precedes its 'publisher-added', nor its entry in routes().
      const admit = (route: Route) => (opened: Subscription) => {
        if (pending.cancelled) return false;
        this.#attached.set(publisherId, { route, subscription: opened });
        this.#refreshPolled();
        attachment.admitted = true;
        try {
          this.emit('publisher-added', route);
        } catch (error) {
          // A listener's exception is the application's, not this attachment's failure.
          realTimers.setImmediate(() => {
            throw error;
          });
        }
        return true;
      };
      const failures: string[] = [];
      let lastError: unknown;
      // chooseRoute ranked them; each transport's canReach (the shared-memory segment probe)
      // decides whether to try it or fall through to the next, and so does a failure to
      // attach. The last one is simply tried: there is nothing to fall through to, and its
      // own error says best why it cannot attach.
      for (const [index, candidate] of answer.candidates.entries()) {
        const transport = this.#parts.transports.get(candidate.kind);
        if (pending.cancelled) break;
        if (transport === undefined) continue; // chooseRoute names only the bus's transports
        const last = index === answer.candidates.length - 1;
        if (!last && !(await probe(transport, advertisement, failures))) continue;
        const route: Route = {
          topic,
          publisherId,
          transport: candidate.kind,
          reason: [candidate.reason, ...failures].join('; '),
        };
        subscription = await this.#open(transport, advertisement, admit(route)).catch((error: unknown) => {
          lastError = error;
          failures.push(`${candidate.kind}: ${messageOf(error)}`);
          return undefined;
        });
        if (subscription !== undefined) break;
      }
      if (subscription === undefined) {
        if (!pending.cancelled) {
          const reason = [answer.reason, ...failures].join('; ');
          const code = SeamlessError.isInstance(lastError) ? lastError.code : ErrorCode.Connection;
          const error = new SeamlessError(code, `publisher ${publisherId} of "${topic}" is unreachable: ${reason}`, {
            ...(lastError === undefined ? {} : { cause: lastError }),
            details: { publisherId, reason },
          });
          this.emit('publisher-unreachable', publisherId, reason, error);
        }
        return;
      }
      if (!attachment.admitted) await subscription.close(); // removed while it was being opened
    } finally {
      this.#pending.delete(publisherId);
    }
  }

  // Only a transport that broke the contract (a throwing canReach or parseEndpoint is caught
  // where it is called) gets here: say so as the publisher being unreachable, never crash.
  #unexpected(advertisement: Advertisement, error: unknown): void {
    if (this.#closing) return;
    const { publisherId, topic } = advertisement;
    const reason = `attaching failed unexpectedly: ${messageOf(error)}`;
    this.emit(
      'publisher-unreachable',
      publisherId,
      reason,
      new SeamlessError(ErrorCode.Connection, `publisher ${publisherId} of "${topic}" is unreachable: ${reason}`, {
        cause: error,
        details: { publisherId, reason },
      }),
    );
  }

  #refreshPolled(): void {
    this.#polled = [...this.#attached.values()].map((attached) => attached.subscription);
  }

  #open(transport: Transport, advertisement: Advertisement, admit: (subscription: Subscription) => boolean): Promise<Subscription> {
    const { idle, copy, maxMessageSize, history } = this.#parts.options;
    return this.attach(
      (listener) =>
        transport.openSubscription(
          advertisement,
          {
            ...(idle === undefined ? {} : { idle }),
            ...(copy === undefined ? {} : { copy }),
            ...(maxMessageSize === undefined ? {} : { maxMessageSize }),
            ...(history === undefined ? {} : { history }),
          },
          listener,
        ),
      admit,
    );
  }

  // The resolver says the publisher is gone. Its subscription usually learns it too (a closed
  // ring, a closed connection) and ends after delivering everything the publisher sent; give
  // it that chance, then cut it off.
  #remove(publisherId: string, reason: string): void {
    const pending = this.#pending.get(publisherId);
    if (pending !== undefined) pending.cancelled = true;
    const attached = this.#attached.get(publisherId);
    if (attached === undefined) return;
    realTimers
      .setTimeout(() => {
        if (this.#attached.get(publisherId) !== attached) return;
        this.#attached.delete(publisherId);
        this.#refreshPolled();
        this.detach(attached.subscription);
        const { topic } = attached.route;
        const error = new SeamlessError(ErrorCode.PublisherGone, `publisher ${publisherId} of "${topic}" is gone (${reason})`, {
          details: { publisherId, reason },
        });
        this.emit('publisher-removed', attached.route, reason, error);
        void attached.subscription.close();
      }, REMOVAL_GRACE_MS)
      .unref();
  }
}

// A transport's canReach, held to its contract: an exception counts as "no", with the reason.
async function probe(transport: Transport, advertisement: Advertisement, failures: string[]): Promise<boolean> {
  try {
    if (await transport.canReach(advertisement)) return true;
    failures.push(`${transport.kind}: cannot reach it from here (its probe failed)`);
  } catch (error) {
    failures.push(`${transport.kind}: its probe failed: ${messageOf(error)}`);
  }
  return false;
}
