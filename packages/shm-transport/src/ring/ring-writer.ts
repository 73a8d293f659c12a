import type { ProcessIdentity } from '@seamless/local-addrs';
import { realTimers } from '@seamless/transport';
import { HeaderWord } from './header-words.js';
import { advance, distance } from './position.js';
import { evictSlot, findSlowestReader, slotOwner, wakeParkedReaders } from './reader-slots.js';
import type { SlowestReader } from './reader-slots.js';
import { isData, isPadding, lengthIndex, payloadOffset, typeIndex, writeSequence } from './record-descriptor.js';
import { RetainedRecords } from './retained-records.js';
import { RingDescriptor as D, alignRecord } from './ring-descriptor.js';

const HEADER = D.recordHeaderBytes;
const ALIGNMENT = D.recordAlignment;
// The tail checkpoint is stored whenever the tail crosses a multiple of 4 KiB: positions that
// differ in a bit from 2^12 up (the literal is ~(4096 - 1), folded by V8 like those of
// record-descriptor.ts).
const CHECKPOINT_MASK = -4096;

/** What {@link RingWriter.claim} reserved: where the payload goes, and the bytes reserved. */
export interface RingClaim {
  /** Byte offset of the payload from the start of the segment. */
  readonly payloadOffset: number;
  /** Byte offset of the record from the start of the ring. */
  readonly recordAt: number;
  /** Payload bytes reserved. */
  readonly size: number;
}

/** What a {@link RingWriter} needs from outside shared memory. */
export interface RingWriterHooks {
  /** Wakes the reader in `slot`, which was parked (rings its process's doorbell). */
  wakeReader(slot: number): void;
  /** Whether the process recorded in a reader slot is provably gone. */
  processGone(identity: ProcessIdentity): boolean;
  /** The writer evicted the dead reader of `slot` because it held the writer back. */
  readerEvicted(slot: number): void;
  /** How often, at most, one reader's liveness is checked while it holds the writer back. */
  readonly livenessIntervalMs: number;
}

const noHooks: RingWriterHooks = {
  wakeReader: () => undefined,
  processGone: () => false,
  readerEvicted: () => undefined,
  livenessIntervalMs: Number.POSITIVE_INFINITY,
};

/** Options of {@link RingWriter}. */
export interface RingWriterOptions {
  /** Ring bytes, a power of two (the header's capacity). */
  readonly capacity: number;
  /** The largest payload it writes (the header's max message size). */
  readonly maxPayload: number;
  /** The latest policy (overwrite) rather than the reliable one (wait for readers). */
  readonly latest: boolean;
  /**
   * How many of its latest records it retains for readers that join later (the header's
   * history; default 0). The ring must be sized for them (`ringSizeFor`).
   */
  readonly history?: number;
  readonly hooks?: RingWriterHooks;
}

