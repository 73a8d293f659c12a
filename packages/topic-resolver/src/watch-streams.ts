import type { TopicPattern } from '@seamless/transport';
import type { AdvertisementTable } from './advertisement-table.js';
import type { ResolverEvent } from './resolver.js';
import { realTimers } from '@seamless/transport';

/** The receiving end of one watch, handed to the code that feeds it. */
export interface WatchSink {
  push(event: ResolverEvent): void;
  /** Ends the watch (the consumer's loop finishes normally). */
  end(): void;
  /** Ends the watch with an error, thrown to the consumer after the events already queued. */
  fail(error: unknown): void;
}

/** Starts feeding one watch and returns what stops it. */
export type WatchStart = (sink: WatchSink) => () => void;

// Long enough never to fire in practice; it exists only to hold the event loop open.
const keepAliveMs = 2 ** 30;

/**
 * The live watches of one resolver, so that `close()` can end them all. Each iteration of a
 * watch iterable is an independent stream with its own queue; while it is being iterated it
 * holds a referenced timer so the process stays alive, as a socket being read does.
 */
export class WatchStreams {
  readonly #streams = new Set<EventStream>();
  // One abort listener per signal, however many watches share it (a process that stops all
  // its watches with one signal must not trip Node's listener-leak warning at 11).
  readonly #bySignal = new Map<AbortSignal, { readonly streams: Set<EventStream>; readonly onAbort: () => void }>();
  #closed = false;

  #follow(signal: AbortSignal, stream: EventStream): void {
    let followed = this.#bySignal.get(signal);
    if (followed === undefined) {
      const streams = new Set<EventStream>();
      const onAbort = (): void => {
        for (const each of [...streams]) each.end();
      };
      followed = { streams, onAbort };
      this.#bySignal.set(signal, followed);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    followed.streams.add(stream);
  }

  #unfollow(signal: AbortSignal, stream: EventStream): void {
    const followed = this.#bySignal.get(signal);
    if (followed === undefined) return;
    followed.streams.delete(stream);
    if (followed.streams.size > 0) return;
    this.#bySignal.delete(signal);
    signal.removeEventListener('abort', followed.onAbort);
  }

  get size(): number {
    return this.#streams.size;
  }

  /**
   * An iterable of the changes in `table` of the topic, or of every topic the pattern matches:
   * what a resolver whose table holds all it knows (static, multicast) returns from `watch`.
   * `started` runs each time a stream starts, after its snapshot was taken.
   */
  ofTable(
    table: AdvertisementTable,
    pattern: TopicPattern,
    signal: AbortSignal | undefined,
    started?: () => void,
  ): AsyncIterable<ResolverEvent> {
    return this.iterable((sink) => {
      const stop = table.feed(pattern, (event) => {
        sink.push(event);
      });
      started?.();
      return stop;
    }, signal);
  }

  /**
   * An iterable that starts a fresh stream (and calls `start`) each time it is iterated. The
   * stream ends when `signal` aborts, when {@link WatchStreams.endAll} runs, or when the
   * consumer leaves its loop; `start`'s returned function is then called exactly once.
   */
  iterable(start: WatchStart, signal: AbortSignal | undefined): AsyncIterable<ResolverEvent> {
    return {
      [Symbol.asyncIterator]: () => {
        const stream = new EventStream();
        if (this.#closed || signal?.aborted === true) {
          stream.end();
          return stream;
        }
        this.#streams.add(stream);
        if (signal !== undefined) this.#follow(signal, stream);
        let stop: (() => void) | undefined;
        stream.onEnd(() => {
          this.#streams.delete(stream);
          if (signal !== undefined) this.#unfollow(signal, stream);
          stop?.();
        });
        const sink: WatchSink = {
          push: (event) => {
            stream.push(event);
          },
          end: () => {
            stream.end();
          },
          fail: (error) => {
            stream.fail(error);
          },
        };
        let stopFeeding: () => void;
        try {
          stopFeeding = start(sink);
        } catch (error) {
          stream.fail(error);
          return stream;
        }
        if (stream.ended) stopFeeding();
        else stop = stopFeeding;
        return stream;
      },
    };
  }

  /** Ends every stream and refuses new ones (they end at once). */
  endAll(): void {
    this.#closed = true;
    for (const stream of [...this.#streams]) stream.end();
  }
}

interface Waiter {
  resolve(result: IteratorResult<ResolverEvent>): void;
  reject(error: unknown): void;
}

class EventStream implements AsyncIterableIterator<ResolverEvent> {
  readonly #queue: ResolverEvent[] = [];
  readonly #waiting: Waiter[] = [];
  #ended = false;
  #failure: { readonly error: unknown } | undefined;
  #onEnd: (() => void) | undefined;
  #keepAlive: NodeJS.Timeout | undefined = realTimers.setInterval(() => undefined, keepAliveMs);

  get ended(): boolean {
    return this.#ended;
  }

  onEnd(callback: () => void): void {
    this.#onEnd = callback;
  }

  push(event: ResolverEvent): void {
    if (this.#ended) return;
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#queue.push(event);
    else waiter.resolve({ value: event, done: false });
  }

  /** Ends the stream; events still queued are dropped (whoever stopped it stopped caring). */
  end(): void {
    this.#finish(undefined);
  }

  /** Ends the stream with an error, thrown by `next()` after the events already queued. */
  fail(error: unknown): void {
    this.#finish({ error });
  }

  #finish(failure: { readonly error: unknown } | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    realTimers.clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    if (failure === undefined) this.#queue.length = 0;
    this.#failure = failure;
    // Waiters exist only while the queue is empty.
    for (const waiter of this.#waiting.splice(0)) this.#settleEnded(waiter);
    const onEnd = this.#onEnd;
    this.#onEnd = undefined;
    onEnd?.();
  }

  #settleEnded(waiter: Waiter): void {
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure === undefined) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(failure.error);
  }

  next(): Promise<IteratorResult<ResolverEvent>> {
    const event = this.#queue.shift();
    if (event !== undefined) return Promise.resolve({ value: event, done: false });
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      if (this.#ended) this.#settleEnded(waiter);
      else this.#waiting.push(waiter);
    });
  }

  return(): Promise<IteratorResult<ResolverEvent>> {
    this.end();
    this.#failure = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
