import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryRing } from './history-ring.js';

const message = (sequence: number, size = 8): Uint8Array => new Uint8Array(size).fill(sequence & 0xff);

/** What the ring holds, oldest first, as `seq:size:first byte`. */
function contents(ring: HistoryRing): string[] {
  const held: string[] = [];
  for (let position = ring.oldest; position < ring.end; position++) {
    const data = ring.dataAt(position);
    expect(data.byteLength).toBe(ring.lengthAt(position));
    held.push(`${ring.sequenceAt(position)}:${data.byteLength}:${data[0] ?? '-'}`);
  }
  return held;
}

describe('HistoryRing', () => {
  it('keeps the last `capacity` messages, as copies, at absolute positions', () => {
    const ring = new HistoryRing(3);
    expect([ring.oldest, ring.end]).toEqual([0, 0]);
    const reused = new Uint8Array(4);
    for (let sequence = 0; sequence < 5; sequence++) {
      reused.fill(sequence);
      ring.push(reused, sequence + 100);
    }
    expect([ring.oldest, ring.end]).toEqual([2, 5]);
    expect(contents(ring)).toEqual(['102:4:2', '103:4:3', '104:4:4']);
  });

  it('finds where a stream that wants a sequence number starts', () => {
    const ring = new HistoryRing(10);
    for (let sequence = 0; sequence < 100; sequence++) ring.push(message(sequence), sequence);
    expect(ring.firstFrom(0)).toBe(90);
    expect(ring.firstFrom(90)).toBe(90);
    expect(ring.firstFrom(95)).toBe(95);
    expect(ring.firstFrom(99)).toBe(99);
    expect(ring.firstFrom(100)).toBe(100);
    expect(ring.firstFrom(1e9)).toBe(100);
    expect(new HistoryRing(4).firstFrom(0)).toBe(0);
  });

  it('reuses a slot for a message of about the same size and replaces it for a much smaller or larger one', () => {
    const ring = new HistoryRing(1);
    ring.push(message(1, 100), 1);
    const first = ring.dataAt(0).buffer;
    ring.push(message(2, 120), 2);
    expect(ring.dataAt(1).buffer).toBe(first);
    ring.push(message(3, 10), 3);
    expect(ring.dataAt(2).buffer).toBe(first);
    ring.push(message(4, 1000), 4);
    const larger = ring.dataAt(3).buffer;
    expect(larger).not.toBe(first);
    ring.push(message(5, 100), 5);
    expect(ring.dataAt(4).buffer).not.toBe(larger);
    expect(ring.dataAt(4).buffer.byteLength).toBeLessThanOrEqual(2 * 128);
    expect(contents(ring)).toEqual(['5:100:5']);
  });

  it('holds exactly what a model holds, for any sizes and capacities', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.nat({ max: 300 }), { maxLength: 100 }), (capacity, sizes) => {
        const ring = new HistoryRing(capacity);
        const model: string[] = [];
        sizes.forEach((size, sequence) => {
          ring.push(message(sequence, size), sequence);
          model.push(`${sequence}:${size}:${size === 0 ? '-' : sequence & 0xff}`);
        });
        expect(contents(ring)).toEqual(model.slice(-capacity));
        for (let position = ring.oldest; position < ring.end; position++) {
          expect(ring.dataAt(position).buffer.byteLength).toBeLessThanOrEqual(
            2 * Math.max(64, Math.ceil(ring.lengthAt(position) / 64) * 64),
          );
        }
      }),
    );
  });

  it('lets go of every copy when cleared', () => {
    const ring = new HistoryRing(2);
    ring.push(message(1), 1);
    ring.clear();
    expect([ring.oldest, ring.end]).toEqual([0, 0]);
    expect(ring.firstFrom(0)).toBe(0);
  });
});
