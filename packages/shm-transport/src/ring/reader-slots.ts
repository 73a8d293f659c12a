import type { ProcessIdentity } from '@seamless/local-addrs';
import { HeaderWord } from './header-words.js';
import { presenceOwner, readPresence } from './presence-field.js';
import { RingDescriptor as D } from './ring-descriptor.js';

/** The index in an `Int32Array` of the segment of `field` (a byte offset) of reader slot `slot`. */
export function slotIndex(slot: number, field: number): number {
  return (D.readerSlotsOffset + slot * D.readerSlotBytes + field) >> 2;
}

/** The presence token of the reader in `slot`, as it recorded it (untrusted). */
export function slotPresence(bytes: Uint8Array, slot: number): string {
  return readPresence(bytes, D.readerSlotsOffset + slot * D.readerSlotBytes + D.slotPresenceOffset);
}

/** Who holds reader slot `slot`, for `processLiveness`. */
export function slotOwner(bytes: Uint8Array, words: Int32Array, slot: number): ProcessIdentity {
  return presenceOwner(slotPresence(bytes, slot), (words[slotIndex(slot, D.slotPidOffset)] ?? 0) >>> 0);
}

/** The doorbell id the reader in `slot` published (0: none). */
export function slotDoorbell(words: Int32Array, slot: number): number {
  return (words[slotIndex(slot, D.slotDoorbellOffset)] ?? 0) >>> 0;
}

/**
 * Frees the slot of a reader whose process is gone. Compare-exchanges only (its reader, or
 * another evicter, may race us): the parked flag is withdrawn first so the waiters count stays
 * right, then the slot goes from active to free, then the generation is bumped for observers.
 * Returns whether this call freed it.
 */
export function evictSlot(words: Int32Array, slot: number): boolean {
  if (Atomics.compareExchange(words, slotIndex(slot, D.slotParkedOffset), 1, 0) === 1) {
    Atomics.sub(words, HeaderWord.waiters, 1);
  }
  if (Atomics.compareExchange(words, slotIndex(slot, D.slotStateOffset), D.slotActive, D.slotFree) !== D.slotActive) {
    return false;
  }
  Atomics.add(words, HeaderWord.generation, 1);
  return true;
}
