import type { Socket } from 'node:net';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy, SubscriberInfo } from '@seamless/transport';
import { frameSizeAt, GOODBYE_FRAME, HEARTBEAT_FRAME, writeDataFrame } from './frame-encoder.js';
import type { FrameDecoder } from './frame-decoder.js';
import { Heartbeat } from './heartbeat.js';
import { DATA_HEADER_SIZE, FrameType } from './wire-format.js';

/** Frames are gathered into slabs of this size; each full slab (or each tick) is one write. */
const slabSize = 64 * 1024;
// Under 'latest', keep at most this much in the socket's own buffer: what the socket holds can
// no longer be dropped, what we hold can.
const latestWriteAhead = 64 * 1024;
const emptySlab = Buffer.alloc(0);

/** What a {@link SubscriberConnection} needs. */
export interface SubscriberConnectionSettings {
  readonly socket: Socket;
  /** `"127.0.0.1:53712"`, for messages. */
  readonly peer: string;
  /** Who the subscriber is, as the publication reports it. */
  readonly info: SubscriberInfo;
  /** The decoder that read the HELLO, holding whatever followed it. */
  readonly decoder: FrameDecoder;
  readonly policy: DeliveryPolicy;
  readonly maxQueuedBytes: number;
  readonly heartbeatSendIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** Queued bytes went down: a `drained()` may resolve, a replay may go on. */
  readonly onRoom: (connection: SubscriberConnection) => void;
  /** The connection is gone (`error` when it did not end cleanly). */
  readonly onClosed: (connection: SubscriberConnection, error: SeamlessError | undefined) => void;
  /** A problem worth reporting (protocol violation, silence). */
  readonly onProblem: (error: SeamlessError) => void;
}

/**
 * One subscriber's connection, on the publisher's side: a bounded send queue that gathers the
 * frames of a tick into one write, the `reliable` / `latest` policy, heartbeats, and the few
 * frames a subscriber may send.
 *
 * Queued bytes are everything accepted for this subscriber that the kernel has not taken yet:
 * frames gathered in the current slab, regions waiting for the socket, and regions handed to
 * the socket whose write has not completed. The last part is counted here (write callbacks
 * come in write order) rather than read from `socket.writableLength`, which keeps `hasRoom()`,
 * called for every send, plain arithmetic.
 */
export class SubscriberConnection {
  readonly peer: string;
  /** Who the subscriber is, as the publication reports it. */
  readonly info: SubscriberInfo;
  #dropped = 0;

  readonly #socket: Socket;
  readonly #reliable: boolean;
  readonly #maxQueuedBytes: number;
  #slab: Buffer = emptySlab;
  #openStart = 0;
  #writeOffset = 0;
  readonly #regions: Buffer[] = [];
  #regionBytes = 0;
  /** Sizes of the regions handed to the socket and not yet written, in write order. */
  readonly #inFlight: number[] = [];
  #inFlightBytes = 0;
  #closed = false;
  #finishing = false;
  #problem: SeamlessError | undefined;
  readonly #heartbeat: Heartbeat;

  readonly #settings: SubscriberConnectionSettings;

