// Reconnecting a subscription whose connection was lost: one attempt (a pass over the
// publisher's addresses) at a time, after a capped exponential backoff with jitter, until one
// succeeds, the publisher answers that it is gone, or `giveUpAfterMs` have passed since the loss.
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { HandshakenConnection } from './connect-to-publisher.js';
import { reconnectDelay } from './reconnect-backoff.js';
import type { BackoffParameters } from './reconnect-backoff.js';

/** What a {@link Reconnection} needs from its subscription. */
export interface ReconnectionSettings {
  readonly topic: string;
  readonly publisherId: string;
  readonly reconnect: BackoffParameters & { readonly giveUpAfterMs: number };
  readonly random: () => number;
  /** One pass over the publisher's addresses. */
  readonly connect: (signal: AbortSignal) => Promise<HandshakenConnection>;
  /** Whether the subscription still wants a connection (it is neither ending nor closed). */
  readonly wanted: () => boolean;
  /** An attempt succeeded. */
  readonly connected: (connection: HandshakenConnection) => void;
  /** Reconnecting is over for good (gave up, publisher gone, protocol error): the subscription ends with `error`. */
  readonly failed: (error: SeamlessError) => void;
}

/** The reconnection state of one subscription: backoff, the attempt under way, the last error. */
export class Reconnection {
  readonly #settings: ReconnectionSettings;
  #count = 0;
  #disconnectedAt: number | undefined;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #connecting: { readonly controller: AbortController; readonly done: Promise<unknown> } | undefined;
  #lastError: SeamlessError | undefined;

  constructor(settings: ReconnectionSettings) {
    this.#settings = settings;
  }

  /** How many times the connection was lost and re-established. */
  get count(): number {
    return this.#count;
  }

  /** The attempt under way, settled (never rejected) once it is over; `undefined` when none is. */
  get pending(): Promise<unknown> | undefined {
    return this.#connecting?.done;
  }

  /** The connection was lost with `error`; the time to give up counts from the first loss. */
  lost(error: SeamlessError): void {
    this.#lastError = error;
    this.#disconnectedAt ??= realTimers.now();
  }

  /** Schedules the next attempt unless one is scheduled or under way, or gives up when it is time. */
  schedule(): void {
    if (this.#timer !== undefined || this.#connecting !== undefined) return;
    const { topic, publisherId } = this.#settings;
    const { giveUpAfterMs } = this.#settings.reconnect;
    const elapsed = realTimers.now() - (this.#disconnectedAt ?? realTimers.now());
    if (elapsed >= giveUpAfterMs) {
      const last = this.#lastError;
      this.#settings.failed(
        new SeamlessError(
          ErrorCode.Connection,
          `gave up reconnecting to publisher "${publisherId}" of topic "${topic}" after ${Math.round(elapsed)} ms` +
            (last === undefined ? '' : `; last error: ${last.message}`),
          { cause: last, details: { publisherId, topic, elapsedMs: Math.round(elapsed) } },
        ),
      );
      return;
    }
    const delay = Math.min(reconnectDelay(this.#attempt++, this.#settings.reconnect, this.#settings.random), giveUpAfterMs - elapsed);
    this.#timer = realTimers.setTimeout(this.#reconnect, Math.max(0, delay));
  }

  /** Cancels the scheduled attempt and aborts the one under way. */
  cancel(): void {
    if (this.#timer !== undefined) realTimers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#connecting?.controller.abort();
  }

  readonly #reconnect = (): void => {
    this.#timer = undefined;
    const controller = new AbortController();
    const done = this.#settings.connect(controller.signal).then(
      (connection) => {
        this.#connecting = undefined;
        if (!this.#settings.wanted()) {
          connection.socket.destroy();
          return;
        }
        this.#attempt = 0;
        this.#disconnectedAt = undefined;
        this.#count++;
        this.#settings.connected(connection);
      },
      (error: unknown) => {
        this.#connecting = undefined;
        if (!this.#settings.wanted()) return;
        const failure = error as SeamlessError;
        if (failure.code === ErrorCode.PublisherGone || failure.code === ErrorCode.Protocol) {
          this.#settings.failed(failure);
          return;
        }
        this.#lastError = failure;
        this.schedule();
      },
    );
    this.#connecting = { controller, done };
  };
}
