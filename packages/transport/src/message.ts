import type { TransportKind } from './transport-kind.js';

/**
 * One message as a subscriber receives it.
 *
 * `data` may be a view into transport-owned memory (a shared-memory ring or a socket's receive
 * buffer): it is valid only until the handler that received it returns. Copy it
 * (`data.slice()`) or subscribe with `copy: true` to keep it longer. Transports always hand out
 * a plain `Uint8Array`, never a Node.js `Buffer`, whose `slice()` would be another view. For the same reason the
 * message object itself may be reused by `poll()`; keep the fields you need, not the object.
 *
 * @example
 * ```ts
 * subscriber.on('message', (message: Message) => {
 *   console.log(message.topic, message.seq, message.transport, message.data.byteLength);
 * });
 * ```
 */
export interface Message {
  /** The topic the message was published on. */
  readonly topic: string;
  /** The payload. A view valid until the handler returns unless the subscription copies. */
  readonly data: Uint8Array;
  /** The publisher's sequence number: 0 for its first message, then +1 for each message. */
  readonly seq: number;
  /** The id of the publisher that sent it (unique per publisher instance). */
  readonly publisherId: string;
  /** The transport that carried it. */
  readonly transport: TransportKind;
  /**
   * How many messages of this publisher were lost right before this one: lapped under the
   * `'latest'` policy, or missed across a reconnect. 0 almost always.
   */
  readonly lost: number;
}

/**
 * Receives messages from `poll()`. It runs synchronously; the message (and its `data`) is valid
 * only until it returns.
 *
 * @example
 * ```ts
 * const handler: MessageHandler = (message) => totals.add(message.data.byteLength);
 * ```
 */
export type MessageHandler = (message: Message) => void;
