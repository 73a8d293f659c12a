import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingDescriptor as D, alignRecord, maxPayloadFor } from './ring-descriptor.js';
import { ringSizeFor } from './ring-size.js';

describe('ringSizeFor', () => {
  it('without history: the smallest power of two from the minimum in which a message takes at most half the ring', () => {
    expect(ringSizeFor(1024, 1 << 16, 0)).toEqual({ base: 1 << 16, historyBytes: 0, capacity: 1 << 16 });
    expect(ringSizeFor(65_536, 1 << 16, 0)).toEqual({ base: 1 << 18, historyBytes: 0, capacity: 1 << 18 });
  });

  it('with history N: the base plus N + 1 records of maxMessageSize + 16 (aligned), rounded up to a power of two', () => {
    expect(ringSizeFor(1024, 1 << 16, 10)).toEqual({ base: 1 << 16, historyBytes: 11 * 1040, capacity: 1 << 17 });
    expect(ringSizeFor(1024, 1 << 16, 1000)).toEqual({ base: 1 << 16, historyBytes: 1001 * 1040, capacity: 1 << 21 });
    expect(ringSizeFor(65_536, 1 << 16, 10).capacity).toBe(1 << 20);
    // Beyond what a segment holds: the caller refuses (history 65536 of 64 KiB messages: 8 GiB).
    expect(ringSizeFor(65_536, 1 << 16, 65_536).capacity).toBe(2 ** 33);
    expect(ringSizeFor(65_536, 1 << 16, 65_536).capacity).toBeGreaterThan(D.maxCapacity);
  });

  it('always leaves room for the retained records, a padding record and the worst-case write beside them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: 65_536 }), (maxMessageSize, history) => {
        const { base, capacity } = ringSizeFor(maxMessageSize, D.minCapacity, history);
        expect(capacity & (capacity - 1)).toBe(0);
        expect(maxPayloadFor(base)).toBeGreaterThanOrEqual(maxMessageSize);
        const record = alignRecord(D.recordHeaderBytes + maxMessageSize);
        // N retained + one padding among them, then a padding, the new record and its guard word.
        const worst = history * record + (record - 8) + (record - 8) + record + 8;
        if (history > 0) expect(worst).toBeLessThanOrEqual(capacity);
      }),
    );
  });
});
