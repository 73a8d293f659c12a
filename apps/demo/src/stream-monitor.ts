import type { Message, TransportKind } from '@seamless/seamless';
import { LatencyRecorder } from './latency-recorder.js';
import type { LatencySummary } from './latency-recorder.js';
import type { RandomSource } from './random.js';

/** What a {@link StreamMonitor} measured, as of the end of a window. */
export interface StreamWindow {
  /** Messages per second over the span (the last few windows). */
  readonly rate: number;
  /** Whether any message arrived in the window just ended. */
  readonly active: boolean;
  /**
   * End-to-end latency (sender's clock to receipt) of the most recent window of the span that
   * measured any, or `null`: a stream of a few messages a second keeps showing its last
   * figures instead of blinking to nothing between messages.
   */
  readonly latency: LatencySummary | null;
  /** The transports that carried the window's messages, `shm` first. */
  readonly transports: readonly TransportKind[];
  /** Messages received since the monitor started, those from history included. */
  readonly total: number;
  /**
   * Messages since the start that publishers had kept for late joiners (their `history`):
   * counted in `total` and `lost`, left out of the rate and the latency.
   */
  readonly fromHistory: number;
  /** Messages the transport reported lost (lapped under `'latest'`, a TCP gap) since the start. */
  readonly lost: number;
  /** Messages that failed to decode since the start. */
  readonly malformed: number;
}

interface PastWindow {
  readonly start: number;
  readonly messages: number;
  readonly latency: LatencySummary | null;
}

/**
 * Measures one stream as a subscriber sees it — message rate, end-to-end latency percentiles,
 * the transports in use, losses, undecodable messages and those that came from the
 * publishers' history — window by window (the caller decides when a window ends), with the
 * rate averaged over the last `spanMs`.
 *
 * @example
 * ```ts
 * const monitor = new StreamMonitor(performance.now());
 * subscriber.on('message', (message) => monitor.record(message, latencyOf(message)));
 * setInterval(() => console.log(monitor.takeWindow(performance.now())), 1000);
 * ```
 */
export class StreamMonitor {
  readonly #latency: LatencyRecorder;
  readonly #spanMs: number;
  readonly #transports = new Set<TransportKind>();
  readonly #past: PastWindow[] = [];
  #windowStart: number;
  #windowMessages = 0;
  #total = 0;
  #fromHistory = 0;
  #lost = 0;
  #malformed = 0;

  /** `startMs`: when the first window starts, in the same milliseconds `takeWindow` gets. */
  constructor(startMs: number, options: { readonly random?: RandomSource; readonly spanMs?: number } = {}) {
    this.#windowStart = startMs;
    this.#spanMs = options.spanMs ?? 5000;
    this.#latency = new LatencyRecorder(options.random === undefined ? {} : { random: options.random });
  }

  /** Messages received since the start. */
  get total(): number {
    return this.#total;
  }

  /**
   * Counts one message. `latencyNanoseconds` is left out when it cannot be measured (a sender
   * on another host, whose clock is not ours).
   */
  record(message: Pick<Message, 'transport' | 'lost'>, latencyNanoseconds?: number): void {
    this.#windowMessages++;
    this.#total++;
    this.#lost += message.lost;
    this.#transports.add(message.transport);
    if (latencyNanoseconds !== undefined) this.#latency.record(latencyNanoseconds);
  }

  /**
   * Counts one message a publisher kept for late joiners (see history-detector.ts): it says
   * nothing of the rate or the latency of the stream.
   */
  recordHistory(message: Pick<Message, 'transport' | 'lost'>): void {
    this.#total++;
    this.#fromHistory++;
    this.#lost += message.lost;
    this.#transports.add(message.transport);
  }

  /** Counts one message that could not be decoded (it is otherwise ignored). */
  recordMalformed(): void {
    this.#malformed++;
  }

  /** Ends the window at `nowMs`, returns the measurements, and starts the next window. */
  takeWindow(nowMs: number): StreamWindow {
    this.#past.push({ start: this.#windowStart, messages: this.#windowMessages, latency: this.#latency.takeSummary() });
    while (this.#past.length > 1 && (this.#past[0]?.start ?? nowMs) < nowMs - this.#spanMs) this.#past.shift();
    const spanStart = this.#past[0]?.start ?? this.#windowStart;
    const messages = this.#past.reduce((sum, window) => sum + window.messages, 0);
    const window: StreamWindow = {
      rate: messages / (Math.max(nowMs - spanStart, 1) / 1000),
      active: this.#windowMessages > 0,
      latency: this.#past.findLast((past) => past.latency !== null)?.latency ?? null,
      transports: [...this.#transports].sort(),
      total: this.#total,
      fromHistory: this.#fromHistory,
      lost: this.#lost,
      malformed: this.#malformed,
    };
    this.#windowStart = nowMs;
    this.#windowMessages = 0;
    this.#transports.clear();
    return window;
  }
}
