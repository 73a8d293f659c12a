import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { lengthIndex, typeIndex } from './record-descriptor.js';
import { RingDescriptor as D } from './ring-descriptor.js';
import { drain, makeRing as makeRingWith, payload } from '../../test/ring-on-buffer.js';

function makeRing(capacity: number, latest = false, maxPayload?: number) {
  const { buffer, writer, reader } = makeRingWith({ capacity, latest, ...(maxPayload === undefined ? {} : { maxPayload }) });
  return { buffer, writer, reader: (copy = false) => reader({ copy }) };
}

describe('ring protocol (reliable)', () => {
  it('delivers records of random sizes in order across many wraps, to several readers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2032 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 3 }),
        (sizes, readerCount) => {
          const { writer, reader } = makeRing(4096);
          const readers = Array.from({ length: readerCount }, () => reader());
          const received: number[][] = readers.map(() => []);
          let sent = 0;
          while (sent < sizes.length) {
            const size = sizes[sent] ?? 0;
            if (writer.write(payload(sent, size), sent)) {
              sent++;
              continue;
            }
            // Full: every reader drains, checking each message.
            readers.forEach((each, index) => {
              for (const message of drain(each)) {
                expect(message.data).toEqual(payload(message.seq, sizes[message.seq] ?? -1));
                received[index]?.push(message.seq);
              }
            });
          }
          readers.forEach((each, index) => {
            for (const message of drain(each)) {
              expect(message.data).toEqual(payload(message.seq, sizes[message.seq] ?? -1));
              received[index]?.push(message.seq);
            }
            expect(received[index]).toEqual(sizes.map((_, sequence) => sequence));
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never overwrites what the slowest reader has not read: the writer is refused instead', () => {
    const { writer, reader } = makeRing(4096);
    const fast = reader();
    const slow = reader();
    let sent = 0;
    while (writer.write(payload(sent, 100), sent)) {
      sent++;
      drain(fast);
    }
    // 4096 bytes of 120-byte records (16 header + 100, aligned) minus the guard word.
    expect(sent).toBe(34);
    expect(writer.canWrite(100)).toBe(false);
    // The next record needs 16 bytes of padding at the wrap, 120 bytes and the 8-byte guard:
    // one record read (120 bytes) is not enough room, two are.
    expect(drain(slow, 1).map((message) => message.seq)).toEqual([0]);
    expect(writer.write(payload(sent, 100), sent)).toBe(false);
    expect(drain(slow, 1).map((message) => message.seq)).toEqual([1]);
    expect(writer.write(payload(sent, 100), sent)).toBe(true);
    expect(writer.write(payload(sent + 1, 100), sent + 1)).toBe(false);
    expect(drain(slow).map((message) => message.seq)).toEqual(Array.from({ length: 33 }, (_, index) => index + 2));
  });

  it('lets a reader that leaves stop holding the writer back', () => {
    const { writer, reader } = makeRing(4096);
    const stuck = reader();
    let sent = 0;
    while (writer.write(payload(sent, 64), sent)) sent++;
    stuck.close();
    expect(writer.write(payload(sent, 64), sent)).toBe(true);
  });

  it('a reader joining mid-stream starts at the tail', () => {
    const { writer, reader } = makeRing(4096);
    for (let sequence = 0; sequence < 10; sequence++) writer.write(payload(sequence, 10), sequence);
    const late = reader();
    expect(drain(late)).toEqual([]);
    writer.write(payload(10, 10), 10);
    expect(drain(late).map((message) => message.seq)).toEqual([10]);
  });

  it('hands out zero-copy views (no copy) unless asked to copy', () => {
    const { writer, reader, buffer } = makeRing(4096);
    const viewing = reader();
    const copying = reader(true);
    writer.write(payload(0, 8), 0);
    viewing.poll((message) => {
      expect(message.data.buffer).toBe(buffer);
      expect(message.transport).toBe('shm');
    }, 1);
    copying.poll((message) => {
      expect(message.data.buffer).not.toBe(buffer);
    }, 1);
  });

  it('carries sequence numbers up to 2^53', () => {
    const { writer, reader } = makeRing(4096);
    const each = reader();
    const big = Number.MAX_SAFE_INTEGER - 1;
    writer.write(payload(0, 1), big);
    writer.write(payload(0, 1), 2 ** 32 + 5);
    expect(drain(each).map((message) => message.seq)).toEqual([big, 2 ** 32 + 5]);
  });

  it('counts a message handed to a throwing handler as delivered', () => {
    const { writer, reader } = makeRing(4096);
    const each = reader();
    writer.write(payload(0, 4), 0);
    writer.write(payload(1, 4), 1);
    expect(() =>
      each.poll(() => {
        throw new Error('handler bug');
      }, 10),
    ).toThrow('handler bug');
    expect(drain(each).map((message) => message.seq)).toEqual([1]);
  });

  it('loans: commit publishes the filled bytes, abort publishes nothing', () => {
    const { writer, reader, buffer } = makeRing(4096);
    const each = reader();
    const bytes = new Uint8Array(buffer);
    let claim = writer.claim(50);
    expect(claim).toBeDefined();
    if (claim === undefined) return;
    bytes.fill(9, claim.payloadOffset, claim.payloadOffset + 50);
    writer.abortClaim();
    expect(drain(each)).toEqual([]);
    claim = writer.claim(50);
    if (claim === undefined) throw new Error('no claim');
    bytes.set([1, 2, 3], claim.payloadOffset);
    writer.commitClaim(3, 0);
    expect(drain(each)).toEqual([{ seq: 0, data: new Uint8Array([1, 2, 3]), lost: 0 }]);
  });

  it('never delivers a record whose writer died before committing it', () => {
    const { writer, reader, buffer } = makeRing(4096);
    const each = reader();
    writer.write(payload(0, 10), 0);
    // The writer "dies" in the middle of record 1: payload, type and sequence are written, the
    // length (written last) is not.
    const claim = writer.claim(40);
    if (claim === undefined) throw new Error('no room');
    new Uint8Array(buffer).set(payload(1, 40), claim.payloadOffset);
    const words = new Int32Array(buffer);
    const base = (D.ringOffset + claim.recordAt) >> 2;
    words[base + 1] = D.recordTypeData;
    words[base + 2] = 1;
    expect(drain(each).map((message) => message.seq)).toEqual([0]);
    expect(drain(each)).toEqual([]);
  });

  it.each([
    ['a length beyond the maximum', (words: Int32Array, at: number) => (words[at] = 5000)],
    ['an unknown record type', (words: Int32Array, at: number) => (words[at + 1] = 7)],
    ['a negative length', (words: Int32Array, at: number) => (words[at] = -16)],
    ['a padding record of the wrong length', (words: Int32Array, at: number) => (words[at + 1] = -1)],
  ])('refuses a corrupt ring with ERR_PROTOCOL: %s', (_, corrupt) => {
    const { writer, reader, buffer } = makeRing(4096);
    const each = reader();
    writer.write(payload(0, 24), 0);
    corrupt(new Int32Array(buffer), D.ringOffset >> 2);
    let caught: unknown;
    try {
      each.poll(() => undefined, 10);
    } catch (error) {
      caught = error;
    }
    expect(SeamlessError.isInstance(caught, 'ERR_PROTOCOL')).toBe(true);
  });

  it('gives up a slot on close and refuses when all 64 are taken', () => {
    const { reader } = makeRing(4096);
    const readers = Array.from({ length: 64 }, () => reader());
    expect(new Set(readers.map((each) => each.slot)).size).toBe(64);
    expect(() => reader()).toThrow(/no free reader slot/);
    readers[5]?.close();
    expect(reader().slot).toBe(5);
  });
});

describe('ring protocol (latest)', () => {
  it('never refuses the writer; a lapped reader skips ahead and counts exactly what it missed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 50, maxLength: 600 }),
        fc.integer({ min: 1, max: 40 }),
        (sizes, readEvery) => {
          const { writer, reader } = makeRing(4096, true, 1000);
          const each = reader();
          let received = 0;
          let lost = 0;
          let last = -1;
          let first = -1;
          sizes.forEach((size, sequence) => {
            expect(writer.write(payload(sequence, size), sequence)).toBe(true);
            if (sequence % readEvery === 0) {
              for (const message of drain(each)) {
                expect(message.seq).toBeGreaterThan(last);
                expect(message.lost).toBe(last === -1 ? 0 : message.seq - last - 1);
                expect(message.data).toEqual(payload(message.seq, sizes[message.seq] ?? -1));
                lost += message.lost;
                if (first === -1) first = message.seq;
                last = message.seq;
                received++;
              }
            }
          });
          for (const message of drain(each)) {
            expect(message.lost).toBe(last === -1 ? 0 : message.seq - last - 1);
            lost += message.lost;
            if (first === -1) first = message.seq;
            last = message.seq;
            received++;
          }
          expect(last).toBe(sizes.length - 1); // the newest message always survives
          expect(each.lost).toBe(lost);
          // Counting starts at the first message the reader saw.
          expect(received + lost).toBe(sizes.length - first);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('ring protocol on hostile memory', () => {
  it('poll() on arbitrarily scribbled memory returns or throws ERR_PROTOCOL, and always terminates', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }),
        (latest, scribbles, sizes) => {
          const { writer, reader, buffer } = makeRing(4096, latest, 1000);
          const each = reader();
          sizes.forEach((size, sequence) => writer.write(payload(sequence, size), sequence));
          const words = new Int32Array(buffer);
          for (const [index, value] of scribbles) words[index % words.length] = value;
          for (let round = 0; round < 5; round++) {
            try {
              const count = each.poll((message) => {
                expect(message.data.length).toBeLessThanOrEqual(1000);
              }, 10_000);
              expect(count).toBeGreaterThanOrEqual(0);
            } catch (error) {
              expect(SeamlessError.isInstance(error, 'ERR_PROTOCOL')).toBe(true);
              return;
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a latest writer drops a scribbled history and keeps writing: a length near 2^31 at its head never sends it round in circles', () => {
    const { writer, reader, buffer } = makeRing(4096, true, 1000);
    const each = reader();
    let sequence = 0;
    while (writer.tail + 120 + 8 <= 4096) expect(writer.write(payload(sequence, 100), sequence++)).toBe(true);
    // The oldest record, which the next write overwrites: a data record whose aligned length
    // would overflow 32 bits into a jump of -2^31 (back to the same ring offset).
    const words = new Int32Array(buffer);
    words[lengthIndex(0)] = 0x7ffffff9;
    words[typeIndex(0)] = D.recordTypeData;
    expect(writer.write(payload(sequence, 100), sequence++)).toBe(true);
    expect(writer.write(payload(sequence, 100), sequence++)).toBe(true);
    const got = drain(each);
    expect(got.at(-1)?.seq).toBe(sequence - 1);
  });
});
