import { randomBytes } from 'node:crypto';
import { atProcessExit, ownPresence } from '@seamless/local-addrs';
import type { ProcessIdentity, ProcessMonitor } from '@seamless/local-addrs';
import { ErrorCode, realTimers, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy, Publication, PublicationListener, PublicationLoan, PublicationOptions } from '@seamless/transport';
import { Doorbell, doorbellPath, removeDoorbell, ringDoorbell } from './os/doorbell.js';
import { createSegment, unlinkSegment } from './os/native.js';
import type { NativeSegment } from './os/native.js';
import { reclaimDeadProcess } from './os/reclaim-schedule.js';
import { countActiveSlots, forEachActiveSlot, slotDoorbell, slotOwner, slotPresence } from './ring/reader-slots.js';
import { HeaderWord } from './ring/header-words.js';
import { RingDescriptor as D, segmentBytesFor } from './ring/ring-descriptor.js';
import { ringSizeFor } from './ring/ring-size.js';
import { RingWriter } from './ring/ring-writer.js';
import { writeSegmentHeader } from './ring/segment-header.js';
import { describeShmSpace, formatBytes, shmSpace } from './os/shm-directory.js';
import { SHM_TRANSPORT_KIND } from './shm-endpoint.js';
import type { ShmEndpoint } from './shm-endpoint.js';
import { SubscriberRoster } from './subscriber-roster.js';
import type { RosterEntry } from './subscriber-roster.js';

/** How a publication's segment is made and watched; resolved from the transport options. */
export interface PublicationSettings {
  /** The smallest ring (a power of two); raised when `maxMessageSize` needs more. */
  readonly capacity: number;
  /** Permission bits of the segment (default 0o600). */
  readonly mode: number;
  /** The prefix of segment names: `/<prefix>-<uid>-<presence>-<random>`. */
  readonly namePrefix: string;
  readonly uid: number;
  /** Tells when a reader's process dies (one sweep for the whole process). */
  readonly monitor: ProcessMonitor;
  /** How often, at most, the liveness of a reader that holds the writer back is checked. */
  readonly livenessIntervalMs: number;
  /** Space left free in /dev/shm: a segment that would leave less is not created. */
  readonly minFreeBytes: number;
  /** Called once when the publication closes. */
  readonly onClose?: () => void;
}

/**
 * One publisher's ring in its own POSIX shared-memory segment. `send` writes straight into
 * the mapped ring from TypeScript: no system call and no allocation per message; a system
 * call happens only to wake a parked reader.
 *
 * With `history` N the ring also keeps the last N messages for readers that join later: it is
 * sized for them (`ringSizeFor`: the ring without history plus N + 1 records of
 * `maxMessageSize`, rounded up to a power of two), so that writing never overwrites one of
 * them, and the writer publishes where the oldest starts.
 *
 * Subscribers come and go through the reader slots of the segment: a reader that joins or
 * leaves bumps the segment's generation and rings this process's doorbell, and the
 * publication, on that turn of its event loop, compares its {@link SubscriberRoster} with the
 * slots and reports `subscriberAdded` / `subscriberRemoved` (and `subscribersChanged`). A
 * reader whose process dies is evicted by the process's liveness sweep (every
 * `livenessIntervalMs`, 250 ms by default), or sooner by a reliable writer it holds back, and
 * reported removed right after. So a subscriber is reported within one turn of this event
 * loop after its join (or close) completed, and a dead one within one sweep and a turn; while
 * the event loop is busy (a synchronous send loop), the reports wait for it.
 */
export class ShmPublication implements Publication<ShmEndpoint> {
  readonly kind = SHM_TRANSPORT_KIND;
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  /** How many of its latest messages it retains for subscribers that attach later (0: none). */
  readonly history: number;
  readonly endpoint: ShmEndpoint;
  /** Always false: a reader may attach to the ring before the publisher counts it. */
  readonly exactSubscriberCount = false;
  /** The segment name (`/seamless-<uid>-<random>`). */
  readonly segmentName: string;
  /** Ring bytes. */
  readonly capacity: number;
  readonly #segment: NativeSegment;
  // Unlinks the segment at a normal exit without close().
  readonly #cancelExitCleanup: () => void;
  readonly #writer: RingWriter;
  readonly #words: Int32Array;
  readonly #listener: PublicationListener | undefined;
  readonly #settings: PublicationSettings;
  readonly #bytes: Uint8Array;
  readonly #doorbell: Doorbell;
  readonly #stopListening: () => void;
  // The readers this publication knows, each watched for its death.
  readonly #roster: SubscriberRoster;
  readonly #drainWaiters = new Set<() => void>();
  #generation = 0;
  #subscribers = 0;
  #closed = false;