  constructor(settings: SubscriberConnectionSettings) {
    this.#settings = settings;
    this.#socket = settings.socket;
    this.peer = settings.peer;
    this.info = settings.info;
    this.#reliable = settings.policy === 'reliable';
    this.#maxQueuedBytes = settings.maxQueuedBytes;
    this.#heartbeat = new Heartbeat({
      sendIntervalMs: settings.heartbeatSendIntervalMs,
      timeoutMs: settings.heartbeatTimeoutMs,
      send: () => {
        // A subscriber with bytes still on their way to it needs no heartbeat.
        if (!this.#closed && this.queuedBytes === 0 && this.#socket.writableLength === 0) {
          this.#socket.write(HEARTBEAT_FRAME);
        }
      },
      expired: (silentMs) => {
        this.destroy(
          new SeamlessError(ErrorCode.Connection, `subscriber ${this.peer} sent nothing for ${silentMs} ms; dropped`, {
            details: { peer: this.peer, silentMs },
          }),
        );
      },
    });
    this.#socket.on('data', this.#onData);
    this.#socket.on('close', this.#onClose);
    if (settings.decoder.bufferedBytes > 0) this.#readFrames();
  }

  /** Messages dropped for this subscriber under `'latest'`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Counts `count` messages dropped for this subscriber before they were queued (a replay lapped under `'latest'`). */
  countDropped(count: number): void {
    this.#dropped += count;
  }

  /** Bytes accepted for this subscriber that the kernel has not taken yet. */
  get queuedBytes(): number {
    return this.#regionBytes + (this.#writeOffset - this.#openStart) + this.#inFlightBytes;
  }

  /** Whether a frame of `frameSize` bytes fits the bound (always, into an empty queue). */
  hasRoom(frameSize: number): boolean {
    const queued = this.#regionBytes + (this.#writeOffset - this.#openStart) + this.#inFlightBytes;
    return queued === 0 || queued + frameSize <= this.#maxQueuedBytes;
  }

  /** Queues one DATA frame; under `'latest'`, drops the oldest queued frames beyond the bound. */
  append(payload: Uint8Array, sequence: number): void {
    const size = DATA_HEADER_SIZE + payload.byteLength;
    if (this.#slab.byteLength - this.#writeOffset < size) this.#newSlab(size);
    this.#writeOffset = writeDataFrame(this.#slab, this.#writeOffset, payload, sequence);
    if (!this.#reliable && this.queuedBytes > this.#maxQueuedBytes) this.#dropOldest();
  }

  /** Hands what was gathered to the socket (as far as the policy allows). */
  flush(): void {
    if (this.#closed || this.#finishing || this.#socket.destroyed) return;
    this.#sealOpenRegion();
    this.#pump();
  }

  /**
   * Ends the connection gracefully: everything queued, then GOODBYE, then FIN. Resolves when
   * the socket closed, destroying it after `lingerMs` if the subscriber does not read.
   */
  finish(lingerMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => {
        resolve();
      });
      if (this.#finishing) return;
      this.#finishing = true;
      this.#sealOpenRegion();
      for (const region of this.#regions.splice(0)) this.#socket.write(region);
      this.#regionBytes = 0;
      this.#socket.end(GOODBYE_FRAME);
      const timer = realTimers.setTimeout(() => this.#socket.destroy(), lingerMs);
      timer.unref();
      this.#socket.once('close', () => {
        realTimers.clearTimeout(timer);
      });
    });
  }

  /** Drops the connection at once. */
  destroy(problem?: SeamlessError): void {
    if (this.#closed) return;
    if (problem !== undefined && this.#problem === undefined) {
      this.#problem = problem;
      this.#settings.onProblem(problem);
    }
    this.#socket.destroy();
  }

  #newSlab(needed: number): void {
    this.#sealOpenRegion();
    this.#slab = Buffer.allocUnsafeSlow(Math.max(slabSize, needed));
    this.#openStart = 0;
    this.#writeOffset = 0;
  }

  #sealOpenRegion(): void {
    if (this.#writeOffset === this.#openStart) return;
    this.#regions.push(this.#slab.subarray(this.#openStart, this.#writeOffset));
    this.#regionBytes += this.#writeOffset - this.#openStart;
    this.#openStart = this.#writeOffset;
  }

  #pump(): void {
    const socket = this.#socket;
    while (this.#reliable || this.#inFlightBytes < latestWriteAhead) {
      const region = this.#regions.shift();
      if (region === undefined) return;
      this.#regionBytes -= region.byteLength;
      this.#inFlight.push(region.byteLength);
      this.#inFlightBytes += region.byteLength;
      socket.write(region, this.#afterWrite);
      this.#heartbeat.sent();
    }
  }

  readonly #afterWrite = (error: Error | null | undefined): void => {
    this.#inFlightBytes -= this.#inFlight.shift() ?? 0;
    if (error != null || this.#closed || this.#finishing) return;
    if (this.#regions.length > 0) this.#pump();
    this.#settings.onRoom(this);
  };

  /** Under 'latest': drops whole frames, oldest first, never the newest one. */
  #dropOldest(): void {
    let excess = this.queuedBytes - this.#maxQueuedBytes;
    while (excess > 0) {
      let size: number;
      const region = this.#regions[0];
      if (region !== undefined) {
        size = frameSizeAt(region, 0);
        if (size >= region.byteLength) this.#regions.shift();
        else this.#regions[0] = region.subarray(size);
        this.#regionBytes -= size;
      } else {
        size = frameSizeAt(this.#slab, this.#openStart);
        if (size >= this.#writeOffset - this.#openStart) return;
        this.#openStart += size;
      }
      this.#dropped++;
      excess -= size;
    }
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#heartbeat.received();
    this.#settings.decoder.push(chunk);
    this.#readFrames();
  };

  #readFrames(): void {
    const decoder = this.#settings.decoder;
    try {
      while (decoder.next()) {
        if (decoder.type === FrameType.Goodbye) {
          this.#socket.destroy();
          return;
        }
      }
    } catch (error) {
      this.destroy(error as SeamlessError);
    }
  }

  readonly #onClose = (): void => {
    this.#closed = true;
    this.#heartbeat.stop();
    this.#regions.length = 0;
    this.#regionBytes = 0;
    this.#inFlight.length = 0;
    this.#inFlightBytes = 0;
    this.#slab = emptySlab;
    this.#openStart = 0;
    this.#writeOffset = 0;
    this.#settings.onClosed(this, this.#problem);
  };
}
