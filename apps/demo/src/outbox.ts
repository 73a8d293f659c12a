import { ErrorCode, SeamlessError } from '@seamless/seamless';

/** The part of a Seamless publisher an {@link Outbox} uses. */
export interface OutboxPublisher {
  readonly topic: string;
  send(data: Uint8Array): boolean;
  drained(): Promise<void>;
}

/**
 * Sends on a `'reliable'` publisher without ever blocking the caller: a message the publisher
 * refuses (a subscriber is back-pressured) is copied into a queue, and the queue is sent, in
 * order, as soon as the publisher has room. Nothing is dropped unless the queue reaches
 * `capacity` (a subscriber that stopped reading for a very long time); then the oldest message
 * is dropped and counted, and `onDrop` hears of it.
 *
 * @example
 * ```ts
 * const orders = new Outbox(await bus.publisher('algo.orders'));
 * orders.send(encodeOrder(order)); // returns at once, whatever the subscribers do
 * ```
 */
export class Outbox {
  readonly #publisher: OutboxPublisher;
  readonly #capacity: number;
  readonly #onDrop: (dropped: number) => void;
  readonly #onError: (error: unknown) => void;
  readonly #queue: Uint8Array[] = [];
  #flushing = false;
  #dropped = 0;
  #closed = false;

  constructor(
    publisher: OutboxPublisher,
    options: {
      readonly capacity?: number;
      readonly onDrop?: (dropped: number) => void;
      /** A failure other than the publisher being closed; the outbox closes after it. */
      readonly onError?: (error: unknown) => void;
    } = {},
  ) {
    this.#publisher = publisher;
    this.#capacity = options.capacity ?? 10_000;
    this.#onDrop = options.onDrop ?? (() => undefined);
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Messages waiting for room. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Messages dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Sends `data` now, or queues a copy of it to send in order when there is room. */
  send(data: Uint8Array): void {
    if (this.#closed) return;
    try {
      if (this.#queue.length === 0 && this.#publisher.send(data)) return;
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (this.#queue.length >= this.#capacity) {
      this.#queue.shift();
      this.#dropped++;
      this.#onDrop(this.#dropped);
    }
    this.#queue.push(data.slice());
    if (!this.#flushing) void this.#flush();
  }

  /** Stops sending; what is still queued is discarded. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (!this.#closed) {
        const next = this.#queue[0];
        if (next === undefined) return;
        if (this.#publisher.send(next)) this.#queue.shift();
        else await this.#publisher.drained();
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#flushing = false;
    }
  }

  #fail(error: unknown): void {
    // Closed under us means the process is stopping: nothing more to send, nothing to say.
    if (!SeamlessError.isInstance(error, ErrorCode.Closed)) this.#onError(error);
    this.close();
  }
}
