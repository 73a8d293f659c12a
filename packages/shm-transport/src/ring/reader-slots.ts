import type { ProcessIdentity } from '@seamless/local-addrs';
import { HeaderWord } from './header-words.js';
import { distance } from './position.js';
import { presenceOwner, readPresence } from './presence-field.js';
import { RingDescriptor as D } from './ring-descriptor.js';

/**
 * The reader slots of a segment (see the layout in `ring-descriptor.ts`): where each field of a
 * slot lives, and every scan over the slots. Fields are indices into the segment's `Int32Array`
 * (the presence, 8 bytes, a byte offset).
 */

const SLOTS = D.readerSlotsOffset;
const SLOT_BYTES = D.readerSlotBytes;
const COUNT = D.readerSlotCount;

/** The state word of reader slot `slot` (free, joining, active). */
export function slotStateIndex(slot: number): number {
  return (SLOTS + slot * SLOT_BYTES + D.slotStateOffset) >> 2;
}

/** The pid word of reader slot `slot` (for people). */
export function slotPidIndex(slot: number): number {
  return (SLOTS + slot * SLOT_BYTES + D.slotPidOffset) >> 2;
}

/** The byte offset, from the start of the segment, of the presence of reader slot `slot`. */
export function slotPresenceOffset(slot: number): number {
  return SLOTS + slot * SLOT_BYTES + D.slotPresenceOffset;
}

/** The position word of reader slot `slot`: how far its reader is done with the ring. */
export function slotPositionIndex(slot: number): number {
  return (SLOTS + slot * SLOT_BYTES + D.slotPositionOffset) >> 2;
}

/** The parked flag of reader slot `slot` (1: its reader waits for its doorbell). */
export function slotParkedIndex(slot: number): number {
  return (SLOTS + slot * SLOT_BYTES + D.slotParkedOffset) >> 2;
}

/** The doorbell id word of reader slot `slot`. */
export function slotDoorbellIndex(slot: number): number {
  return (SLOTS + slot * SLOT_BYTES + D.slotDoorbellOffset) >> 2;
}

/**
 * The ticket word of reader slot `slot`: the generation its reader took as it joined, which
 * tells this attachment from an earlier or later one of the same process in the same slot.
 */
export function slotTicketIndex(slot: number): number {
  return (SLOTS + slot * SLOT_BYTES + D.slotTicketOffset) >> 2;
}

/** The ticket of the reader in `slot` (untrusted; see {@link slotTicketIndex}). */
export function slotTicket(words: Int32Array, slot: number): number {
  return Atomics.load(words, slotTicketIndex(slot)) >>> 0;
}

/** The presence token of the reader in `slot`, as it recorded it (untrusted). */
export function slotPresence(bytes: Uint8Array, slot: number): string {
  return readPresence(bytes, slotPresenceOffset(slot));
}

/** Who holds reader slot `slot`, for `processLiveness`. */
export function slotOwner(bytes: Uint8Array, words: Int32Array, slot: number): ProcessIdentity {
  return presenceOwner(slotPresence(bytes, slot), (words[slotPidIndex(slot)] ?? 0) >>> 0);
}

/** The doorbell id the reader in `slot` published (0: none). */
export function slotDoorbell(words: Int32Array, slot: number): number {
  return (words[slotDoorbellIndex(slot)] ?? 0) >>> 0;
}

/** Whether reader slot `slot` is held by an active reader (a sequentially consistent load). */
export function isActiveSlot(words: Int32Array, slot: number): boolean {
  return Atomics.load(words, slotStateIndex(slot)) === D.slotActive;
}

/** Calls `visit` with every slot held by an active reader, in slot order. */
export function forEachActiveSlot(words: Int32Array, visit: (slot: number) => void): void {
  for (let slot = 0; slot < COUNT; slot++) if (isActiveSlot(words, slot)) visit(slot);
}

/** How many slots active readers hold. */
export function countActiveSlots(words: Int32Array): number {
  let count = 0;
  for (let slot = 0; slot < COUNT; slot++) if (isActiveSlot(words, slot)) count++;
  return count;
}

/**
 * Takes the first free slot for a joining reader: free -> joining by compare-exchange, so two
 * readers never take the same one. Returns it, or -1 when every slot is taken. The reader then
 * fills the slot in and makes it active (see `RingReader`'s join).
 */
export function claimFreeSlot(words: Int32Array): number {
  for (let slot = 0; slot < COUNT; slot++) {
    if (Atomics.compareExchange(words, slotStateIndex(slot), D.slotFree, D.slotJoining) === D.slotFree) return slot;
  }
  return -1;
}

/** What {@link findSlowestReader} found; the writer keeps one and passes it on every call (no allocation). */
export interface SlowestReader {
  /** The slowest active reader's position, or the floor when no reader is behind it. */
  position: number;
  /** Its slot, or -1 when no reader is behind the floor. */
  slot: number;
}

/**
 * Finds the active reader furthest behind `tail` (sequentially consistent loads of each state
 * and position), into `into`; `floor` (at or behind the tail: the oldest record the writer
 * keeps for itself, or the tail) stands when no reader is further behind. A position ahead of
 * the tail or more than `capacity` behind it is corrupt and ignored, rather than let it block
 * the writer forever.
 */
export function findSlowestReader(words: Int32Array, floor: number, tail: number, capacity: number, into: SlowestReader): void {
  let slowest = floor;
  let slowestSlot = -1;
  for (let slot = 0; slot < COUNT; slot++) {
    if (!isActiveSlot(words, slot)) continue;
    const position = Atomics.load(words, slotPositionIndex(slot)) >>> 0;
    const behind = distance(position, tail);
    if (behind <= capacity && behind > distance(slowest, tail)) {
      slowest = position;
      slowestSlot = slot;
    }
  }
  into.position = slowest;
  into.slot = slowestSlot;
}

/**
 * Wakes the parked readers: clears each raised parked flag with a compare-exchange (so a
 * reader is woken once, by whoever clears it), takes it off the waiters count, and calls
 * `wake` with its slot.
 */
export function wakeParkedReaders(words: Int32Array, wake: (slot: number) => void): void {
  for (let slot = 0; slot < COUNT; slot++) {
    const parked = slotParkedIndex(slot);
    if (words[parked] !== 0 && Atomics.compareExchange(words, parked, 1, 0) === 1) {
      Atomics.sub(words, HeaderWord.Waiters, 1);
      wake(slot);
    }
  }
}

/**
 * Frees the slot of a reader whose process is gone. Compare-exchanges only (its reader, or
 * another evicter, may race us): the parked flag is withdrawn first so the waiters count stays
 * right, then the slot goes from active to free, then the generation is bumped for observers.
 * Returns whether this call freed it.
 */
export function evictSlot(words: Int32Array, slot: number): boolean {
  if (Atomics.compareExchange(words, slotParkedIndex(slot), 1, 0) === 1) {
    Atomics.sub(words, HeaderWord.Waiters, 1);
  }
  if (Atomics.compareExchange(words, slotStateIndex(slot), D.slotActive, D.slotFree) !== D.slotActive) {
    return false;
  }
  Atomics.add(words, HeaderWord.Generation, 1);
  return true;
}
