// The receiving side of one socket subscription: poll() decoding what arrived, the end of
// the subscription (GOODBYE, a protocol error, giving up), close(), and the wiring of its
// connection (LiveConnection), what it received (ReceivedStreams) and reconnection.
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { MessageHandler, Subscription, SubscriptionListener, TransportKind } from '@seamless/transport';
import type { HandshakenConnection } from './connect-to-publisher.js';
import type { StreamStart } from './handshake.js';
import { LiveConnection } from './live-connection.js';
import { ReceivedStreams, hasCompleteFrame } from './received-streams.js';
import type { Stream } from './received-streams.js';
import { Reconnection } from './reconnection.js';
import { TCP_TRANSPORT_KIND } from './socket-endpoint.js';
import type { BackoffParameters } from './reconnect-backoff.js';
import { FrameType } from './wire-format.js';

/**
 * A {@link Subscription} over TCP, with what a socket transport can add.
 *
 * @example
 * ```ts no-run
 * const subscription = await transport.openSubscription(advertisement, {}, listener);
 * console.log(subscription.connected, subscription.remote, subscription.queuedBytes);
 * ```
 */
export interface SocketSubscription extends Subscription {
  readonly kind: typeof TCP_TRANSPORT_KIND;
  /** Whether a connection to the publisher is up (false while reconnecting or after the end). */
  readonly connected: boolean;
  /** `address:port` of the publisher on the current connection. */
  readonly remote: string | undefined;
  /** Received bytes waiting for `poll()`. */
  readonly queuedBytes: number;
  /** How many times the connection was lost and re-established. */
  readonly reconnects: number;
}

/** What a {@link SocketSubscriptionImpl} is made of. */
export interface SocketSubscriptionSettings {
  readonly topic: string;
  readonly publisherId: string;
  readonly listener: SubscriptionListener;
  readonly copy: boolean;
  /** Whether it asked for the publisher's history: where a stream starts while it expects no particular message. */
  readonly history: boolean;
  readonly maxReceiveQueueBytes: number;
  readonly heartbeat: { readonly intervalMs: number; readonly timeoutMs: number };
  readonly reconnect: BackoffParameters & { readonly giveUpAfterMs: number };
  readonly random: () => number;
  /** One pass over the publisher's addresses, asking for a stream that starts at `start`. */
  readonly connect: (signal: AbortSignal, start: StreamStart) => Promise<HandshakenConnection>;
  /** Called once when the subscription is closed. */
  readonly onClose: (subscription: SocketSubscriptionImpl) => void;
}

interface MutableMessage {
  topic: string;
  data: Uint8Array;
  seq: number;
  publisherId: string;
  transport: TransportKind;
  lost: number;
}

type State = 'open' | 'ending' | 'ended' | 'closed';

/**
 * The receiving side for one publisher: a pull-based queue of received chunks decoded by
 * `poll()`, flow control by pausing the socket, heartbeats and reconnection.
 *
 * The bytes of each connection stay a separate stream; after a connection is lost, the next
 * one is made only once `poll()` has consumed what the old one delivered (a partial frame at
 * its end is dropped), so messages keep their order, a GOODBYE is seen in order, and a
 * consumer that stopped reading does not make the subscription fetch more.
 */
export class SocketSubscriptionImpl implements SocketSubscription {
  readonly kind = TCP_TRANSPORT_KIND;
  readonly topic: string;
  readonly publisherId: string;

  readonly #streams = new ReceivedStreams();
  readonly #reconnection: Reconnection;
  #live: LiveConnection | undefined;
  #state: State = 'open';
  #endError: SeamlessError | undefined;
  #deferredError: SeamlessError | undefined;
  #armed = true;
  #nextSequence = -1;
  #lostTotal = 0;
  #closing: Promise<void> | undefined;
  readonly #message: MutableMessage;

  readonly #settings: SocketSubscriptionSettings;

