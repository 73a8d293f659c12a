import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type {
  Advertisement,
  IdleStrategy,
  MessageHandler,
  Subscription,
  SubscriptionListener,
  SubscriptionOptions,
} from '@seamless/transport';
import { ownPresence } from '@seamless/local-addrs';
import type { ProcessMonitor } from '@seamless/local-addrs';
import { Doorbell, doorbellPath, removeDoorbell, ringDoorbell } from './os/doorbell.js';
import { openSegment, unlinkSegment } from './os/native.js';
import type { NativeSegment } from './os/native.js';
import { presenceOwner } from './ring/presence-field.js';
import { reclaimDeadProcess } from './os/reclaim-schedule.js';
import { HeaderWord } from './ring/header-words.js';
import { RingDescriptor as D, segmentBytesFor } from './ring/ring-descriptor.js';
import { RingReader } from './ring/ring-reader.js';
import { readSegmentHeader } from './ring/segment-header.js';
import type { SegmentHeader } from './ring/segment-header.js';
import { SHM_TRANSPORT_KIND, shmEndpointOf } from './shm-endpoint.js';

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
  const endpoint = shmEndpointOf(advertisement);
  const segment = openSegment(endpoint.segment, uid, segmentBytesFor(D.minCapacity), segmentBytesFor(D.maxCapacity));
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

/** How a subscription watches its publisher; resolved from the transport options. */
export interface SubscriptionSettings {
  readonly uid: number;
  /** Tells when the writer's process dies (one sweep for the whole process). */
  readonly monitor: ProcessMonitor;
  /** The prefix of segment names, to reclaim a dead writer's other segments. */
  readonly namePrefix: string;
  /** Called once when the subscription closes. */
  readonly onClose?: () => void;
}

/**
 * One reader of one publisher's ring. It starts at the oldest message the publisher retains
 * (its `history`), or at the live tail with `history: false` or when it retains none; under
 * `'latest'` with history 1 the current value is ready at once. `poll` reads the mapped ring
 * directly (no system call, no allocation per message in steady state); the idle strategy
 * decides how the owner learns that more has arrived:
 * - `'park'`: the reader raises its parked flag and sleeps on this process's doorbell; the
 *   writer rings it after its next commit (one wake-up, no polling).
 * - `'spin'`: checks the ring on every turn of the event loop (`setImmediate`), never sleeps.
 * - `{ spinMicros }`: spins that long after the last message, then parks.
 *
 * An open subscription keeps the event loop alive (like a socket); once closed it does not.
 */
export class ShmSubscription implements Subscription {
  readonly kind = SHM_TRANSPORT_KIND;
  readonly topic: string;
  readonly publisherId: string;
  readonly segmentName: string;
  readonly #segment: NativeSegment;
  readonly #words: Int32Array;
  readonly #header: SegmentHeader;
  readonly #reader: RingReader;
  readonly #listener: SubscriptionListener;
  readonly #idle: IdleStrategy;
  readonly #settings: SubscriptionSettings;
  readonly #doorbell: Doorbell;
  readonly #stopListening: () => void;
  readonly #stopWatching: () => void;
  #armed = false;
  #sleeping = false;
  #spinUntil = 0;
  #gone: SeamlessError | undefined;
  #closed = false;
  #ended = false;

