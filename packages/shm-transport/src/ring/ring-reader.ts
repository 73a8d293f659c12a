// The reading side of one ring, in one file although it is longer than most: poll() under
// both policies, the lapping and padding rules and joining through a reader slot share the
// reader's private position and loss counters, and keeping them one class keeps the per-message
// path in #private methods V8 inlines; the pieces that stand alone (positions, records, reader
// slots, header words) are their own modules.
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { Message, MessageHandler } from '@seamless/transport';
import type { ProcessIdentity } from '@seamless/local-addrs';
import { HeaderWord } from './header-words.js';
import { advance, distance } from './position.js';
import { writePresence } from './presence-field.js';
import {
  claimFreeSlot,
  evictSlot,
  forEachActiveSlot,
  slotDoorbellIndex,
  slotOwner,
  slotParkedIndex,
  slotPidIndex,
  slotPositionIndex,
  slotPresenceOffset,
  slotStateIndex,
  slotTicketIndex,
} from './reader-slots.js';
import { isData, isPadding, lengthIndex, payloadOffset, readSequence, typeIndex } from './record-descriptor.js';
import { RingDescriptor as D, alignRecord } from './ring-descriptor.js';
import { activateSlot } from './ring-join.js';
import { ViewCache } from './view-cache.js';

const HEADER = D.recordHeaderBytes;
const EMPTY = new Uint8Array(0);
// Jumps and padding records one poll may step over before it gives up for now; a writer
// lapping us that fast, or a scribbled ring, must not keep poll() from returning.
const MAX_SKIPS_PER_POLL = 64;

/** The message object a reader hands to handlers; reused from one message to the next. */
class ShmMessage implements Message {
  readonly topic: string;
  readonly publisherId: string;
  readonly transport = 'shm' as const;
  data: Uint8Array = EMPTY;
  seq = 0;
  lost = 0;

  constructor(topic: string, publisherId: string) {
    this.topic = topic;
    this.publisherId = publisherId;
  }
}

/** What a {@link RingReader} needs from outside shared memory. */
export interface RingReaderHooks {
  /** Rings the writer's doorbell: it waits for room, or should recount its readers. */
  wakeWriter(): void;
  /** Whether the process recorded in a reader slot is provably gone. */
  processGone(identity: ProcessIdentity): boolean;
}

const noHooks: RingReaderHooks = { wakeWriter: () => undefined, processGone: () => false };

/** Options of {@link RingReader}. */
export interface RingReaderOptions {
  readonly capacity: number;
  /** The largest record the writer writes (its maxMessageSize): anything larger is corruption. */
  readonly maxPayload: number;
  /** The largest message this reader accepts (at most maxPayload); a larger one is ERR_MESSAGE_TOO_LARGE. Default: maxPayload. */
  readonly maxMessageSize?: number;
  readonly latest: boolean;
  readonly topic: string;
  readonly publisherId: string;
  /** Hand each handler an owned copy of the payload instead of a view. */
  readonly copy: boolean;
  /** How many of its latest records the writer retains (the header's history; default 0). */
  readonly retained?: number;
  /**
   * Start at the oldest record the writer retains, when it retains any (default false: at the
   * live tail, receiving only what is sent after the join).
   */
  readonly history?: boolean;
  /** This process, as recorded in the reader slot: its pid (for people) and presence token. */
  readonly owner: { readonly pid: number; readonly presence: string };
  /** This process's doorbell id, published in the reader slot (0: none). */
  readonly doorbell?: number;
  readonly hooks?: RingReaderHooks;
}

/**
 * The reading side of one ring, run in TypeScript directly on the mapped segment; the
 * memory-ordering argument is in `ring-writer.ts`. Reader side, in short: `Atomics.load` of a
 * record's length (acquire) before reading the record; `Atomics.store` of the reader's
 * position (release) only after the handler has returned, so the writer never reuses space a
 * handler may still be looking at (zero copy). Under the latest policy the record is copied
 * into a private buffer first and kept only if the writer's intent shows it was not being
 * overwritten meanwhile.
 *
 * Everything read from shared memory is read once into a local and checked before use: a
 * corrupt ring raises `ERR_PROTOCOL`, never an out-of-bounds access or an endless loop
 * (typed-array accesses are bounds-checked by the engine in any case).
 */
