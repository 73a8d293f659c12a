import { describe, expect, it } from 'vitest';
import { HeaderWord } from './header-words.js';
import {
  claimFreeSlot,
  countActiveSlots,
  evictSlot,
  findSlowestReader,
  forEachActiveSlot,
  slotParkedIndex,
  slotPositionIndex,
  slotStateIndex,
  wakeParkedReaders,
} from './reader-slots.js';
import { RingDescriptor as D, segmentBytesFor } from './ring-descriptor.js';

function slots() {
  const words = new Int32Array(new ArrayBuffer(segmentBytesFor(4096)));
  const activate = (slot: number, position: number) => {
    words[slotStateIndex(slot)] = D.slotActive;
    words[slotPositionIndex(slot)] = position | 0;
  };
  return { words, activate };
}

describe('reader slots', () => {
  it('hands out each free slot once, in order, then -1', () => {
    const { words } = slots();
    const taken = Array.from({ length: D.readerSlotCount }, () => claimFreeSlot(words));
    expect(taken).toEqual(Array.from({ length: D.readerSlotCount }, (_, slot) => slot));
    expect(claimFreeSlot(words)).toBe(-1);
    expect(countActiveSlots(words)).toBe(0); // joining is not active yet
    words[slotStateIndex(7)] = D.slotFree;
    expect(claimFreeSlot(words)).toBe(7);
  });

  it('finds the active reader furthest behind the tail, across the 2^32 wrap, ignoring corrupt positions', () => {
    const { words, activate } = slots();
    const tail = 0x10;
    activate(3, 0xfffffff0); // 32 bytes behind, across the wrap
    activate(9, 0x08);
    activate(12, 0x20); // ahead of the tail: corrupt
    activate(20, (tail - 5000) >>> 0); // more than a ring behind: corrupt
    words[slotStateIndex(30)] = D.slotJoining;
    words[slotPositionIndex(30)] = 0x7fff0000; // not active: not counted
    const found = { position: 0, slot: -1 };
    findSlowestReader(words, tail, tail, 4096, found);
    expect(found).toEqual({ position: 0xfffffff0, slot: 3 });
    // A floor further behind than every reader (retained history) stands, with no slot...
    findSlowestReader(words, 0xffffffe0, tail, 4096, found);
    expect(found).toEqual({ position: 0xffffffe0, slot: -1 });
    // ...and one ahead of a reader does not.
    findSlowestReader(words, 0x00, tail, 4096, found);
    expect(found).toEqual({ position: 0xfffffff0, slot: 3 });
    const visited: number[] = [];
    forEachActiveSlot(words, (slot) => visited.push(slot));
    expect(visited).toEqual([3, 9, 12, 20]);
    expect(countActiveSlots(words)).toBe(4);
    // No reader behind the tail: the tail itself, no slot.
    const empty = slots();
    findSlowestReader(empty.words, tail, tail, 4096, found);
    expect(found).toEqual({ position: tail, slot: -1 });
  });

  it('wakes each parked reader once and keeps the waiters count right, also against an eviction', () => {
    const { words, activate } = slots();
    for (const slot of [2, 5, 6]) {
      activate(slot, 0);
      words[slotParkedIndex(slot)] = 1;
      Atomics.add(words, HeaderWord.Waiters, 1);
    }
    expect(evictSlot(words, 6)).toBe(true);
    expect(evictSlot(words, 6)).toBe(false);
    const woken: number[] = [];
    wakeParkedReaders(words, (slot) => woken.push(slot));
    wakeParkedReaders(words, (slot) => woken.push(slot));
    expect(woken).toEqual([2, 5]);
    expect(words[HeaderWord.Waiters]).toBe(0);
    expect(words[HeaderWord.Generation]).toBe(1);
  });
});
