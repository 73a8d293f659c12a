import { EventEmitter } from 'node:events';
import { ErrorCode, describeValue, realTimers, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy, Publication, SubscriberInfo, TransportKind } from '@seamless/transport';
import type { Lease } from '@seamless/topic-resolver';
import type { PublicationEvents } from './publication-events.js';

const encoder = new TextEncoder();

/** Options of `Seamless.publisher()`. */
export interface PublisherOptions {
  /** `'reliable'` (default: nothing is ever dropped; `send` says when to wait) or `'latest'`. */
  readonly policy?: DeliveryPolicy;
  /** The largest message this publisher will send, in bytes (default: the bus's, 64 KiB). */
  readonly maxMessageSize?: number;
  /**
   * How many of its latest messages to keep for subscribers that attach later (default 0, at
   * most 65,536): a late joiner receives them first, with their original `seq` and in order,
   * then the live stream, with no gap and no duplicate at the join. With `'latest'` and
   * `history: 1` a late joiner gets the current value at once (a last value cache). Costs
   * memory on every transport: shared memory sizes its ring for `history` messages of
   * `maxMessageSize` more, TCP keeps copies of them.
   */
  readonly history?: number;
}

/** Events of a {@link Publisher}. */
export interface PublisherEvents {
  /**
   * A subscriber attached, over `subscriber.transport`. Shared memory notices a reader on its
   * next check of the ring (a few milliseconds), so the first messages may reach it before
   * this is emitted.
   */
  'subscriber-added': [subscriber: SubscriberInfo];
  /** A subscriber reported added went away: it closed, its process died, its connection broke. */
  'subscriber-removed': [subscriber: SubscriberInfo];
}

/** Options of {@link Publisher.waitForSubscribers}. */
export interface WaitOptions {
  /** Gives up with `ERR_ABORTED` when aborted. */
  readonly signal?: AbortSignal;
  /** Gives up with `ERR_TIMEOUT` after this long. */
  readonly timeoutMs?: number;
}

/** What a {@link Publisher} is made of; built by `Seamless.publisher()`. */
export interface PublisherParts {
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  readonly history: number;
  readonly publications: readonly Publication[];
  readonly lease: Lease;
  /** What the publications report to; the publisher connects to it. */
  readonly events: PublicationEvents;
  readonly onClose: () => void;
}

/**
 * Sends messages on one topic to every subscriber, over every transport of the bus at the same
 * time (by default shared memory to those on this host, TCP to the others). Every message gets the next sequence number of this
 * publisher (0 for the first), the same on every transport. With `history`, it keeps its
 * latest messages for subscribers that attach later. It emits `subscriber-added` and
 * `subscriber-removed` ({@link PublisherEvents}) as its audience changes.
 *
 * @example
 * ```ts
 * const publisher = await bus.publisher('md.AAPL', { history: 10 });
 * publisher.on('subscriber-added', (subscriber) => console.log('new', subscriber.transport, 'subscriber', subscriber.id));
 * await publisher.waitForSubscribers(1, { timeoutMs: 5000 });
 * if (!publisher.send(bytes)) await publisher.drained(); // back-pressure: retry after this
 * await publisher.close();
 * ```
 */
export class Publisher extends EventEmitter<PublisherEvents> {
  readonly topic: string;
  /** Unique for this publisher instance; carried on every message (`message.publisherId`). */
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  /** How many of its latest messages it keeps for late joiners (0: none). */
  readonly history: number;
  readonly #publications: readonly Publication[];
  readonly #single: Publication | undefined;
  readonly #lease: Lease;
  readonly #onClose: () => void;
  readonly #countWaiters = new Set<() => void>();
  #sequence = 0;
  #refusedLength = 0;
  #closed = false;

