import type { DeliveryPolicy } from './delivery-policy.js';
import type { SubscriberInfo } from './subscriber-info.js';
import type { TransportKind } from './transport-kind.js';

/** What the facade asks of a transport when a publisher is created. */
export interface PublicationOptions {
  /** A valid topic name. */
  readonly topic: string;
  /** The publisher's id; the same id on every transport that serves the publisher. */
  readonly publisherId: string;
  /** The delivery policy. */
  readonly policy: DeliveryPolicy;
  /** The largest payload the publisher will send; larger ones are refused. */
  readonly maxMessageSize: number;
  /**
   * How many of its latest messages the publication retains (default 0, at most
   * `MAX_HISTORY`): a subscriber that attaches later and asks for them (`SubscriptionOptions.
   * history`, the default) receives them first, with their original sequence numbers and in
   * order, then the live stream, with no gap and no duplicate at the join. Every message must
   * then be sent to this publication, subscribers or not.
   */
  readonly history?: number;
}

/**
 * Told by a publication when its subscribers come and go. Called from the event loop, never
 * from inside `send`. A publication reports each subscriber's `subscriberAdded` once and, after
 * it, `subscriberRemoved` once; `close()` reports no removals. A transport may see a subscriber
 * a little after it attached (shared memory notices a reader that took a slot on its next
 * check), so messages can reach a subscriber before it is reported.
 */
export interface PublicationListener {
  /** The number of attached subscribers changed. */
  subscribersChanged?(count: number): void;
  /** A subscriber attached. */
  subscriberAdded?(subscriber: SubscriberInfo): void;
  /** A subscriber that was reported added went away (closed, its process died, its connection broke). */
  subscriberRemoved?(subscriber: SubscriberInfo): void;
}

/**
 * A slot lent by a publication so the caller can build a message in place (zero copy).
 * Exactly one of `commit` and `abort` must be called, once.
 *
 * @example
 * ```ts
 * const loan = publication.loan(16);
 * if (loan) {
 *   new DataView(loan.data.buffer, loan.data.byteOffset).setFloat64(0, price, true);
 *   loan.commit(sequence++, 8);
 * }
 * ```
 */
export interface PublicationLoan {
  /** The writable bytes, exactly as many as were asked for. Invalid after commit or abort. */
  readonly data: Uint8Array;
  /** Publishes the first `length` bytes (default: all) as message number `sequence`. */
  commit(sequence: number, length?: number): void;
  /** Gives the slot back; nothing is published. */
  abort(): void;
}

/**
 * The sending side of one transport for one publisher. The facade owns the sequence counter
 * so that every transport serving a publisher numbers its messages alike.
 *
 * @example
 * ```ts
 * const publication = await transport.openPublication(
 *   { topic: 'md.AAPL', publisherId, policy: 'reliable', maxMessageSize: 4096 },
 * );
 * let sequence = 0;
 * while (!publication.send(bytes, sequence)) await publication.drained();
 * sequence++;
 * ```
 */
export interface Publication<Endpoint = unknown> {
  /** The transport that serves this publication. */
  readonly kind: TransportKind;
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  /** The largest payload `send` accepts. */
  readonly maxMessageSize: number;
  /** How many of its latest messages it retains for late joiners (0: none). */
  readonly history: number;
  /** Where subscribers reach it: the facade advertises it as `endpoints[kind]`. */
  readonly endpoint: Endpoint;
  /** Subscribers attached right now. */
  readonly subscriberCount: number;
  /**
   * Whether `subscriberCount` counts every subscriber that could receive a message sent now.
   * When it does, the count is 0 and the publication keeps no history, a send reaches nobody
   * and the facade skips this publication (TCP: no connection, no reader). When it does not, every message must be sent
   * (shared memory: a reader may attach to the ring before the publisher counts it).
   */
  readonly exactSubscriberCount: boolean;
  /**
   * Whether `send` of `length` bytes would be accepted now. Under `'latest'` always true for a
   * size within `maxMessageSize`. The answer stays true until the next `send` (only the
   * publisher's own sends consume room).
   */
  canSend(length: number): boolean;
  /**
   * Publishes `data` as message number `sequence`. Returns `false`, having written nothing,
   * when a `'reliable'` subscriber has no room (back-pressure). Synchronous.
   *
   * @throws SeamlessError `ERR_MESSAGE_TOO_LARGE` beyond `maxMessageSize`, `ERR_CLOSED`.
   */
  send(data: Uint8Array, sequence: number): boolean;
  /**
   * Lends `size` bytes to fill in place. Returns `undefined` when back-pressured. Only
   * transports with memory to lend implement it (shared memory).
   */
  loan?(size: number): PublicationLoan | undefined;
  /** Resolves once a `send` of `length` bytes (default `maxMessageSize`) would be accepted. */
  drained(length?: number, signal?: AbortSignal): Promise<void>;
  /** Stops publishing and releases every resource. Idempotent. */
  close(): Promise<void>;
}
