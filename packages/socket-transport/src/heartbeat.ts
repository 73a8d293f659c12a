import { realTimers } from '@seamless/transport';

/** What one connection's {@link Heartbeat} does. */
export interface HeartbeatSettings {
  /** Send something after this long without sending. */
  readonly sendIntervalMs: number;
  /** Give up on the peer after this long without receiving (0: never). */
  readonly timeoutMs: number;
  /** Sends a HEARTBEAT frame (or decides that it is not needed). */
  readonly send: () => void;
  /** The peer was silent for `timeoutMs`. Called once; the heartbeat stops itself first. */
  readonly expired: (silentMs: number) => void;
}

/**
 * How often to send heartbeats to a peer that drops us after `peerTimeoutMs` of silence: at
 * least three times per timeout, never less often than our own interval, never more often than
 * every 5 ms.
 */
export function heartbeatSendInterval(ownIntervalMs: number, peerTimeoutMs: number): number {
  if (peerTimeoutMs === 0) return ownIntervalMs;
  return Math.max(5, Math.min(ownIntervalMs, Math.floor(peerTimeoutMs / 3)));
}

/**
 * Dead-peer detection for one connection, on one unref'd timer. The hot paths only set flags
 * (`received()`, `sent()`); the timer turns them into timestamps.
 */
export class Heartbeat {
  #receivedSinceTick = false;
  #sentSinceTick = false;
  #lastReceivedAt = realTimers.now();
  #lastSentAt = this.#lastReceivedAt;
  #suspended = false;
  #timer: NodeJS.Timeout | undefined;

  readonly #settings: HeartbeatSettings;

  constructor(settings: HeartbeatSettings) {
    this.#settings = settings;
    const timeoutTick = settings.timeoutMs === 0 ? Number.POSITIVE_INFINITY : settings.timeoutMs / 4;
    const period = Math.max(5, Math.floor(Math.min(settings.sendIntervalMs, timeoutTick)));
    this.#timer = realTimers.setInterval(() => {
      this.#tick();
    }, period);
    this.#timer.unref();
  }

  /** Something arrived from the peer. */
  received(): void {
    this.#receivedSinceTick = true;
  }

  /** Something was sent to the peer. */
  sent(): void {
    this.#sentSinceTick = true;
  }

  /** While suspended (we are not reading), the peer's silence does not count. */
  suspend(suspended: boolean): void {
    this.#suspended = suspended;
    if (!suspended) this.#receivedSinceTick = true;
  }

  /** Stops the timer. Idempotent. */
  stop(): void {
    if (this.#timer !== undefined) realTimers.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = realTimers.now();
    if (this.#receivedSinceTick || this.#suspended) {
      this.#receivedSinceTick = false;
      this.#lastReceivedAt = now;
    } else if (this.#settings.timeoutMs !== 0 && now - this.#lastReceivedAt >= this.#settings.timeoutMs) {
      this.stop();
      this.#settings.expired(Math.round(now - this.#lastReceivedAt));
      return;
    }
    if (this.#sentSinceTick) {
      this.#sentSinceTick = false;
      this.#lastSentAt = now;
    } else if (now - this.#lastSentAt >= this.#settings.sendIntervalMs) {
      this.#lastSentAt = now;
      this.#settings.send();
    }
  }
}