  /** @internal Built by `Seamless.publisher()`. */
  constructor(parts: PublisherParts) {
    super();
    this.topic = parts.topic;
    this.publisherId = parts.publisherId;
    this.policy = parts.policy;
    this.maxMessageSize = parts.maxMessageSize;
    this.history = parts.history;
    this.#publications = parts.publications;
    this.#single = parts.publications.length === 1 ? parts.publications[0] : undefined;
    this.#lease = parts.lease;
    this.#onClose = parts.onClose;
    parts.events.connect({
      subscribersChanged: () => {
        for (const wake of [...this.#countWaiters]) wake();
      },
      subscriberAdded: (subscriber) => {
        if (!this.#closed) this.emit('subscriber-added', subscriber);
      },
      subscriberRemoved: (subscriber) => {
        if (!this.#closed) this.emit('subscriber-removed', subscriber);
      },
    });
  }

  /** The sequence number the next message will get. */
  get nextSequence(): number {
    return this.#sequence;
  }

  /**
   * The transports this publisher is open on. Usually all of the bus's; without shared memory
   * when /dev/shm had no room for its segment (the bus warned once).
   */
  get transports(): TransportKind[] {
    return this.#publications.map((publication) => publication.kind);
  }

  /** Subscribers attached right now, over every transport. */
  get subscriberCount(): number {
    let count = 0;
    for (const publication of this.#publications) count += publication.subscriberCount;
    return count;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one message, synchronously. A string is sent as UTF-8. Returns `false`, having sent
   * nothing to anyone, when a `'reliable'` subscriber has no room; retry after
   * {@link drained}. Under `'latest'` it always returns true.
   *
   * @throws SeamlessError `ERR_MESSAGE_TOO_LARGE` beyond `maxMessageSize` (nothing is sent),
   *   `ERR_INVALID_ARGUMENT` for anything but a `Uint8Array` or string, `ERR_CLOSED`.
   */
  send(data: Uint8Array | string): boolean {
    if (this.#closed) this.#fail(ErrorCode.Closed, 'is closed');
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (!(bytes instanceof Uint8Array)) {
      this.#fail(ErrorCode.InvalidArgument, `can send a Uint8Array or a string, not ${describeValue(data)}`);
    }
    if (bytes.length > this.maxMessageSize) {
      throw new SeamlessError(
        ErrorCode.MessageTooLarge,
        `message of ${bytes.length} bytes exceeds maxMessageSize ${this.maxMessageSize} of publisher "${this.topic}"`,
        { details: { length: bytes.length, maxMessageSize: this.maxMessageSize } },
      );
    }
    const single = this.#single;
    if (single !== undefined) {
      if (!single.send(bytes, this.#sequence)) {
        this.#refusedLength = bytes.length;
        return false;
      }
      this.#sequence++;
      return true;
    }
    // All or nothing: every transport numbers its messages alike, so each must take this one.
    // A publication that counts its subscribers exactly, has none (TCP without connections)
    // and keeps no history would only drop it: it is left out. One that cannot count them exactly always gets the
    // message (shared memory: a reader may join its ring before the publisher hears of it).
    const publications = this.#publications;
    if (this.policy === 'reliable') {
      for (const publication of publications) {
        if (skippable(publication)) continue;
        if (!publication.canSend(bytes.length)) {
          this.#refusedLength = bytes.length;
          return false;
        }
      }
    }
    for (const publication of publications) {
      if (!skippable(publication)) publication.send(bytes, this.#sequence);
    }
    this.#sequence++;
    return true;
  }

  /**
   * Resolves once the message that was last refused (or one of `length` bytes) would be
   * accepted by every transport.
   *
   * @throws SeamlessError `ERR_CLOSED` when closed while waiting, `ERR_ABORTED`.
   */
  async drained(options: { readonly length?: number; readonly signal?: AbortSignal } = {}): Promise<void> {
    const length = options.length ?? this.#refusedLength;
    for (;;) {
      if (this.#closed) this.#fail(ErrorCode.Closed, 'is closed');
      // As send() does: with several, a publication it would skip does not hold anyone back.
      const several = this.#single === undefined;
      const blocked = this.#publications.find((publication) => !(several && skippable(publication)) && !publication.canSend(length));
      if (blocked === undefined) return;
      await blocked.drained(length, options.signal);
    }
  }

  /**
   * Resolves when at least `count` subscribers are attached (over any transport).
   *
   * @throws SeamlessError `ERR_TIMEOUT` after `timeoutMs`, `ERR_ABORTED`, `ERR_CLOSED`.
   */
  waitForSubscribers(count: number, options: WaitOptions = {}): Promise<void> {
    if (!Number.isInteger(count) || count < 0) {
      return Promise.reject(new SeamlessError(ErrorCode.InvalidArgument, `count must be a non-negative integer, got ${String(count)}`));
    }
    return new Promise<void>((resolve, reject) => {
      const { signal, timeoutMs } = options;
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: SeamlessError): void => {
        this.#countWaiters.delete(check);
        signal?.removeEventListener('abort', aborted);
        if (timer !== undefined) realTimers.clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (): void => {
        if (this.#closed) finish(new SeamlessError(ErrorCode.Closed, `publisher "${this.topic}" was closed`));
        else if (this.subscriberCount >= count) finish();
      };
      const aborted = (): void => {
        finish(new SeamlessError(ErrorCode.Aborted, 'waitForSubscribers() was aborted', { cause: signal?.reason }));
      };
      if (signal?.aborted === true) {
        aborted();
        return;
      }
      signal?.addEventListener('abort', aborted);
      if (timeoutMs !== undefined) {
        timer = realTimers.setTimeout(() => {
          finish(
            new SeamlessError(
              ErrorCode.Timeout,
              `publisher "${this.topic}" has ${this.subscriberCount} of ${count} subscribers after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      }
      this.#countWaiters.add(check);
      check();
    });
  }

  /** Withdraws the advertisement and closes every transport's publication. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#countWaiters]) wake();
    this.#onClose();
    await this.#lease.revoke();
    await Promise.all(this.#publications.map((publication) => publication.close()));
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #fail(code: SeamlessError['code'], problem: string): never {
    throw new SeamlessError(code, `publisher "${this.topic}" ${problem}`);
  }
}

function skippable(publication: Publication): boolean {
  return publication.exactSubscriberCount && publication.subscriberCount === 0 && publication.history === 0;
}
