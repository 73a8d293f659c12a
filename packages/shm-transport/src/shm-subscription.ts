import { ErrorCode, SeamlessError } from '@seamless/transport';
import type {
  Advertisement,
  IdleStrategy,
  MessageHandler,
  Subscription,
  SubscriptionListener,
  SubscriptionOptions,
} from '@seamless/transport';
import { openSegment } from './native.js';
import type { NativeSegment } from './native.js';
import { ownProcessStartTime } from './process-start-time.js';
import { RingDescriptor as D, segmentBytesFor } from './ring-descriptor.js';
import { RingReader } from './ring-reader.js';
import { readSegmentHeader } from './segment-header.js';
import type { SegmentHeader } from './segment-header.js';

/** A segment opened and checked against an advertisement, not yet joined as a reader. */
export interface AttachedSegment {
  readonly segment: NativeSegment;
  readonly buffer: ArrayBuffer;
  readonly header: SegmentHeader;
}

/**
 * Opens the segment an advertisement names and proves it is the advertised one: owner, mode
 * and size checked on the descriptor, then the header validated and its nonce, publisher id
 * and topic compared with the advertisement. Throws `ERR_SHM_UNAVAILABLE` (cannot open) or
 * `ERR_PROTOCOL` (not the advertised segment, or corrupt).
 */
export function attachSegment(advertisement: Advertisement, uid: number): AttachedSegment {
  const endpoint = advertisement.endpoints.shm;
  if (endpoint === undefined) {
    throw new SeamlessError(ErrorCode.ShmUnavailable, `publisher ${advertisement.publisherId} has no shared-memory endpoint`);
  }
  const segment = openSegment(
    endpoint.segment,
    uid,
    segmentBytesFor(D.minCapacity),
    segmentBytesFor(D.maxCapacity),
  );
  try {
    const buffer = segment.buffer;
    if (buffer === undefined) throw new SeamlessError(ErrorCode.ShmUnavailable, `segment ${endpoint.segment} is closed`);
    const header = readSegmentHeader(buffer, endpoint.segment);
    const mismatch =
      header.nonce !== endpoint.nonce
        ? 'nonce'
        : header.publisherId !== advertisement.publisherId
          ? 'publisher id'
          : header.topic !== advertisement.topic
            ? 'topic'
            : header.ownerUid !== uid
              ? 'owner uid'
              : undefined;
    if (mismatch !== undefined) {
      throw new SeamlessError(
        ErrorCode.Protocol,
        `shared-memory segment ${endpoint.segment} does not belong to publisher ${advertisement.publisherId} (its ${mismatch} differs)`,
      );
    }
    return { segment, buffer, header };
  } catch (error) {
    segment.close();
    throw error;
  }
}

const immediate = (callback: () => void): void => {
  setImmediate(callback);
};

/**
 * One reader of one publisher's ring. `poll` reads the mapped ring directly (no system call,
 * no allocation per message in steady state); the idle strategy decides how the owner learns
 * that more has arrived.
 */
export class ShmSubscription implements Subscription {
  readonly kind = 'shm' as const;
  readonly topic: string;
  readonly publisherId: string;
  readonly segmentName: string;
  readonly #segment: NativeSegment;
  readonly #words: Int32Array;
  readonly #reader: RingReader;
  readonly #listener: SubscriptionListener;
  readonly #idle: IdleStrategy;
  #armed = false;
  #spinUntil = 0;
  #closed = false;
  #ended = false;

  constructor(attached: AttachedSegment, options: SubscriptionOptions, listener: SubscriptionListener) {
    this.topic = attached.header.topic;
    this.publisherId = attached.header.publisherId;
    this.segmentName = attached.segment.name;
    this.#segment = attached.segment;
    this.#words = new Int32Array(attached.buffer);
    this.#listener = listener;
    this.#idle = options.idle ?? 'park';
    this.#reader = new RingReader(attached.buffer, attached.segment.name, {
      capacity: attached.header.capacity,
      maxPayload: Math.min(attached.header.maxMessageSize, options.maxMessageSize ?? Number.MAX_SAFE_INTEGER),
      latest: attached.header.policy === 'latest',
      topic: this.topic,
      publisherId: this.publisherId,
      copy: options.copy === true,
      owner: { pid: process.pid, startTime: ownProcessStartTime() },
    });
    this.#arm();
  }

  get lost(): number {
    return this.#reader.lost;
  }

  /** The reader slot (0..63) this subscription holds in the segment. */
  get slot(): number {
    return this.#reader.slot;
  }

  poll(handler: MessageHandler, limit = Number.POSITIVE_INFINITY): number {
    if (this.#closed) throw new SeamlessError(ErrorCode.Closed, `subscription to ${this.publisherId} is closed`);
    let count: number;
    try {
      count = this.#reader.poll(handler, limit);
    } catch (error) {
      if (SeamlessError.isInstance(error, ErrorCode.Protocol)) this.#end(error);
      throw error;
    }
    if (count === 0) this.#arm();
    return count;
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#reader.close();
      this.#segment.close();
    }
    return Promise.resolve();
  }

  // Arranges for `readable()` once something arrives (or the publisher is gone).
  #arm(): void {
    if (this.#armed || this.#closed) return;
    this.#armed = true;
    const idle = this.#idle;
    this.#spinUntil = typeof idle === 'object' ? performance.now() + idle.spinMicros / 1000 : 0;
    immediate(() => {
      this.#check();
    });
  }

  #check(): void {
    if (this.#closed) return;
    if (this.#reader.hasData()) {
      this.#armed = false;
      this.#listener.readable();
      return;
    }
    if (Atomics.load(this.#words, D.stateOffset >> 2) === D.stateClosed) {
      this.#armed = false;
      this.#end(new SeamlessError(ErrorCode.PublisherGone, `publisher ${this.publisherId} of "${this.topic}" closed its ring`));
      return;
    }
    const spinning = this.#idle === 'spin' || performance.now() < this.#spinUntil;
    if (spinning) {
      immediate(() => {
        this.#check();
      });
    } else {
      setTimeout(() => {
        this.#check();
      }, 1);
    }
  }

  #end(reason: SeamlessError): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    // Never from inside poll(): report on the next turn, then release the segment.
    queueMicrotask(() => {
      if (this.#closed) return;
      void this.close();
      this.#listener.ended(reason);
    });
  }
}