  constructor(attached: AttachedSegment, options: SubscriptionOptions, listener: SubscriptionListener, settings: SubscriptionSettings) {
    this.topic = attached.header.topic;
    this.publisherId = attached.header.publisherId;
    this.segmentName = attached.segment.name;
    this.#segment = attached.segment;
    this.#header = attached.header;
    this.#words = new Int32Array(attached.buffer);
    this.#listener = listener;
    this.#settings = settings;
    this.#idle = options.idle ?? 'park'; // checked by the transport (validateSubscriptionOptions)
    this.#doorbell = Doorbell.acquire(settings.uid);
    try {
      this.#reader = new RingReader(attached.buffer, attached.segment.name, {
        capacity: attached.header.capacity,
        maxPayload: attached.header.maxMessageSize,
        maxMessageSize: Math.min(attached.header.maxMessageSize, options.maxMessageSize ?? Number.MAX_SAFE_INTEGER),
        latest: attached.header.policy === 'latest',
        topic: this.topic,
        publisherId: this.publisherId,
        copy: options.copy === true,
        retained: attached.header.history,
        history: options.history !== false,
        owner: { pid: process.pid, presence: ownPresence()?.token ?? '' },
        doorbell: this.#doorbell.id,
        hooks: {
          wakeWriter: () => {
            this.#wakeWriter();
          },
          processGone: (identity) => settings.monitor.check(identity) === 'dead',
        },
      });
    } catch (error) {
      this.#doorbell.release();
      throw error;
    }
    this.#doorbell.hold();
    this.#stopListening = this.#doorbell.listen(() => {
      this.#onDoorbell();
    });
    // A writer that is killed rings nobody: the process's monitor notices (one sweep for every
    // subscription and publication of the process, from any PID namespace).
    this.#stopWatching = settings.monitor.watch(presenceOwner(this.#header.writerPresence, this.#header.writerPid), () => {
      this.#writerDied();
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
      if (SeamlessError.isInstance(error, ErrorCode.Protocol) || SeamlessError.isInstance(error, ErrorCode.MessageTooLarge))
        this.#end(error);
      throw error;
    }
    if (count === 0) {
      if (this.#gone !== undefined) this.#end(this.#gone);
      else this.#arm();
    }
    return count;
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#stopWatching();
    this.#stopListening();
    this.#reader.close();
    this.#segment.close();
    this.#doorbell.unhold();
    this.#doorbell.release();
    this.#settings.onClose?.();
    return Promise.resolve();
  }

  // Arranges for `readable()` once something arrives (or the publisher is gone).
  #arm(): void {
    if (this.#armed || this.#closed) return;
    this.#armed = true;
    const idle = this.#idle;
    if (idle === 'park') {
      this.#park();
      return;
    }
    this.#spinUntil = typeof idle === 'object' ? realTimers.now() + idle.spinMicros / 1000 : Number.POSITIVE_INFINITY;
    realTimers.setImmediate(() => {
      this.#spin();
    });
  }

  #park(): void {
    if (this.#reader.park()) {
      // The writer marks the ring closed, then rings every reader: a close that this check
      // misses comes with a ring that finds us asleep.
      if (this.#writerClosed()) {
        this.#reader.unpark();
        this.#gone ??= this.#goneError('closed its publication');
      } else {
        this.#sleeping = true; // the writer (or the monitor, at its death) will wake us
        return;
      }
    }
    // Something arrived between the empty poll and the parked flag: no need to sleep.
    realTimers.queueMicrotask(() => {
      this.#fire();
    });
  }

  #spin(): void {
    if (this.#closed || !this.#armed) return;
    if (this.#gone === undefined && this.#writerClosed()) this.#gone = this.#goneError('closed its publication');
    if (this.#reader.hasData() || this.#gone !== undefined) {
      this.#fire();
    } else if (realTimers.now() < this.#spinUntil) {
      realTimers.setImmediate(() => {
        this.#spin();
      });
    } else {
      this.#park();
    }
  }

  #onDoorbell(): void {
    if (this.#closed || !this.#sleeping) return;
    if (this.#writerClosed()) this.#gone ??= this.#goneError('closed its publication');
    if (this.#reader.hasData() || this.#gone !== undefined) {
      this.#reader.unpark();
      this.#fire();
    } else if (!this.#reader.parked) {
      // The flag was withdrawn but nothing is here: raise it again. (A ring meant for another
      // subscription of this process leaves the flag up, and us asleep.)
      this.#park();
    }
  }

  #fire(): void {
    if (this.#closed || !this.#armed) return;
    this.#armed = false;
    this.#sleeping = false;
    this.#listener.readable();
  }

  #writerDied(): void {
    if (this.#closed || this.#gone !== undefined) return;
    this.#gone = this.#writerClosed()
      ? this.#goneError('closed its publication')
      : this.#goneError(`died (process ${this.#header.writerPid}, presence ${this.#header.writerPresence})`);
    // Whoever notices a death removes what the dead process left: this segment (our mapping
    // stays valid), its doorbell, its other segments, its presence.
    try {
      unlinkSegment(this.segmentName);
    } catch {
      // Not ours to remove after all: the reclaim of a later start decides.
    }
    removeDoorbell(doorbellPath(this.#settings.uid, this.#header.writerPresence, this.#header.writerDoorbell));
    void reclaimDeadProcess(this.#settings.namePrefix, this.#settings.uid, this.#header.writerPresence);
    // Deliver what was committed first; poll() ends the subscription once it is drained.
    if (this.#armed) {
      this.#reader.unpark();
      this.#fire();
    }
  }

  #writerClosed(): boolean {
    return Atomics.load(this.#words, HeaderWord.State) === D.stateClosed;
  }

  #goneError(what: string): SeamlessError {
    return new SeamlessError(ErrorCode.PublisherGone, `publisher ${this.publisherId} of "${this.topic}" ${what}`, {
      details: { publisherId: this.publisherId, topic: this.topic, segment: this.segmentName },
    });
  }

  #wakeWriter(): void {
    ringDoorbell(this.#settings.uid, this.#header.writerPresence, this.#header.writerDoorbell);
  }

  #end(reason: SeamlessError): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    // Never from inside poll(): report on the next turn, then release the segment.
    realTimers.queueMicrotask(() => {
      if (this.#closed) return;
      void this.close();
      this.#listener.ended(reason);
    });
  }
}
