import type { ProcessIdentity } from '@seamless/local-addrs';
import { realTimers } from '@seamless/transport';
import { HeaderWord } from './header-words.js';
import { advance, distance } from './position.js';
import { evictSlot, findSlowestReader, slotOwner, wakeParkedReaders } from './reader-slots.js';
import type { SlowestReader } from './reader-slots.js';
import { isData, isPadding, lengthIndex, payloadOffset, typeIndex, writeSequence } from './record-descriptor.js';
import { RingDescriptor as D, alignRecord } from './ring-descriptor.js';

const HEADER = D.recordHeaderBytes;
const ALIGNMENT = D.recordAlignment;

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

/**
 * The writing side of one ring, run in TypeScript directly on the mapped segment (no native
 * call per message; the benchmark compares this with the C++ writer in `bench/native/ring.h`).
 *
 * Memory ordering. `Atomics.store` is sequentially consistent in the JavaScript memory model
 * (a release store and more: `xchg` on x86-64, `stlr` on arm64) and `Atomics.load` is
 * sequentially consistent (`mov` / `ldar`); plain typed-array accesses are unordered but
 * tear-free for aligned 32-bit elements. The protocol:
 * - A record is filled with plain stores (payload, type, sequence), the length word of the
 *   record that will follow it is zeroed with a plain store, and then the record's length is
 *   stored with `Atomics.store` (the commit, "length written last"). A reader that
 *   `Atomics.load`s a non-zero length sees everything stored before it.
 * - The tail position is then stored as a hint (a plain store); joining readers start from it.
 *   Before the writer looks at the reader slots it stores the tail with `Atomics.store`, which
 *   is all a joining reader's safety needs (see `#findSlowestReader` and `RingReader`'s join).
 * - Reliable policy: when its cached room is not enough, the writer `Atomics.load`s every
 *   active reader's position (never on the common path). Readers store their positions with
 *   `Atomics.store` only after they are done with the records before them, so the space the
 *   writer reclaims is never still being read. Why the cache is safe for readers that join
 *   later is explained at `#hasRoom` and `RingReader`'s join.
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
 */
export class RingWriter {
  readonly capacity: number;
  readonly maxPayload: number;
  readonly latest: boolean;
  readonly #bytes: Uint8Array;
  readonly #words: Int32Array;
  readonly #mask: number;
  readonly #hooks: RingWriterHooks;
  readonly #checkedAt = new Float64Array(D.readerSlotCount);
  readonly #slowest: SlowestReader = { position: 0, slot: -1 };
  readonly #wakeReader: (slot: number) => void;
  #tail: number;
  #head: number;
  #limitBase: number;
  #claim: RingClaim | undefined;

  constructor(buffer: ArrayBuffer, capacity: number, maxPayload: number, latest: boolean, hooks: RingWriterHooks = noHooks) {
    this.#hooks = hooks;
    this.#wakeReader = (slot) => {
      hooks.wakeReader(slot);
    };
    this.capacity = capacity;
    this.maxPayload = maxPayload;
    this.latest = latest;
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Int32Array(buffer);
    this.#mask = capacity - 1;
    this.#tail = Atomics.load(this.#words, HeaderWord.Tail) >>> 0;
    this.#head = Atomics.load(this.#words, HeaderWord.Head) >>> 0;
    // Unknown room (a whole ring behind the tail): the first write reads the reader slots.
    this.#limitBase = advance(this.#tail, -capacity);
    this.#claim = undefined;
  }

  /** The position after the last committed record. */
  get tail(): number {
    return this.#tail;
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
    words[HeaderWord.Tail] = this.#tail | 0;
  }

  #commit(at: number, length: number, sequence: number): void {
    const words = this.#words;
    const record = HEADER + length;
    const aligned = alignRecord(record);
    words[typeIndex(at)] = D.recordTypeData;
    writeSequence(words, at, sequence);
    words[lengthIndex((at + aligned) & this.#mask)] = 0;
    Atomics.store(words, lengthIndex(at), record);
    this.#tail = advance(this.#tail, aligned);
    // The tail is a hint for joining readers: a plain (tear-free) store here, made sequentially
    // consistent before every look at the reader slots (see #findSlowestReader).
    words[HeaderWord.Tail] = this.#tail | 0;
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

  // Reliable: room for `bytes` from the tail, given the slowest active reader. The slowest
  // position is cached and read again only when the cache says no. The cache is always safe,
  // also for readers that join after it was computed: its base is at most the tail at that
  // time, a joining reader starts at a tail it reads after publishing its slot (see
  // RingReader), and the writer never writes beyond base + capacity.
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

  // Sets the cached base to the slowest active reader's position and returns its slot (-1
  // when no reader is behind the tail).
  #findSlowestReader(): number {
    // Publish the tail sequentially consistently before reading the slots: a reader that
    // joins after this look reads a tail at least this new (its own Atomics load of the tail
    // comes after its slot became active), and nothing from there on is overwritten while the
    // base computed here is in use.
    Atomics.store(this.#words, HeaderWord.Tail, this.#tail | 0);
    findSlowestReader(this.#words, this.#tail, this.capacity, this.#slowest);
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