export class RingReader {
  readonly capacity: number;
  readonly maxPayload: number;
  readonly maxMessageSize: number;
  readonly latest: boolean;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #mask: number;
  readonly #slot: number;
  // This reader's parked flag and position in its slot: the words of the hot path.
  readonly #parkedIndex: number;
  readonly #positionIndex: number;
  readonly #message: ShmMessage;
  readonly #copy: boolean;
  readonly #segmentName: string;
  readonly #views: ViewCache;
  // Latest policy: records are copied here, then validated; grown to the largest record seen.
  // Views cached per size.
  #scratch: Uint8Array = EMPTY;
  #scratchViews: (Uint8Array | undefined)[] = [];
  readonly #fence: Int32Array;
  readonly #hooks: RingReaderHooks;
  #position: number;
  #expected: number;
  #lost = 0;
  #closed = false;

  constructor(buffer: ArrayBuffer, segmentName: string, options: RingReaderOptions) {
    this.capacity = options.capacity;
    this.maxPayload = options.maxPayload;
    this.maxMessageSize = Math.min(options.maxMessageSize ?? options.maxPayload, options.maxPayload);
    this.latest = options.latest;
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Int32Array(buffer);
    this.#mask = options.capacity - 1;
    this.#copy = options.copy;
    this.#segmentName = segmentName;
    this.#message = new ShmMessage(options.topic, options.publisherId);
    this.#views = new ViewCache(buffer, Math.min(options.capacity / D.recordAlignment, 1 << 16));
    this.#fence = new Int32Array(1);
    this.#expected = -1;
    this.#hooks = options.hooks ?? noHooks;
    this.#slot = this.#join(options);
    this.#parkedIndex = slotParkedIndex(this.#slot);
    this.#positionIndex = slotPositionIndex(this.#slot);
    this.#position = Atomics.load(this.#words, this.#positionIndex) >>> 0;
    // Latest, from the history: if the writer laps us before the first read, what it destroyed
    // counts as lost from the first retained record on, not from whatever we read first.
    if (this.latest && options.history === true) this.#expected = this.#sequenceAt(this.#position);
  }

  /** The reader slot this reader owns (0..63). */
  get slot(): number {
    return this.#slot;
  }

  /** Messages lost so far (lapped under the latest policy). */
  get lost(): number {
    return this.#lost;
  }

  /** The position of the next record to read. */
  get position(): number {
    return this.#position;
  }

