import { describe, expect, it } from 'vitest';
import { loadBinding } from '../os/load-binding.js';
import { RingDescriptor, alignRecord, maxPayloadFor } from './ring-descriptor.js';

describe('RingDescriptor', () => {
  it('mirrors native/ring-descriptor.h field for field (as compiled into the addon)', () => {
    const native = loadBinding().descriptor;
    expect(Object.keys(native).sort()).toEqual(Object.keys(RingDescriptor).sort());
    for (const [key, value] of Object.entries(RingDescriptor)) expect([key, native[key]]).toEqual([key, value]);
  });

  it('keeps counters written by different processes on separate 128-byte lines', () => {
    const line = (offset: number) => Math.floor(offset / RingDescriptor.lineBytes);
    const writer = [RingDescriptor.tailOffset, RingDescriptor.intentOffset, RingDescriptor.headOffset];
    const readers = [RingDescriptor.generationOffset];
    expect(new Set(writer.map(line)).size).toBe(writer.length);
    for (const offset of readers) expect(writer.map(line)).not.toContain(line(offset));
    // Where joining readers start: written by the writer alone, on the tail's line.
    for (const offset of [RingDescriptor.historyStartOffset, RingDescriptor.keepOffset])
      expect(line(offset)).toBe(line(RingDescriptor.tailOffset));
    expect(RingDescriptor.slotTicketOffset + 4).toBeLessThanOrEqual(RingDescriptor.readerSlotBytes);
    expect(RingDescriptor.historyOffset + 4).toBeLessThanOrEqual(RingDescriptor.lineBytes);
    expect(RingDescriptor.readerSlotBytes % RingDescriptor.lineBytes).toBe(0);
    expect(RingDescriptor.readerSlotsOffset % RingDescriptor.lineBytes).toBe(0);
    const slotsEnd = RingDescriptor.readerSlotsOffset + RingDescriptor.readerSlotCount * RingDescriptor.readerSlotBytes;
    expect(slotsEnd).toBeLessThanOrEqual(RingDescriptor.ringOffset);
  });

  it('sizes records and payload limits', () => {
    expect(alignRecord(16)).toBe(16);
    expect(alignRecord(17)).toBe(24);
    expect(alignRecord(0)).toBe(0);
    expect(maxPayloadFor(4096)).toBe(2032);
    // The worst case, a maximal record right after a padding record, plus the guard word, fits.
    const capacity = 4096;
    const largest = alignRecord(RingDescriptor.recordHeaderBytes + maxPayloadFor(capacity));
    expect(largest - 8 + largest + 8).toBeLessThanOrEqual(capacity);
  });
});
