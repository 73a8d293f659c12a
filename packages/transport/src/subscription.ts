import type { IdleStrategy } from './delivery-policy.js';
import type { MessageHandler } from './message.js';
import type { SeamlessError } from './seamless-error.js';
import type { TransportKind } from './transport-kind.js';

/** What the facade asks of a transport when it subscribes to one publisher. */
export interface SubscriptionOptions {
  /** How to wait while nothing is ready (default `'park'`). */
  readonly idle?: IdleStrategy;
  /** Hand each handler an owned copy of the payload instead of a view (default `false`). */
  readonly copy?: boolean;
  /** Refuse (and end the subscription on) payloads larger than this (default: advertised). */
  readonly maxMessageSize?: number;
  /**
   * Receive first the messages the publisher retained (its `history`), then the live ones
   * (default `true`); `false`: the live stream only, from the first message sent after the
   * subscription attached.
   */
  readonly history?: boolean;
}

/**
 * How a subscription reports to its owner. Both methods are called from the event loop, never
 * re-entrantly from inside `poll()`.
 */
export interface SubscriptionListener {
  /**
   * Messages may be ready: call `poll()` until it returns 0. Called once per transition from
   * "found nothing" to "something arrived", not once per message.
   */
  readable(): void;
  /**
   * The subscription ended on its own: the publisher went away (`ERR_PUBLISHER_GONE`), the
   * stream broke for good (`ERR_CONNECTION`), the peer broke the protocol (`ERR_PROTOCOL`) or
   * sent a message over this subscription's `maxMessageSize` (`ERR_MESSAGE_TOO_LARGE`, on
   * every transport). Everything delivered before it was intact. Not called after `close()`.
   */
  ended(reason: SeamlessError): void;
}

/**
 * The receiving side of one transport for one publisher.
 *
 * @example
 * ```ts
 * const subscription = await transport.openSubscription(advertisement, { idle: 'park' }, {
 *   readable: () => { while (subscription.poll(handle) > 0); },
 *   ended: (reason) => console.warn(reason.message),
 * });
 * ```
 */
export interface Subscription {
  /** The transport that carries this subscription. */
  readonly kind: TransportKind;
  readonly topic: string;
  readonly publisherId: string;
  /** Messages known to be lost so far (lapped under `'latest'`, or missed on reconnect). */
  readonly lost: number;
  /**
   * Hands every ready message, up to `limit` (default: all), to `handler`, synchronously, in
   * order, and returns how many it handed over. Returns 0 when nothing is ready; with the
   * `'park'` idle strategy that also arms the wake-up that will call `readable()`.
   *
   * @throws SeamlessError `ERR_PROTOCOL` when the stream is corrupt: the subscription ends,
   *   and its listener's `ended()` is also called (on a later turn, never from inside `poll`).
   *   `ERR_CLOSED` after close. An exception from `handler` propagates; the message it was
   *   handed counts as delivered.
   */
  poll(handler: MessageHandler, limit?: number): number;
  /** Detaches and releases every resource. Idempotent. */
  close(): Promise<void>;
}