/**
 * The writing side of one ring, run in TypeScript directly on the mapped segment (no native
 * call per message; the benchmark compares this with the C++ writer in `bench/native/ring.h`).
 *
 * Memory ordering. `Atomics.store` is sequentially consistent in the JavaScript memory model
 * (a release store and more: `xchg` on x86-64, `stlr` on arm64) and `Atomics.load` is
 * sequentially consistent (an acquire load and more: `mov` / `ldar`); plain typed-array
 * accesses are unordered but tear-free for aligned 32-bit elements. Every word that another
 * process reads to decide something is stored with `Atomics.store`; the plain stores are a
 * record's contents, which the record's length store publishes. The protocol:
 * - A record is filled with plain stores (payload, type, sequence), the length word of the
 *   record that will follow it is zeroed with a plain store, and then the record's length is
 *   stored with `Atomics.store` (the commit, "length written last"). A reader that
 *   `Atomics.load`s a non-zero length sees everything stored before it, the zero after the
 *   record included.
 * - Where joining readers start (line 4 of the header; `ring-join.ts` says how they use it):
 *   - the tail checkpoint: `Atomics.store`d after a commit that takes the tail across a
 *     multiple of 4 KiB, after every padding record, and before every look at the reader
 *     slots. A reader that `Atomics.load`s it also sees the zero stored in the length word
 *     there before the commit that preceded the store: it finds "nothing yet" or a record of
 *     this lap, never one of the last. (Up to layout 2 the writer stored the exact tail after
 *     every commit as a plain store, which arm64 may make visible before that zero, so that a
 *     reader joining there could take a record of the previous lap for a new one. A
 *     checkpoint instead of the exact tail keeps a fence off the per-message path: the joining
 *     reader walks the committed records from the checkpoint to the live tail itself.)
 *   - the history start: `Atomics.store`d after each commit while `history` > 0, the oldest
 *     retained record, committed (and so visible) before the store.
 *   - keep (reliable policy): `Atomics.store`d right after the checkpoint before every look at
 *     the reader slots: the room computed from that look never reaches past it (see
 *     `#findSlowestReader`). It changes only at such a look, which is what lets a joining
 *     reader check it (`ring-join.ts`).
 * - Reliable policy: when its cached room is not enough, the writer `Atomics.load`s every
 *   active reader's position (never on the common path). Readers store their positions with
 *   `Atomics.store` only after they are done with the records before them, so the space the
 *   writer reclaims is never still being read. With history, the oldest retained record
 *   counts as one more reader, never evicted: the ring is sized so that it never holds the
 *   writer back, and it is what lets a reader joining there read it (`ring-join.ts`).
 * - Parked readers: a reader that found nothing stores its `parked` flag and increments the
 *   header's `waiters` count (both `Atomics`), then looks at the ring once more. After each
 *   commit the writer `Atomics.load`s `waiters`. Both sides store, then load, sequentially
 *   consistently (Dekker): either the writer sees the waiter and wakes it, or the reader's
 *   second look sees the record. The busy path costs one load and no system call.
 * - Dead readers: when a reliable reader holds the writer back, its process is checked (its
 *   presence, at most every `livenessIntervalMs`); a dead one is evicted. The publication also
 *   watches every reader's process and evicts it at its death (see `evict`).
 * - Latest policy: before overwriting, the writer stores its intent (the end of the region it
 *   is about to overwrite) and the head (the oldest record that stays intact) with
 *   `Atomics.store`; a reader copies a record, then checks the intent, and discards the copy
 *   when the writer may have overwritten it meanwhile (Agrona's BroadcastReceiver check).
 *   With history the ring is sized so that the head never passes the oldest retained record.
 */
export class RingWriter {
  readonly capacity: number;
  readonly maxPayload: number;
  readonly latest: boolean;
  /** How many of its latest records it retains for readers that join later (0: none). */
  readonly history: number;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #mask: number;
  readonly #hooks: RingWriterHooks;
  readonly #checkedAt = new Float64Array(D.readerSlotCount);
  readonly #slowest: SlowestReader = { position: 0, slot: -1 };
  readonly #wakeReader: (slot: number) => void;
  // Where the last `history` records start; undefined without history.
  readonly #retained: RetainedRecords | undefined;
  #tail: number;
  #head: number;
  #limitBase: number;
  #claim: RingClaim | undefined;