  /**
   * @throws SeamlessError `ERR_SHM_UNAVAILABLE` when the segment cannot be made (among others
   *   when /dev/shm lacks the room: the message gives its size and free space),
   *   `ERR_MESSAGE_TOO_LARGE` when `maxMessageSize` needs a ring beyond 1 GiB,
   *   `ERR_INVALID_ARGUMENT` when `history` × `maxMessageSize` does.
   */
  constructor(options: PublicationOptions, settings: PublicationSettings, listener?: PublicationListener) {
    this.topic = options.topic;
    this.publisherId = options.publisherId;
    this.policy = options.policy;
    this.maxMessageSize = options.maxMessageSize;
    this.history = options.history ?? 0;
    const size = ringSizeFor(options.maxMessageSize, settings.capacity, this.history);
    if (size.base > D.maxCapacity) {
      throw new SeamlessError(
        ErrorCode.MessageTooLarge,
        `maxMessageSize ${options.maxMessageSize} needs a ring larger than ${D.maxCapacity} bytes`,
      );
    }
    if (size.capacity > D.maxCapacity) {
      throw new SeamlessError(
        ErrorCode.InvalidArgument,
        `openPublication: history ${this.history} × maxMessageSize ${options.maxMessageSize} needs a ring of ` +
          `${formatBytes(size.capacity)} (${formatBytes(size.base)} plus ${formatBytes(size.historyBytes)} for the retained messages), ` +
          `beyond the ${formatBytes(D.maxCapacity)} a shared-memory segment holds: retain fewer or smaller messages`,
        { details: { option: 'history', history: this.history, maxMessageSize: options.maxMessageSize, capacity: size.capacity } },
      );
    }
    this.capacity = size.capacity;
    this.#listener = listener;
    this.#settings = settings;
    const presence = ownPresence();
    if (presence === undefined)
      throw new SeamlessError(ErrorCode.ShmUnavailable, 'this process has no presence pipe: create the transport first');
    const nonce = randomBytes(16).toString('hex');
    this.segmentName = `/${settings.namePrefix}-${settings.uid}-${presence.token}-${randomBytes(4).toString('hex')}`;
    const bytes = segmentBytesFor(this.capacity);
    const space = shmSpace();
    if (space !== undefined && space.freeBytes < bytes + settings.minFreeBytes) this.#noRoom(bytes, undefined);
    this.#doorbell = Doorbell.acquire(settings.uid);
    try {
      this.#segment = createSegment(this.segmentName, bytes, settings.mode);
    } catch (error) {
      this.#doorbell.release();
      const code = SeamlessError.isInstance(error) ? (error.details as { code?: unknown } | undefined)?.code : undefined;
      if (code === 'ENOSPC') this.#noRoom(bytes, error);
      throw error;
    }
    const segmentName = this.segmentName;
    this.#cancelExitCleanup = atProcessExit(() => {
      unlinkSegment(segmentName);
    });
    const buffer = this.#segment.buffer ?? new ArrayBuffer(0);
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Int32Array(buffer);
    writeSegmentHeader(buffer, {
      capacity: this.capacity,
      maxMessageSize: this.maxMessageSize,
      policy: this.policy,
      writerPid: process.pid,
      writerPresence: presence.token,
      writerDoorbell: this.#doorbell.id,
      nonce,
      ownerUid: settings.uid,
      segmentBytes: bytes,
      publisherId: this.publisherId,
      topic: this.topic,
      history: this.history,
    });
    this.#writer = new RingWriter(buffer, {
      capacity: this.capacity,
      maxPayload: this.maxMessageSize,
      latest: this.policy === 'latest',
      history: this.history,
      hooks: {
        wakeReader: (slot) => {
          this.#wakeReader(slot);
        },
        processGone: (identity) => settings.monitor.check(identity) === 'dead',
        readerEvicted: (slot) => {
          this.#readerLeft(slot, slotPresence(this.#bytes, slot));
        },
        livenessIntervalMs: settings.livenessIntervalMs,
      },
    });
    this.#roster = new SubscriberRoster(this.#words, this.#bytes, settings.monitor, (entry) => {
      this.#readerDied(entry);
    });
    this.endpoint = Object.freeze({ segment: this.segmentName, nonce });
    this.#stopListening = this.#doorbell.listen(() => {
      this.#onDoorbell();
    });
  }

  /** Readers attached right now (active reader slots). */
  get subscriberCount(): number {
    return this.#closed ? 0 : countActiveSlots(this.#words);
  }

  /** Whether the publication was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  canSend(length: number): boolean {
    return !this.#closed && length <= this.maxMessageSize && !this.#writer.claimed && this.#writer.canWrite(length);
  }

  send(data: Uint8Array, sequence: number): boolean {
    if (this.#closed) this.#fail(ErrorCode.Closed, 'is closed');
    if (!(data instanceof Uint8Array)) this.#fail(ErrorCode.InvalidArgument, 'can only send a Uint8Array');
    if (data.length > this.maxMessageSize) this.#tooLarge(data.length);
    if (this.#writer.claimed) this.#fail(ErrorCode.InvalidArgument, 'has a loan outstanding: commit or abort it first');
    return this.#writer.write(data, sequence);
  }

  loan(size: number): PublicationLoan | undefined {
    if (this.#closed) this.#fail(ErrorCode.Closed, 'is closed');
    if (!Number.isInteger(size) || size < 0) this.#fail(ErrorCode.InvalidArgument, `cannot loan ${String(size)} bytes`);
    if (size > this.maxMessageSize) this.#tooLarge(size);
    if (this.#writer.claimed) this.#fail(ErrorCode.InvalidArgument, 'has a loan outstanding: commit or abort it first');
    const claim = this.#writer.claim(size);
    const buffer = this.#segment.buffer;
    if (claim === undefined || buffer === undefined) return undefined;
    const writer = this.#writer;
    let open = true;
    const finish = (): void => {
      if (!open) throw new SeamlessError(ErrorCode.InvalidArgument, 'this loan was already committed or aborted');
      open = false;
    };
    return {
      data: new Uint8Array(buffer, claim.payloadOffset, size),
      commit: (sequence: number, length = size) => {
        finish();
        if (!Number.isInteger(length) || length < 0 || length > size) {
          writer.abortClaim();
          throw new SeamlessError(ErrorCode.InvalidArgument, `commit length ${String(length)} is not within 0..${size}`);
        }
        if (this.#closed) return;
        writer.commitClaim(length, sequence);
      },
      abort: () => {
        finish();
        writer.abortClaim();
      },
    };
  }

  /**
   * Resolves once a send of `length` bytes (default `maxMessageSize`) would be accepted. The
   * writer raises a flag in the segment and sleeps on its doorbell; the first reader that
   * frees room rings it. A dead reader holding the room is evicted within
   * `livenessIntervalMs`.
   */
  async drained(length = this.maxMessageSize, signal?: AbortSignal): Promise<void> {
    if (length > this.maxMessageSize) this.#tooLarge(length);
    this.#doorbell.hold();
    try {
      for (;;) {
        if (this.#closed) this.#fail(ErrorCode.Closed, 'was closed while waiting for room');
        if (signal?.aborted === true) throw new SeamlessError(ErrorCode.Aborted, 'drained() was aborted', { cause: signal.reason });
        if (this.canSend(length)) return;
        Atomics.store(this.#words, HeaderWord.WriterWaiting, 1);
        // Look again after raising the flag (a reader may have freed room in between).
        if (this.canSend(length)) return;
        await this.#nextRing(signal);
      }
    } finally {
      this.#doorbell.unhold();
    }
  }

  /**
   * Marks the ring closed, wakes every reader so it notices, removes the name and unmaps.
   * Readers found dead on the way out have their leftovers reclaimed.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#segment.buffer !== undefined) {
      Atomics.store(this.#words, HeaderWord.State, D.stateClosed);
      forEachActiveSlot(this.#words, (slot) => {
        const owner = slotOwner(this.#bytes, this.#words, slot);
        if (this.#settings.monitor.check(owner) === 'dead') this.#reclaimReader(slot, owner);
        else this.#wakeReader(slot);
      });
    }
    this.#closed = true;
    this.#stopListening();
    this.#roster.clear();
    for (const wake of this.#drainWaiters) wake();
    this.#cancelExitCleanup();
    try {
      unlinkSegment(this.segmentName);
    } finally {
      this.#segment.close();
      this.#doorbell.release();
      this.#settings.onClose?.();
      if (this.#subscribers !== 0) this.#listener?.subscribersChanged?.(0);
    }
    return Promise.resolve();
  }

  #nextRing(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        realTimers.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#drainWaiters.delete(done);
        resolve();
      };
      // The timer only bounds how long a dead reader can hold us (its eviction is checked
      // when we look again); readers that free room wake us at once.
      const timer = realTimers.setTimeout(done, this.#settings.livenessIntervalMs);
      signal?.addEventListener('abort', done);
      this.#drainWaiters.add(done);
    });
  }

  #onDoorbell(): void {
    if (this.#closed) return;
    for (const wake of [...this.#drainWaiters]) wake();
    const generation = Atomics.load(this.#words, HeaderWord.Generation);
    if (generation === this.#generation) return;
    this.#generation = generation;
    // Readers joined or left: report them, and watch the process of every active slot (one
    // shared sweep for the whole process), so that a dead reader is evicted within a sweep,
    // in any PID namespace.
    this.#roster.update(this.#listener);
    const count = this.subscriberCount;
    if (count !== this.#subscribers) {
      this.#subscribers = count;
      this.#listener?.subscribersChanged?.(count);
    }
  }

  // The monitor saw the process of a known reader die: evict it, unless its slot has moved on.
  #readerDied(entry: RosterEntry): void {
    if (this.#closed || !this.#roster.holds(entry)) return;
    if (this.#writer.evict(entry.slot)) this.#readerLeft(entry.slot, entry.presence);
  }

  // A dead reader was evicted from `slot`: reclaim what its process left, then let waiting
  // senders, the roster and the subscriber count see it. Not from inside send(), where an
  // eviction may happen: in a microtask, once the caller's synchronous code is done.
  #readerLeft(slot: number, presence: string): void {
    this.#reclaimReader(slot, { ...slotOwner(this.#bytes, this.#words, slot), presence });
    realTimers.queueMicrotask(() => {
      this.#generation = -1;
      this.#onDoorbell();
    });
  }

  #reclaimReader(slot: number, owner: ProcessIdentity): void {
    removeDoorbell(doorbellPath(this.#settings.uid, owner.presence, slotDoorbell(this.#words, slot)));
    void reclaimDeadProcess(this.#settings.namePrefix, this.#settings.uid, owner.presence);
  }

  #wakeReader(slot: number): void {
    ringDoorbell(this.#settings.uid, slotPresence(this.#bytes, slot), slotDoorbell(this.#words, slot));
  }

  #noRoom(bytes: number, cause: unknown): never {
    const retained = this.history === 0 ? '' : `, sized for history ${this.history} × maxMessageSize ${this.maxMessageSize}`;
    throw new SeamlessError(
      ErrorCode.ShmUnavailable,
      `no room in /dev/shm for the ${formatBytes(bytes)} segment of publisher "${this.topic}"${retained} ` +
        `(${describeShmSpace()}; Seamless leaves ${formatBytes(this.#settings.minFreeBytes)} free for its registry and other users)`,
      { cause, details: { code: 'ENOSPC', bytes, space: shmSpace(), minFreeBytes: this.#settings.minFreeBytes } },
    );
  }

  #tooLarge(length: number): never {
    throw new SeamlessError(
      ErrorCode.MessageTooLarge,
      `message of ${length} bytes exceeds maxMessageSize ${this.maxMessageSize} of publication "${this.topic}"`,
      { details: { length, maxMessageSize: this.maxMessageSize } },
    );
  }

  #fail(code: SeamlessError['code'], problem: string): never {
    throw new SeamlessError(code, `shared-memory publication "${this.topic}" ${problem}`);
  }
}