  constructor(settings: SocketSubscriptionSettings, first: HandshakenConnection) {
    this.#settings = settings;
    this.topic = settings.topic;
    this.publisherId = settings.publisherId;
    this.#message = {
      topic: settings.topic,
      data: new Uint8Array(0),
      seq: 0,
      publisherId: settings.publisherId,
      transport: TCP_TRANSPORT_KIND,
      lost: 0,
    };
    this.#reconnection = new Reconnection({
      topic: settings.topic,
      publisherId: settings.publisherId,
      reconnect: settings.reconnect,
      random: settings.random,
      // Called once the old connection's messages were consumed: #nextSequence is final.
      connect: (signal) => settings.connect(signal, this.#resumeAt()),
      wanted: () => this.#state === 'open',
      connected: (connection) => {
        this.#attach(connection);
      },
      failed: (error) => {
        this.#end(error);
      },
    });
    this.#attach(first);
  }

  get lost(): number {
    return this.#lostTotal;
  }

  get connected(): boolean {
    return this.#live !== undefined;
  }

  get remote(): string | undefined {
    return this.#live?.peer;
  }

  get queuedBytes(): number {
    return this.#streams.bufferedBytes;
  }

  get reconnects(): number {
    return this.#reconnection.count;
  }

  poll(handler: MessageHandler, limit: number = Number.POSITIVE_INFINITY): number {
    if (this.#state === 'closed') {
      throw new SeamlessError(ErrorCode.Closed, `subscription to "${this.topic}" (${this.publisherId}) is closed`);
    }
    if (typeof handler !== 'function') throw new SeamlessError(ErrorCode.InvalidArgument, 'poll: handler must be a function');
    if (limit !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(limit) || limit < 1)) {
      throw new SeamlessError(ErrorCode.InvalidArgument, `poll: limit must be a positive integer, got ${String(limit)}`);
    }
    if (this.#deferredError !== undefined) {
      const error = this.#deferredError;
      this.#deferredError = undefined;
      throw error;
    }
    const message = this.#message;
    const copy = this.#settings.copy;
    let count = 0;
    while (count < limit) {
      const stream = this.#streams.head;
      if (stream === undefined) break;
      const decoder = stream.decoder;
      let complete: boolean;
      try {
        complete = decoder.next();
      } catch (error) {
        this.#corrupt(error as SeamlessError);
        if (count > 0) {
          this.#deferredError = error as SeamlessError;
          break;
        }
        throw error;
      }
      if (!complete) {
        if (!stream.finished) break;
        this.#dropStream(stream);
        continue;
      }
      const type = decoder.type;
      if (type === FrameType.Data) {
        const sequence = decoder.sequence;
        const expected = this.#nextSequence;
        const lost = expected >= 0 && sequence > expected ? sequence - expected : 0;
        this.#nextSequence = sequence + 1;
        this.#lostTotal += lost;
        message.seq = sequence;
        message.lost = lost;
        // A plain Uint8Array, never a Buffer: the contract tells users to copy with
        // data.slice(), which on a Buffer would return another view.
        const buffer = decoder.buffer;
        const view = new Uint8Array(buffer.buffer, buffer.byteOffset + decoder.start, decoder.end - decoder.start);
        message.data = copy ? view.slice() : view;
        count++;
        handler(message);
        // The handler may have closed the subscription.
        if ((this.#state as State) === 'closed') return count;
      } else if (type === FrameType.Goodbye) {
        this.#end(
          new SeamlessError(ErrorCode.PublisherGone, `publisher "${this.publisherId}" of topic "${this.topic}" closed the publication`, {
            details: { publisherId: this.publisherId, topic: this.topic },
          }),
        );
        this.#dropStream(stream);
        break;
      }
    }
    if (count === 0) this.#armed = true;
    const live = this.#live;
    // Resume below half the bound, or whenever nothing complete is left: what remains is then
    // the start of a message larger than the bound, which only more reading can complete.
    if (live?.paused === true && (this.queuedBytes < this.#settings.maxReceiveQueueBytes / 2 || !this.#streams.hasDeliverable())) {
      live.resume();
    }
    if (this.#state === 'ending' && !this.#streams.hasDeliverable()) this.#finishEnd();
    return count;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /**
   * Where a new connection's stream starts: at the message expected next, so that the
   * publisher replays what it retained of those missed (and a gap beyond it counts as lost);
   * before any is expected, as the subscription asked.
   */
  #resumeAt(): StreamStart {
    if (this.#nextSequence >= 0) return this.#nextSequence;
    return this.#settings.history ? 'oldest' : 'live';
  }

  #attach(connection: HandshakenConnection): void {
    // Expect what the publisher says comes first (when it knows), so that a message dropped
    // before the first one received counts as lost. Older streams are consumed by now.
    const { firstSequence } = connection.welcome;
    if (this.#nextSequence < 0 && firstSequence !== undefined) this.#nextSequence = firstSequence;
    const stream = this.#streams.add(connection.decoder);
    const live: LiveConnection = new LiveConnection(connection, stream, this.#settings.heartbeat, {
      received: () => {
        this.#afterReceive(live);
      },
      lost: (error) => {
        this.#lose(live, error);
      },
    });
    this.#live = live;
    // Start reading only after openSubscription() has returned the subscription to its caller:
    // readable() must never run before the caller holds the object it will poll.
    realTimers.setImmediate(() => {
      if (this.#live !== live) return;
      live.socket.resume();
      if (stream.decoder.bufferedBytes > 0) this.#afterReceive(live);
    });
  }

  #afterReceive(live: LiveConnection): void {
    if (this.#armed) this.#notify();
    if (this.#live !== live || live.paused) return;
    if (this.queuedBytes >= this.#settings.maxReceiveQueueBytes && this.#streams.hasDeliverable()) live.pause();
  }

  /**
   * While the consumer has found nothing: swallows heartbeats at the head (they are no news)
   * and tells the consumer when a frame it must see is complete.
   */
  #notify(): void {
    for (;;) {
      const stream = this.#streams.head;
      if (stream === undefined) return;
      let type: number;
      try {
        type = stream.decoder.peekCompleteType();
      } catch {
        type = -1; // a broken frame: poll() reports it
      }
      if (type === FrameType.Heartbeat) {
        stream.decoder.next();
        continue;
      }
      if (type === 0) {
        if (!stream.finished) return;
        this.#dropStream(stream);
        continue;
      }
      this.#armed = false;
      this.#settings.listener.readable();
      return;
    }
  }

  #dropStream(stream: Stream): void {
    this.#streams.remove(stream);
    if (this.#live?.stream === stream) {
      this.#stopLive(this.#live);
    } else if (this.#state === 'open' && this.#live === undefined) {
      this.#scheduleReconnect();
    }
  }

  #stopLive(live: LiveConnection): void {
    if (this.#live === live) this.#live = undefined;
    live.stop();
  }

  /** The connection was lost: reconnect once its data has been consumed. */
  #lose(live: LiveConnection, error: SeamlessError): void {
    if (this.#live !== live) return;
    this.#stopLive(live);
    if (this.#state !== 'open') return;
    this.#reconnection.lost(error);
    if (!hasCompleteFrame(live.stream)) this.#dropStream(live.stream);
  }

  #scheduleReconnect(): void {
    if (this.#state !== 'open' || this.#live !== undefined) return;
    this.#reconnection.schedule();
  }

  /** A protocol violation: nothing after it can be trusted. */
  #corrupt(error: SeamlessError): void {
    this.#streams.clear();
    if (this.#live !== undefined) this.#stopLive(this.#live);
    this.#end(error);
  }

  /** Ends the subscription once what was received before has been consumed. */
  #end(error: SeamlessError): void {
    if (this.#state !== 'open') return;
    this.#state = 'ending';
    this.#endError = error;
    this.#reconnection.cancel();
    if (this.#live !== undefined) this.#stopLive(this.#live);
    if (!this.#streams.hasDeliverable()) this.#finishEnd();
  }

  #finishEnd(): void {
    if (this.#state !== 'ending') return;
    this.#state = 'ended';
    this.#streams.clear();
    const error = this.#endError;
    realTimers.setImmediate(() => {
      if (this.#state === 'ended' && error !== undefined) this.#settings.listener.ended(error);
    });
  }

  async #shutdown(): Promise<void> {
    this.#state = 'closed';
    const connecting = this.#reconnection.pending;
    this.#reconnection.cancel();
    const live = this.#live;
    this.#streams.clear();
    if (live !== undefined) {
      const closed = new Promise<void>((resolve) => {
        if (live.socket.closed) resolve();
        else
          live.socket.once('close', () => {
            resolve();
          });
      });
      this.#stopLive(live);
      await closed;
    }
    await connecting;
    this.#settings.onClose(this);
  }
}
