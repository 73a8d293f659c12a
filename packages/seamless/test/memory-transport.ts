// A third transport, in-process, written against @seamless/transport alone: the proof that the
// facade composes any transport of the contract without knowing it (no line of the facade
// names it). Publications and subscriptions of one process meet through a module-level table;
// a message is a copy in a bounded queue per subscriber; history is an array of the latest
// copies, handed to a joiner before anything live. Test code, not shipped.
import { randomBytes } from 'node:crypto';
import {
  ErrorCode,
  SeamlessError,
  TRANSPORT_SPECIFICATION_VERSION,
  describeValue,
  endpointOf,
  invalidAdvertisement,
  requireEndpoint,
} from '@seamless/transport';
import type {
  Advertisement,
  DeliveryPolicy,
  Message,
  MessageHandler,
  Publication,
  PublicationListener,
  PublicationOptions,
  SubscriberInfo,
  Subscription,
  SubscriptionListener,
  SubscriptionOptions,
  Transport,
  TransportReach,
} from '@seamless/transport';

/** What a memory publication advertises: its id in this process's table. */
export interface MemoryEndpoint {
  readonly id: string;
}

/** Options of {@link createMemoryTransport}. */
export interface MemoryTransportOptions {
  /** Its name (default `'memory'`). */
  readonly kind?: string;
  /** How the facade should rank it (default `'host'`). */
  readonly reach?: TransportReach;
  /** Messages a subscriber may have queued before a reliable publisher is held back (default 64). */
  readonly queueLength?: number;
}

/** The memory transport, with the count of what it carried for tests to look at. */
export interface MemoryTransport extends Transport<MemoryEndpoint> {
  readonly delivered: number;
}

const publications = new Map<string, MemoryPublication>();
let memorySubscriptions = 0;

class MemorySubscription implements Subscription {
  readonly kind: string;
  readonly topic: string;
  readonly publisherId: string;
  lost = 0;
  // Whether its removal is to be reported (not when it left before it was reported added).
  reportRemoved = true;
  readonly queue: { readonly seq: number; readonly data: Uint8Array; readonly lost: number }[] = [];
  readonly info: SubscriberInfo;
  #armed = true;
  #ended: SeamlessError | undefined;
  #closed = false;

  constructor(
    readonly publication: MemoryPublication,
    readonly listener: SubscriptionListener,
    readonly maxMessageSize: number,
    readonly counted: () => void,
  ) {
    this.info = Object.freeze({ transport: publication.kind, id: `m-${++memorySubscriptions}`, pid: process.pid });
    this.kind = publication.kind;
    this.topic = publication.topic;
    this.publisherId = publication.publisherId;
  }

  push(seq: number, data: Uint8Array, lost: number): void {
    this.queue.push({ seq, data: data.slice(), lost });
    this.#wake();
  }

  end(reason: SeamlessError): void {
    this.#ended ??= reason;
    this.#wake();
  }

  poll(handler: MessageHandler, limit = Number.POSITIVE_INFINITY): number {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, 'memory subscription is closed');
    let count = 0;
    while (count < limit) {
      const next = this.queue[0];
      if (next === undefined) break;
      if (next.data.length > this.maxMessageSize) {
        this.#finish(new SeamlessError(ErrorCode.MessageTooLarge, `message of ${next.data.length} bytes over ${this.maxMessageSize}`));
        return count;
      }
      this.queue.shift();
      this.lost += next.lost;
      const message: Message = {
        topic: this.topic,
        data: next.data,
        seq: next.seq,
        publisherId: this.publisherId,
        transport: this.kind,
        lost: next.lost,
      };
      this.counted();
      count++;
      handler(message);
      this.publication.roomMade();
    }
    if (count === 0) {
      this.#armed = true;
      if (this.#ended !== undefined) this.#finish(this.#ended);
    }
    return count;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.publication.detach(this);
    return Promise.resolve();
  }

  #wake(): void {
    if (!this.#armed || this.#closed) return;
    this.#armed = false;
    setImmediate(() => {
      if (!this.#closed) this.listener.readable();
    });
  }

  #finish(reason: SeamlessError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.publication.detach(this);
    setImmediate(() => {
      this.listener.ended(reason);
    });
  }
}

class MemoryPublication implements Publication<MemoryEndpoint> {
  readonly endpoint: MemoryEndpoint = Object.freeze({ id: randomBytes(8).toString('hex') });
  readonly exactSubscriberCount = true;
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  readonly history: number;
  readonly retained: { readonly seq: number; readonly data: Uint8Array }[] = [];
  readonly subscriptions = new Set<MemorySubscription>();
  #roomWaiters: (() => void)[] = [];
  #closed = false;

