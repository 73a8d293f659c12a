import { ErrorCode, MessageFeed, SeamlessError } from '@seamless/transport';
import type { Advertisement, MessageHandler, SubscriptionListener, SubscriptionOptions } from '@seamless/transport';
import type { ShmSubscription } from './shm-subscription.js';

/** What {@link ShmSubscriber.open} needs from a shared-memory transport. */
export interface ShmSubscriptionOpener {
  openSubscription(advertisement: Advertisement, options: SubscriptionOptions, listener: SubscriptionListener): Promise<ShmSubscription>;
}

/**
 * One shared-memory subscription in the forms applications use: `message` events (zero copy:
 * the data is a view into the ring, valid while the listener runs), async iteration (owned
 * copies, with back-pressure: the ring is read only as fast as the loop asks), and the
 * synchronous {@link ShmSubscriber.poll} for callers that spin on their own. When the
 * publisher goes away it emits `subscription-ended` with the reason and ends every
 * iteration. While open it keeps the process alive, like a socket; after `close()` it does not.
 *
 * @example
 * ```ts
 * const subscriber = await ShmSubscriber.open(transport, advertisement, { idle: 'park' });
 * subscriber.on('subscription-ended', (_, reason) => console.log(reason.code)); // ERR_PUBLISHER_GONE
 * for await (const message of subscriber) console.log(message.seq);
 * ```
 */
export class ShmSubscriber extends MessageFeed {
  #subscription: ShmSubscription | undefined;

  private constructor() {
    super();
    this.on('subscription-ended', () => {
      void this.close();
    });
  }

  /** Attaches to the advertised publisher. Rejects as `openSubscription` does. */
  static async open(
    transport: ShmSubscriptionOpener,
    advertisement: Advertisement,
    options: SubscriptionOptions = {},
  ): Promise<ShmSubscriber> {
    const subscriber = new ShmSubscriber();
    subscriber.#subscription = await subscriber.attach((listener) => transport.openSubscription(advertisement, options, listener));
    return subscriber;
  }

  /** The underlying transport subscription. */
  get subscription(): ShmSubscription {
    if (this.#subscription === undefined) throw new SeamlessError(ErrorCode.Closed, 'not attached');
    return this.#subscription;
  }

  /** Messages lost so far (lapped under the `'latest'` policy). */
  get lost(): number {
    return this.#subscription?.lost ?? 0;
  }

  /** Hands what is ready now to `handler`, synchronously (see `Subscription.poll`). */
  poll(handler: MessageHandler, limit?: number): number {
    return this.subscription.poll(handler, limit);
  }

  /** Ends every iteration, detaches and frees the reader slot. Idempotent. */
  override async close(): Promise<void> {
    await super.close();
    await this.#subscription?.close();
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
