import { TopicPattern } from '@seamless/seamless';
import type { Message, Route } from '@seamless/seamless';
import type { StreamRow } from './dashboard-protocol.js';
import { HistoryDetector } from './history-detector.js';
import { StreamMonitor } from './stream-monitor.js';
import { subscriptionRow } from './stream-rows.js';
import type { StreamIdentity } from './stream-rows.js';

/** The sender's clock reading a record carries, for the latency (see clock.ts). */
export interface SenderClock {
  readonly sentAt: number;
  readonly clockDomain: number;
}

/** One stream of a {@link SubscriptionStreams}: a row of the stream table. */
export interface StreamSpec {
  /** The row; its `topic`, a topic or a pattern, says which of the subscription's topics are this stream's. */
  readonly identity: StreamIdentity;
  /**
   * Decodes a message of the stream and takes it in; returns the sender's clock reading.
   * Throws for a malformed message, which is counted and otherwise ignored.
   */
  readonly handle: (message: Message) => SenderClock;
}

/** Options of {@link SubscriptionStreams}. */
export interface SubscriptionStreamsOptions {
  /** This process's clock domain: latency is measured only for messages of the same one. */
  readonly clockDomain: number;
  /** When the first window starts, in the milliseconds `rows` gets. */
  readonly startMs: number;
  /** Hears once of each topic the subscription delivered that none of the streams is for. */
  readonly onUnknownTopic?: (topic: string) => void;
}

// Topics remembered, for lookups and for saying once that a topic is unknown: bounded, so that
// a publisher inventing topics cannot make memory grow.
const MAX_REMEMBERED_TOPICS = 10_000;

interface Measured {
  readonly spec: StreamSpec;
  readonly pattern: TopicPattern;
  readonly monitor: StreamMonitor;
}

/**
 * The streams of one pattern subscription, told apart by `message.topic`: the dashboard's
 * `algo.>` carries orders, fills and statistics, each its own stream with its own decoder and
 * its own row; its `md.>` is a single stream over every symbol's topic. Each stream is measured
 * (rate, latency, transports, losses, malformed messages), with what came from the publishers'
 * history counted apart (history-detector.ts); its row lists the routes of its topics only.
 * The caller feeds it the subscriber's events.
 *
 * @example
 * ```ts
 * const streams = new SubscriptionStreams([{ identity, handle }], { clockDomain, startMs: performance.now() });
 * subscriber.on('publisher-added', (route) => streams.attached(route, monotonicNanoseconds()));
 * subscriber.on('publisher-removed', (route) => streams.detached(route));
 * subscriber.on('message', (message) => streams.receive(message, monotonicNanoseconds()));
 * setInterval(() => state.setStreams(streams.rows(performance.now(), subscriber.routes())), 1000);
 * ```
 */
export class SubscriptionStreams {
  readonly #measured: readonly Measured[];
  readonly #clockDomain: number;
  readonly #onUnknownTopic: (topic: string) => void;
  readonly #history = new HistoryDetector();
  readonly #byTopic = new Map<string, Measured | undefined>();
  #ignored = 0;

  constructor(specs: readonly StreamSpec[], options: SubscriptionStreamsOptions) {
    this.#measured = specs.map((spec) => ({
      spec,
      pattern: TopicPattern.parse(spec.identity.topic),
      monitor: new StreamMonitor(options.startMs),
    }));
    this.#clockDomain = options.clockDomain;
    this.#onUnknownTopic = options.onUnknownTopic ?? (() => undefined);
  }

  /** Messages on topics none of the streams is for, since the start. */
  get ignored(): number {
    return this.#ignored;
  }

  /** The subscriber attached to a publisher (its `publisher-added`), at `nowNanoseconds` (monotonic). */
  attached(route: Route, nowNanoseconds: number): void {
    this.#history.attached(route.publisherId, nowNanoseconds);
  }

  /** The subscriber lost a publisher (its `publisher-removed`). */
  detached(route: Route): void {
    this.#history.detached(route.publisherId);
  }

  /** Takes one message, received at `receivedNanoseconds` (monotonic). */
  receive(message: Message, receivedNanoseconds: number): void {
    const measured = this.#streamOf(message.topic);
    if (measured === undefined) {
      this.#ignored++;
      return;
    }
    let sender: SenderClock;
    try {
      sender = measured.spec.handle(message);
    } catch {
      measured.monitor.recordMalformed();
      return;
    }
    if (sender.clockDomain !== this.#clockDomain) measured.monitor.record(message);
    else if (this.#history.fromHistory(message.publisherId, sender.sentAt)) measured.monitor.recordHistory(message);
    else measured.monitor.record(message, receivedNanoseconds - sender.sentAt);
  }

  /** Ends every stream's window at `nowMs` and returns their rows, each with the routes of its topics. */
  rows(nowMs: number, routes: readonly Route[]): StreamRow[] {
    return this.#measured.map(({ spec, pattern, monitor }) =>
      subscriptionRow(
        spec.identity,
        monitor.takeWindow(nowMs),
        routes.filter((route) => pattern.matches(route.topic)),
      ),
    );
  }

  #streamOf(topic: string): Measured | undefined {
    if (this.#byTopic.has(topic)) return this.#byTopic.get(topic);
    const measured = this.#measured.find((candidate) => candidate.pattern.matches(topic));
    if (this.#byTopic.size < MAX_REMEMBERED_TOPICS) {
      this.#byTopic.set(topic, measured);
      if (measured === undefined) this.#onUnknownTopic(topic);
    }
    return measured;
  }
}
