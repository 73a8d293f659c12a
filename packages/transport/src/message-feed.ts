import { EventEmitter } from 'node:events';
import type { Message } from './message.js';
import { ErrorCode, SeamlessError } from './seamless-error.js';
import type { Subscription, SubscriptionListener } from './subscription.js';
import { realTimers } from './real-timers.js';

/** Events of a {@link MessageFeed}. */
export interface MessageFeedEvents {
  /** One message; `data` is a view valid only while the listener runs. */
  message: [message: Message];
  /** One of the feed's subscriptions ended on its own (publisher gone, broken stream). */
  'subscription-ended': [subscription: Subscription, reason: SeamlessError];
  /** The feed was closed. */
  close: [];
}

function copyOf(message: Message): Message {
  return {
    topic: message.topic,
    data: message.data.slice(),
    seq: message.seq,
    publisherId: message.publisherId,
    transport: message.transport,
    lost: message.lost,
  };
}

/**
 * Turns pull-based {@link Subscription}s into the two forms applications use: `message`
 * events (push, zero copy: the data is a view valid while the listener runs) and async
 * iteration (pull, owned copies). Messages of one subscription keep their order; those of
 * several subscriptions interleave as they arrive.
 *
 * Back-pressure is kept: with only iterators attached, a subscription is polled only for as
 * many messages as iterators are waiting for, so a slow consumer holds back a `'reliable'`
 * publisher instead of growing a queue. With `message` listeners everything ready is
 * delivered at once, and iterators buffer at most `maxBuffered` messages meanwhile (polling
 * pauses while that buffer is full).
 *
 * An exception thrown by a `message` listener propagates (as from any event emitter); the
 * message counts as delivered and the feed stays usable.
 *
 * @example
 * ```ts
 * const feed = new MessageFeed();
 * await feed.attach((listener) => transport.openSubscription(advertisement, {}, listener));
 * feed.on('message', (message) => console.log(message.seq, message.data.byteLength));
 * ```
 */
export class MessageFeed<Events extends MessageFeedEvents & Record<keyof Events, unknown[]> = MessageFeedEvents>
  extends EventEmitter<Events>
  implements AsyncIterable<Message>
{
  readonly #maxBuffered: number;
  readonly #subscriptions = new Set<Subscription>();
  readonly #ready = new Set<Subscription>();
  readonly #buffer: Message[] = [];
  readonly #waiting: ((result: IteratorResult<Message>) => void)[] = [];
  // The feed's own events, typed whatever a subclass adds to the event map.
  readonly #events = this as unknown as EventEmitter<MessageFeedEvents>;
  #iterators = 0;
  #draining = false;
  #scheduled = false;
  #closed = false;

  constructor(options: { readonly maxBuffered?: number } = {}) {
    super();
    this.#maxBuffered = options.maxBuffered ?? 1024;
    // A listener added later gets what is already waiting.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'message') this.#schedule();
    });
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The subscriptions the feed delivers from. */
  get subscriptions(): readonly Subscription[] {
    return [...this.#subscriptions];
  }

  /**
   * Opens a subscription with a listener wired to this feed (`open` receives it) and starts
   * delivering its messages. Resolves with the subscription; rejects as `open` does.
   *
   * `admit`, if given, is called with the opened subscription before any of its messages is
   * delivered (to record where they come from, say); when it returns `false` the feed does not
   * deliver from it, and closing it is the caller's.
   */
  async attach<S extends Subscription>(
    open: (listener: SubscriptionListener) => Promise<S>,
    admit?: (subscription: S) => boolean,
  ): Promise<S> {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, 'the message feed is closed');
    // `readable` may fire before `open` resolves: it is remembered through `attached`.
    const attached: { subscription?: S } = {};
    const opened = await open({
      readable: () => {
        if (attached.subscription !== undefined) this.#markReady(attached.subscription);
      },
      ended: (reason) => {
        const { subscription } = attached;
        if (subscription === undefined || !this.#subscriptions.delete(subscription)) return;
        this.#ready.delete(subscription);
        this.#events.emit('subscription-ended', subscription, reason);
      },
    });
    attached.subscription = opened;
    if (this.closed) return opened;
    if (admit !== undefined && !admit(opened)) return opened;
    this.#subscriptions.add(opened);
    this.#markReady(opened); // whatever is already there
    return opened;
  }

  /** Stops delivering from `subscription` (without closing it). */
  detach(subscription: Subscription): void {
    this.#subscriptions.delete(subscription);
    this.#ready.delete(subscription);
  }

  /**
   * Ends every iteration (pending `next()` calls resolve as done) and stops delivering. The
   * subscriptions are not closed (subclasses that own them do).
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#subscriptions.clear();
    this.#ready.clear();
    this.#buffer.length = 0;
    for (const resolve of this.#waiting.splice(0)) resolve({ done: true, value: undefined });
    this.#events.emit('close');
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    this.#iterators++;
    let finished = false;
    const finish = (): IteratorResult<Message> => {
      if (!finished) {
        finished = true;
        this.#iterators--;
      }
      return { done: true, value: undefined };
    };
    return {
      next: () => {
        if (finished) return Promise.resolve({ done: true, value: undefined });
        const buffered = this.#buffer.shift();
        if (buffered !== undefined) {
          this.#schedule();
          return Promise.resolve({ done: false, value: buffered });
        }
        if (this.#closed) return Promise.resolve(finish());
        return new Promise<IteratorResult<Message>>((resolve) => {
          this.#waiting.push((result) => {
            resolve(result.done === true ? finish() : result);
          });
          this.#schedule();
        });
      },
      return: () => Promise.resolve(finish()),
    };
  }

  #markReady(subscription: Subscription): void {
    if (this.#closed || !this.#subscriptions.has(subscription)) return;
    this.#ready.add(subscription);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    realTimers.queueMicrotask(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #scheduleAfterThrow(): void {
    realTimers.setImmediate(() => {
      this.#schedule();
    });
  }

  // How many more messages the consumers want right now.
  #wanted(): number {
    if (this.#events.listenerCount('message') > 0) {
      return this.#iterators > 0 ? this.#maxBuffered - this.#buffer.length + this.#waiting.length : Number.POSITIVE_INFINITY;
    }
    return this.#waiting.length;
  }

  #drain(): void {
    if (this.#draining || this.#closed) return;
    this.#draining = true;
    try {
      let progress = true;
      while (progress && !this.closed) {
        progress = false;
        for (const subscription of [...this.#ready]) {
          const wanted = this.#wanted();
          if (wanted <= 0) return; // stays ready until someone wants more
          let count: number;
          try {
            count = subscription.poll((message) => {
              this.#deliver(message);
            }, wanted);
          } catch (error) {
            // A broken stream ends that subscription (its `ended` reports why); anything else
            // (a listener's exception) propagates, and delivery resumes on the next turn.
            if (!SeamlessError.isInstance(error)) {
              this.#scheduleAfterThrow();
              throw error;
            }
            this.#ready.delete(subscription);
            continue;
          }
          if (count === 0)
            this.#ready.delete(subscription); // it re-arms its own wake-up
          else progress = true;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #deliver(message: Message): void {
    if (this.#iterators > 0) {
      const copy = copyOf(message);
      const waiter = this.#waiting.shift();
      if (waiter !== undefined) waiter({ done: false, value: copy });
      else this.#buffer.push(copy);
    }
    this.#events.emit('message', message);
  }
}