  constructor(buffer: ArrayBuffer, options: RingWriterOptions) {
    const hooks = options.hooks ?? noHooks;
    this.#hooks = hooks;
    this.#wakeReader = (slot) => {
      hooks.wakeReader(slot);
    };
    this.capacity = options.capacity;
    this.maxPayload = options.maxPayload;
    this.latest = options.latest;
    this.history = options.history ?? 0;
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Int32Array(buffer);
    this.#mask = options.capacity - 1;
    // A ring has one writer, which starts it, on a fresh segment: the checkpoint is the tail.
    this.#tail = Atomics.load(this.#words, HeaderWord.Tail) >>> 0;
    this.#head = Atomics.load(this.#words, HeaderWord.Head) >>> 0;
    this.#retained = this.history > 0 ? new RetainedRecords(this.history, this.#tail) : undefined;
    Atomics.store(this.#words, HeaderWord.HistoryStart, this.#tail | 0);
    Atomics.store(this.#words, HeaderWord.Keep, this.#tail | 0);
    // Unknown room (a whole ring behind the tail): the first write reads the reader slots.
    this.#limitBase = advance(this.#tail, -options.capacity);
    this.#claim = undefined;
  }

  /** The position after the last committed record. */
  get tail(): number {
    return this.#tail;
  }

  /** Where the oldest retained record starts (the tail when there is none, or no history). */
  get historyStart(): number {
    return this.#retained?.oldest ?? this.#tail;
  }

  /** Whether a claim is outstanding (a loan that was neither committed nor aborted). */
  get claimed(): boolean {
    return this.#claim !== undefined;
  }

  /**
   * Whether a payload of `length` bytes would be written now. Under the latest policy always
   * true. The caller checks `length <= maxPayload` first.
   */
  canWrite(length: number): boolean {
    if (this.latest) return true;
    return this.#hasRoom(this.#needed(length) + ALIGNMENT);
  }

  /**
   * Writes one record. Returns false, having written nothing, when a reliable reader has not
   * read the space it needs. The caller checks `data.length <= maxPayload` and that no claim
   * is outstanding.
   */
  write(data: Uint8Array, sequence: number): boolean {
    const at = this.#reserve(data.length);
    if (at < 0) return false;
    this.#bytes.set(data, payloadOffset(at));
    this.#commit(at, data.length, sequence);
    return true;
  }

  /**
   * Reserves room for a payload of `size` bytes to be filled in place; `undefined` when a
   * reliable reader has no room. Exactly one of {@link commitClaim} / {@link abortClaim} must
   * follow.
   */
  claim(size: number): RingClaim | undefined {
    const at = this.#reserve(size);
    if (at < 0) return undefined;
    const claim = { payloadOffset: payloadOffset(at), recordAt: at, size };
    this.#claim = claim;
    return claim;
  }

  /** Publishes the outstanding claim with `length <= claim.size` payload bytes. */
  commitClaim(length: number, sequence: number): void {
    const claim = this.#claim;
    if (claim === undefined) return;
    this.#claim = undefined;
    this.#commit(claim.recordAt, length, sequence);
  }

  /** Gives the outstanding claim back. Nothing was published (a padding record may have been). */
  abortClaim(): void {
    this.#claim = undefined;
  }

  #needed(length: number): number {
    const aligned = alignRecord(HEADER + length);
    const toEnd = this.capacity - (this.#tail & this.#mask);
    return aligned <= toEnd ? aligned : toEnd + aligned;
  }

  // Finds room for the record (writing the padding record at the wrap when needed) and returns
  // its offset in the ring, or -1 when there is no room. For the latest policy, first
  // publishes the intent and the new head. Allocates nothing: this is the per-message path.
  #reserve(length: number): number {
    const aligned = alignRecord(HEADER + length);
    const offset = this.#tail & this.#mask;
    const toEnd = this.capacity - offset;
    const needed = aligned <= toEnd ? aligned : toEnd + aligned;
    if (this.latest) {
      this.#overwriteUpTo(advance(this.#tail, needed + ALIGNMENT));
    } else if (!this.#hasRoom(needed + ALIGNMENT)) {
      return -1;
    }
    if (aligned > toEnd) {
      this.#writePadding(offset, toEnd);
      return 0;
    }
    return offset;
  }

  #writePadding(offset: number, length: number): void {
    const words = this.#words;
    // The record after the padding starts at offset 0: zero its length first, so a reader that
    // follows the padding finds "nothing yet" rather than a record of the previous lap.
    words[lengthIndex(0)] = 0;
    words[typeIndex(offset)] = D.recordTypePadding;
    Atomics.store(words, lengthIndex(offset), length);
    this.#tail = advance(this.#tail, length);
    // A checkpoint at every wrap (once per lap): at offset 0, after the zero stored above.
    Atomics.store(words, HeaderWord.Tail, this.#tail | 0);
  }

