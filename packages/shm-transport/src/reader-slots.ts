import type { ProcessIdentity } from './process-identity.js';
import { RingDescriptor as D } from './ring-descriptor.js';

const TWO_TO_32 = 2 ** 32;

/** The index in an `Int32Array` of the segment of `field` (a byte offset) of reader slot `slot`. */
export function slotIndex(slot: number, field: number): number {
  return (D.readerSlotsOffset + slot * D.readerSlotBytes + field) >> 2;
}

/** Who holds reader slot `slot`, as its reader recorded it (untrusted: just numbers). */
export function slotOwner(words: Int32Array, slot: number): ProcessIdentity {
  const startTime = slotIndex(slot, D.slotStartTimeOffset);
  return {
    pid: words[slotIndex(slot, D.slotPidOffset)] ?? 0,
    startTime: ((words[startTime] ?? 0) >>> 0) + ((words[startTime + 1] ?? 0) >>> 0) * TWO_TO_32,
    pidNamespace: (words[slotIndex(slot, D.slotPidNamespaceOffset)] ?? 0) >>> 0,
  };
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
    Atomics.sub(words, D.waitersOffset >> 2, 1);
  }
  if (Atomics.compareExchange(words, slotIndex(slot, D.slotStateOffset), D.slotActive, D.slotFree) !== D.slotActive) {
    return false;
  }
  Atomics.add(words, D.generationOffset >> 2, 1);
  return true;
}