  /** Whether a record (or a lap) is waiting at the reader's position. Does not consume. */
  hasData(): boolean {
    if (this.#closed) return false;
    const length = Atomics.load(this.#words, lengthIndex(this.#position & this.#mask));
    return length !== 0 || (this.latest && this.#lapped(this.#position));
  }

  /**
   * Hands every ready record, up to `limit`, to `handler`, in order; returns how many.
   * @throws SeamlessError `ERR_PROTOCOL` when the ring is corrupt.
   */
  poll(handler: MessageHandler, limit: number): number {
    if (this.#closed) return 0;
    return this.latest ? this.#pollLatest(handler, limit) : this.#pollReliable(handler, limit);
  }

  /** Whether this reader is parked (waiting for its doorbell). */
  get parked(): boolean {
    return !this.#closed && Atomics.load(this.#words, this.#parkedIndex) === 1;
  }

  /**
   * Parks: publishes the parked flag and counts itself among the waiters, then looks at the
   * ring once more (see the Dekker argument in `ring-writer.ts`). Returns true when parked —
   * the writer will ring the doorbell — and false when something arrived meanwhile (not
   * parked; poll now).
   */
  park(): boolean {
    if (this.#closed) return false;
    const words = this.#words;
    if (Atomics.load(words, this.#parkedIndex) === 1) return true;
    Atomics.store(words, this.#parkedIndex, 1);
    Atomics.add(words, HeaderWord.Waiters, 1);
    if (this.hasData()) {
      this.unpark();
      return false;
    }
    return true;
  }

  /** Withdraws from parking (unless the writer already did, when it woke us). */
  unpark(): void {
    if (this.#closed) return;
    const words = this.#words;
    if (Atomics.compareExchange(words, this.#parkedIndex, 1, 0) === 1) {
      Atomics.sub(words, HeaderWord.Waiters, 1);
    }
  }

  /** Gives the reader slot back. Idempotent. */
  close(): void {
    if (this.#closed) return;
    if (this.#words.length === 0) {
      this.#closed = true;
      this.#views.release();
      return; // the segment was already unmapped (detached buffer)
    }
    this.unpark();
    this.#closed = true;
    this.#views.release();
    const words = this.#words;
    words[slotPidIndex(this.#slot)] = 0;
    Atomics.store(words, slotStateIndex(this.#slot), D.slotFree);
    Atomics.add(words, HeaderWord.Generation, 1);
    this.#hooks.wakeWriter();
  }

  // Publishes how far this reader has read, once per poll (release: the handlers are done with
  // everything before `position`), then wakes a writer that waits for room.
  #advanceTo(position: number): void {
    if (position === this.#position) return;
    this.#position = position;
    Atomics.store(this.#words, this.#positionIndex, position | 0);
    this.#afterProgress();
  }

  // After publishing a new position: a writer parked for room is woken by whoever clears its
  // flag. The position store before this load is sequentially consistent, and so are the
  // writer's flag store and its next look at the positions (Dekker again).
  #afterProgress(): void {
    const words = this.#words;
    if (Atomics.load(words, HeaderWord.WriterWaiting) !== 0 && Atomics.compareExchange(words, HeaderWord.WriterWaiting, 1, 0) === 1) {
      this.#hooks.wakeWriter();
    }
  }

  #pollReliable(handler: MessageHandler, limit: number): number {
    const words = this.#words;
    const mask = this.#mask;
    const message = this.#message;
    let position = this.#position;
    let count = 0;
    let skips = 0;
    try {
      while (count < limit) {
        const at = position & mask;
        const length = Atomics.load(words, lengthIndex(at));
        if (length === 0) break;
        const type = words[typeIndex(at)];
        if (isPadding(type, length, at, this.capacity)) {
          if (++skips > MAX_SKIPS_PER_POLL) this.#corrupt(position, 'bad padding');
          position = advance(position, length);
          continue;
        }
        if (!isData(type, length, at, this.capacity, this.maxPayload)) {
          this.#corrupt(position, type === D.recordTypePadding ? 'bad padding' : `bad record (type ${String(type)}, length ${length})`);
        }
        const size = length - HEADER;
        if (size > this.maxMessageSize) this.#tooLarge(position, size);
        message.seq = readSequence(words, at);
        message.lost = 0;
        message.data = this.#copy ? this.#bytes.slice(payloadOffset(at), payloadOffset(at) + size) : this.#view(at, size);
        position = advance(position, alignRecord(length));
        count++;
        handler(message);
      }
    } finally {
      this.#advanceTo(position);
    }
    return count;
  }

  #pollLatest(handler: MessageHandler, limit: number): number {
    const words = this.#words;
    const mask = this.#mask;
    const message = this.#message;
    let position = this.#position;
    let count = 0;
    let skips = 0;
    try {
      while (count < limit) {
        const at = position & mask;
        const length = Atomics.load(words, lengthIndex(at));
        const type = words[typeIndex(at)];
        const padding = isPadding(type, length, at, this.capacity);
        const data = isData(type, length, at, this.capacity, this.maxPayload);
        if (length === 0 || (!padding && !data)) {
          // Nothing yet, or garbage: garbage is fine if the writer lapped us (we are reading
          // half-overwritten space), otherwise the ring is corrupt.
          if (!this.#lapped(position)) {
            if (length === 0) break;
            this.#corrupt(position, `bad record (type ${String(type)}, length ${length})`);
          }
          if (++skips > MAX_SKIPS_PER_POLL) break;
          position = this.#jump();
          continue;
        }
        if (padding) {
          if (++skips > MAX_SKIPS_PER_POLL) break;
          position = advance(position, length);
          continue;
        }
        const size = length - HEADER;
        const sequence = readSequence(words, at);
        const copy = this.#scratchView(size);
        copy.set(this.#view(at, size));
        // A full fence between the copy's loads and the intent load (a compare-exchange on a
        // private word: `lock cmpxchg` / `ldaxr`+`stlxr`), then the intent check: if the writer
        // may have started overwriting this record, the copy is discarded.
        Atomics.compareExchange(this.#fence, 0, 0, 0);
        if (this.#lapped(position)) {
          if (++skips > MAX_SKIPS_PER_POLL) break;
          position = this.#jump();
          continue;
        }
        if (size > this.maxMessageSize) this.#tooLarge(position, size);
        const lost = this.#expected >= 0 && sequence > this.#expected ? sequence - this.#expected : 0;
        this.#lost += lost;
        this.#expected = sequence + 1;
        message.seq = sequence;
        message.lost = lost;
        message.data = this.#copy ? copy.slice() : copy;
        position = advance(position, alignRecord(length));
        count++;
        handler(message);
      }
    } finally {
      this.#advanceTo(position);
    }
    return count;
  }

  // The writer announced it is overwriting the space at `position`.
  #lapped(position: number): boolean {
    const intent = Atomics.load(this.#words, HeaderWord.Intent) >>> 0;
    return distance(position, intent) > this.capacity;
  }

  // Skip to the oldest record the writer keeps intact; what lay between is counted as lost by
  // sequence number when the next record is read.
  #jump(): number {
    return Atomics.load(this.#words, HeaderWord.Head) >>> 0;
  }

  // A view of the payload of the record at ring offset `at`, cached by record (`at` / 8).
  #view(at: number, size: number): Uint8Array {
    return this.#views.view(payloadOffset(at), size, at >> 3);
  }

  #scratchView(size: number): Uint8Array {
    if (size > this.#scratch.length) {
      this.#scratch = new Uint8Array(Math.min(this.maxPayload, Math.max(size, 256, this.#scratch.length * 2)));
      this.#scratchViews = [];
    }
    let view = this.#scratchViews[size];
    if (view === undefined) {
      view = this.#scratch.subarray(0, size);
      this.#scratchViews[size] = view;
    }
    return view;
  }

  // Takes a free reader slot, makes it active and picks the start (ring-join.ts says why it is
  // safe against a writer that keeps writing). If every slot is taken, frees those of dead
  // processes and tries once more.
  #join(options: RingReaderOptions): number {
    const slot = this.#claimSlot(options);
    if (slot >= 0) return slot;
    this.#evictGone();
    const retry = this.#claimSlot(options);
    if (retry >= 0) return retry;
    throw new SeamlessError(
      ErrorCode.ShmUnavailable,
      `shared-memory segment ${this.#segmentName} has no free reader slot (all ${D.readerSlotCount} are taken)`,
    );
  }

  #evictGone(): void {
    forEachActiveSlot(this.#words, (slot) => {
      if (this.#hooks.processGone(slotOwner(this.#bytes, this.#words, slot))) evictSlot(this.#words, slot);
    });
  }

  // Claims a free slot (-1 when none is), fills it in while it is joining, and activates it.
  // The ticket is a generation number taken now, before the slot becomes active, so that
  // whoever sees the slot active also sees the ticket of this attachment; the generation is
  // bumped again once the reader is in, for the publication to count it.
  #claimSlot(options: RingReaderOptions): number {
    const words = this.#words;
    const slot = claimFreeSlot(words);
    if (slot < 0) return -1;
    words[slotPidIndex(slot)] = options.owner.pid | 0;
    writePresence(this.#bytes, slotPresenceOffset(slot), options.owner.presence);
    words[slotParkedIndex(slot)] = 0;
    words[slotDoorbellIndex(slot)] = (options.doorbell ?? 0) | 0;
    Atomics.store(words, slotTicketIndex(slot), Atomics.add(words, HeaderWord.Generation, 1) + 1);
    activateSlot(words, slot, {
      capacity: this.capacity,
      maxPayload: this.maxPayload,
      latest: this.latest,
      retained: options.retained ?? 0,
      history: options.history === true,
      segmentName: this.#segmentName,
    });
    Atomics.add(words, HeaderWord.Generation, 1);
    this.#hooks.wakeWriter();
    return slot;
  }

  // The sequence number of the record at `position` if it is an intact data record, else -1
  // (latest policy: copied, then checked against the writer's intent, as #pollLatest does).
  #sequenceAt(position: number): number {
    const words = this.#words;
    const at = position & this.#mask;
    const length = Atomics.load(words, lengthIndex(at));
    if (!isData(words[typeIndex(at)], length, at, this.capacity, this.maxPayload)) return -1;
    const sequence = readSequence(words, at);
    Atomics.compareExchange(this.#fence, 0, 0, 0);
    return this.#lapped(position) ? -1 : sequence;
  }

  // A well-formed message over this reader's own limit: the same error as over TCP. The reader
  // stops before it (the position is not advanced past it).
  #tooLarge(position: number, size: number): never {
    throw new SeamlessError(
      ErrorCode.MessageTooLarge,
      `a message of ${size} bytes from ${this.#segmentName} exceeds this subscription's maxMessageSize ${this.maxMessageSize}`,
      { details: { segment: this.#segmentName, position, size, maxMessageSize: this.maxMessageSize } },
    );
  }

  #corrupt(position: number, problem: string): never {
    throw new SeamlessError(
      ErrorCode.Protocol,
      `shared-memory segment ${this.#segmentName} is corrupt at position ${position}: ${problem}`,
      { details: { segment: this.#segmentName, position, problem } },
    );
  }
}