  #commit(at: number, length: number, sequence: number): void {
    const words = this.#words;
    const record = HEADER + length;
    const aligned = alignRecord(record);
    words[typeIndex(at)] = D.recordTypeData;
    writeSequence(words, at, sequence);
    words[lengthIndex((at + aligned) & this.#mask)] = 0;
    Atomics.store(words, lengthIndex(at), record);
    const position = this.#tail;
    const tail = advance(position, aligned);
    this.#tail = tail;
    // The checkpoint for joining readers, once per 4 KiB: after the commit above, so that a
    // reader that loads it sees the zero stored at the new tail before that commit.
    if (((position ^ tail) & CHECKPOINT_MASK) !== 0) Atomics.store(words, HeaderWord.Tail, tail | 0);
    // The oldest retained record: committed before this store, like every record after it.
    if (this.#retained !== undefined) Atomics.store(words, HeaderWord.HistoryStart, this.#retained.add(position) | 0);
    if (Atomics.load(words, HeaderWord.Waiters) !== 0) wakeParkedReaders(words, this.#wakeReader);
  }

  /**
   * Frees reader slot `slot`, whose process is known to be dead; false when it was not active
   * (its reader left, or someone else evicted it). Readers that merely fell behind are never
   * evicted: the reliable policy waits for them.
   */
  evict(slot: number): boolean {
    return evictSlot(this.#words, slot);
  }

  #readerGone(slot: number): boolean {
    return this.#hooks.processGone(slotOwner(this.#bytes, this.#words, slot));
  }

  // Reliable: room for `bytes` from the tail, given the slowest active reader and, with
  // history, the oldest retained record. The slowest position is cached and read again only
  // when the cache says no. The cache is always safe, also for readers that join after it was
  // computed: its base is at most the keep position published right before the look at the
  // slots, a joining reader starts at or after a keep it checked after publishing its slot
  // (see ring-join.ts), and the writer never writes beyond base + capacity.
  #hasRoom(bytes: number): boolean {
    if (distance(this.#limitBase, this.#tail) + bytes <= this.capacity) return true;
    // Out of room: find the slowest reader; if it is the one holding us back, make sure its
    // process still exists (rate-limited), evict it if not, and look again.
    for (let round = 0; round <= D.readerSlotCount; round++) {
      const slot = this.#findSlowestReader();
      if (distance(this.#limitBase, this.#tail) + bytes <= this.capacity) return true;
      const now = realTimers.now();
      if (slot < 0 || now - (this.#checkedAt[slot] ?? 0) < this.#hooks.livenessIntervalMs) return false;
      this.#checkedAt[slot] = now;
      if (!this.#readerGone(slot) || !evictSlot(this.#words, slot)) return false;
      this.#hooks.readerEvicted(slot);
    }
    return false;
  }

  // Sets the cached base to the slowest active reader's position (or the oldest retained
  // record, or the tail, when no reader is further behind) and returns its slot (-1 when no
  // reader is behind that).
  #findSlowestReader(): number {
    const words = this.#words;
    const keep = this.#retained?.oldest ?? this.#tail;
    // Sequentially consistent, in this order, before the slot loads: the checkpoint (the
    // exact tail), then keep. A reader whose slot became active after this look checks keep
    // afterwards and sees this value or a later one (ring-join.ts); the base computed here is
    // never past keep, so nothing from there on is overwritten while it is in use.
    Atomics.store(words, HeaderWord.Tail, this.#tail | 0);
    Atomics.store(words, HeaderWord.Keep, keep | 0);
    findSlowestReader(words, keep, this.#tail, this.capacity, this.#slowest);
    this.#limitBase = this.#slowest.position;
    return this.#slowest.slot;
  }

  // Latest: announce that the region up to `intent` is about to be overwritten, after moving
  // the head past every record that region destroys.
  #overwriteUpTo(intent: number): void {
    const words = this.#words;
    let head = this.#head;
    while (distance(head, intent) > this.capacity) {
      if (head === this.#tail) break;
      const offset = head & this.#mask;
      const length = words[lengthIndex(offset)] ?? 0;
      const type = words[typeIndex(offset)];
      // Records behind the tail were written by this writer; garbage there means someone
      // scribbled on the ring. Drop the whole history rather than trust it. (A data record
      // longer than this writer writes is garbage too: it also keeps a length near 2^31 from
      // overflowing the alignment into a backward jump.)
      if (!isPadding(type, length, offset, this.capacity) && !isData(type, length, offset, this.capacity, this.maxPayload)) {
        head = this.#tail;
        break;
      }
      head = advance(head, alignRecord(length));
    }
    this.#head = head;
    Atomics.store(words, HeaderWord.Intent, intent | 0);
    Atomics.store(words, HeaderWord.Head, head | 0);
  }
}