  constructor(
    readonly kind: string,
    options: PublicationOptions,
    readonly queueLength: number,
    readonly listener: PublicationListener | undefined,
  ) {
    this.topic = options.topic;
    this.publisherId = options.publisherId;
    this.policy = options.policy;
    this.maxMessageSize = options.maxMessageSize;
    this.history = options.history ?? 0;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  canSend(length: number): boolean {
    if (length > this.maxMessageSize) return false;
    if (this.policy === 'latest') return true;
    return [...this.subscriptions].every((subscription) => subscription.queue.length < this.queueLength);
  }

  send(data: Uint8Array, sequence: number): boolean {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, 'memory publication is closed');
    if (data.length > this.maxMessageSize) throw new SeamlessError(ErrorCode.MessageTooLarge, 'over maxMessageSize');
    if (!this.canSend(data.length)) return false;
    if (this.history > 0) {
      this.retained.push({ seq: sequence, data: data.slice() });
      if (this.retained.length > this.history) this.retained.shift();
    }
    for (const subscription of this.subscriptions) {
      let lost = 0;
      while (subscription.queue.length >= this.queueLength) {
        subscription.queue.shift();
        lost++;
      }
      subscription.push(sequence, data, lost);
    }
    return true;
  }

  async drained(length = this.maxMessageSize, signal?: AbortSignal): Promise<void> {
    while (!this.canSend(length)) {
      if (this.#closed) throw new SeamlessError(ErrorCode.Closed, 'memory publication is closed');
      if (signal?.aborted === true) throw new SeamlessError(ErrorCode.Aborted, 'drained() was aborted');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.#roomWaiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  roomMade(): void {
    for (const wake of this.#roomWaiters.splice(0)) wake();
  }

  attach(subscription: MemorySubscription, history: boolean): void {
    // In one turn: what was kept, then everything sent from now on.
    if (history) for (const { seq, data } of this.retained) subscription.push(seq, data, 0);
    this.subscriptions.add(subscription);
    this.listener?.subscribersChanged?.(this.subscriptions.size);
    setImmediate(() => {
      if (this.subscriptions.has(subscription)) this.listener?.subscriberAdded?.(subscription.info);
      else subscription.reportRemoved = false;
    });
  }

  detach(subscription: MemorySubscription): void {
    if (!this.subscriptions.delete(subscription)) return;
    this.listener?.subscribersChanged?.(this.subscriptions.size);
    if (!this.#closed) {
      setImmediate(() => {
        if (subscription.reportRemoved) this.listener?.subscriberRemoved?.(subscription.info);
      });
    }
    this.roomMade();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    publications.delete(this.endpoint.id);
    const gone = new SeamlessError(ErrorCode.PublisherGone, `publisher ${this.publisherId} closed`);
    for (const subscription of this.subscriptions) subscription.end(gone);
    this.roomMade();
    return Promise.resolve();
  }
}

function parseMemoryEndpoint(kind: string, value: unknown): MemoryEndpoint {
  const id = (value as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id))
    throw invalidAdvertisement(`endpoints.${kind}.id`, `must be 16 hex digits, got ${describeValue(id)}`);
  return { id };
}

/** Creates an in-process transport for tests. */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const kind = options.kind ?? 'memory';
  const queueLength = options.queueLength ?? 64;
  const opened = new Set<MemoryPublication | MemorySubscription>();
  let delivered = 0;
  const find = (advertisement: Advertisement): MemoryPublication | undefined => {
    const publication = publications.get(parseMemoryEndpoint(kind, requireEndpoint(advertisement, kind)).id);
    return publication?.publisherId === advertisement.publisherId ? publication : undefined;
  };
  return {
    specificationVersion: TRANSPORT_SPECIFICATION_VERSION,
    kind,
    reach: options.reach ?? 'host',
    get delivered() {
      return delivered;
    },
    parseEndpoint: (value) => parseMemoryEndpoint(kind, value),
    openPublication(publicationOptions, listener) {
      const publication = new MemoryPublication(kind, publicationOptions, queueLength, listener);
      publications.set(publication.endpoint.id, publication);
      opened.add(publication);
      return Promise.resolve(publication);
    },
    canReach(advertisement) {
      try {
        return Promise.resolve(endpointOf(advertisement, kind) !== undefined && find(advertisement) !== undefined);
      } catch {
        return Promise.resolve(false);
      }
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- async: a throw becomes a rejection
    async openSubscription(advertisement, subscriptionOptions: SubscriptionOptions, listener) {
      const publication = find(advertisement);
      if (publication === undefined) {
        throw new SeamlessError(ErrorCode.Connection, `publisher ${advertisement.publisherId} is not in this process`);
      }
      const maxMessageSize = subscriptionOptions.maxMessageSize ?? advertisement.maxMessageSize;
      const subscription = new MemorySubscription(publication, listener, maxMessageSize, () => {
        delivered++;
      });
      publication.attach(subscription, subscriptionOptions.history ?? true);
      opened.add(subscription);
      return subscription;
    },
    async close() {
      await Promise.all([...opened].map((item) => item.close()));
      opened.clear();
    },
  };
}
