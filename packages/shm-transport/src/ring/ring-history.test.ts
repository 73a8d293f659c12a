import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { HeaderWord } from './header-words.js';
import { distance } from './position.js';
import { countActiveSlots } from './reader-slots.js';
import { lengthIndex, readSequence } from './record-descriptor.js';
import { alignRecord } from './ring-descriptor.js';
import { ringSizeFor } from './ring-size.js';
import { drain, makeRing, payload } from '../../test/ring-on-buffer.js';

const policies = [
  ['reliable', false],
  ['latest', true],
] as const;

// A ring of 64-byte messages that retains `history` of them: 4 KiB plus the retained records.
function historyRing(history: number, latest: boolean, maxPayload = 64) {
  const { capacity } = ringSizeFor(maxPayload, 4096, history);
  return { capacity, ...makeRing({ capacity, latest, maxPayload, history }) };
}

const sequences = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe.each(policies)('history on the ring (%s)', (_, latest) => {
  it('history 10 after 100 sent: a late joiner gets 90..99 intact, in order, then the live stream', () => {
    const { writer, reader } = historyRing(10, latest);
    for (let sequence = 0; sequence < 100; sequence++) expect(writer.write(payload(sequence, sequence % 65), sequence)).toBe(true);
    const late = reader({ history: true });
    const first = drain(late);
    expect(first.map((message) => message.seq)).toEqual(sequences(90, 100));
    for (const message of first) expect(message.data).toEqual(payload(message.seq, message.seq % 65));
    expect(first.every((message) => message.lost === 0)).toBe(true);
    for (let sequence = 100; sequence < 150; sequence++) writer.write(payload(sequence, sequence % 65), sequence);
    const live = drain(late);
    expect(live.map((message) => message.seq)).toEqual(sequences(100, 150));
    for (const message of live) expect(message.data).toEqual(payload(message.seq, message.seq % 65));
    expect(late.lost).toBe(0);
  });

  it('fewer sent than retained: a late joiner gets all of them', () => {
    const { writer, reader } = historyRing(10, latest);
    for (let sequence = 0; sequence < 4; sequence++) writer.write(payload(sequence, 8), sequence);
    for (let joiner = 0; joiner < 2; joiner++) {
      expect(drain(reader({ history: true }))).toEqual([0, 1, 2, 3].map((seq) => ({ seq, data: payload(seq, 8), lost: 0 })));
    }
  });

  it('history: false starts at the live tail: only what is sent after the join', () => {
    const { writer, reader } = historyRing(10, latest);
    // Enough to cross several 4 KiB checkpoints and a wrap: the join walks to the exact tail.
    for (let sequence = 0; sequence < 333; sequence++) writer.write(payload(sequence, sequence % 65), sequence);
    const live = reader({ history: false });
    expect(live.position).toBe(writer.tail);
    expect(live.hasData()).toBe(false);
    expect(drain(live)).toEqual([]);
    writer.write(payload(333, 5), 333);
    expect(drain(live).map((message) => message.seq)).toEqual([333]);
  });

  it('a ring without history: a reader that asks for it starts live', () => {
    const { writer, reader } = makeRing({ capacity: 4096, latest, maxPayload: 64 });
    for (let sequence = 0; sequence < 70; sequence++) writer.write(payload(sequence, 40), sequence);
    const late = reader({ history: true });
    expect(late.position).toBe(writer.tail);
    writer.write(payload(70, 40), 70);
    expect(drain(late).map((message) => message.seq)).toEqual([70]);
  });

  it('every joiner, at any point of a random stream, gets exactly the last N (or all) sent, intact, then the live stream; the writer never refuses for its history', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 16, max: 600 }),
        // Long streams of large records (fast-check's default size would keep them short):
        // the retained records span several times the 4 KiB ring they are added to.
        fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 40, maxLength: 300, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 6, size: 'max' }),
        (history, maxPayload, rawSizes, rawJoins) => {
          const sizes = rawSizes.map((size) => size % (maxPayload + 1));
          const joins = new Set(rawJoins.map((at) => at % (sizes.length + 1)));
          const { capacity, writer, reader } = historyRing(history, latest, maxPayload);
          const joined: { reader: ReturnType<typeof reader>; from: number; got: number[] }[] = [];
          const check = (entry: (typeof joined)[number], sent: number) => {
            for (const message of drain(entry.reader)) {
              expect(message.data).toEqual(payload(message.seq, sizes[message.seq] ?? -1));
              entry.got.push(message.seq);
            }
            expect(entry.got).toEqual(sequences(entry.from, sent));
          };
          for (let sent = 0; sent <= sizes.length; sent++) {
            if (joins.has(sent)) joined.push({ reader: reader({ history: true }), from: Math.max(0, sent - history), got: [] });
            if (sent === sizes.length) break;
            // Reliable: every joiner drains before the writer could need its room; the history
            // alone never holds the writer back.
            for (const entry of joined) check(entry, sent);
            expect(writer.write(payload(sent, sizes[sent] ?? 0), sent)).toBe(true);
          }
          for (const entry of joined) check(entry, sizes.length);
          expect(capacity).toBeGreaterThanOrEqual(ringSizeFor(maxPayload, 4096, history).base);
        },
      ),
      // No shrinking: a failing stream is reported as found (shrinking 300-record streams takes minutes).
      { numRuns: 150, endOnFailure: true },
    );
  });

  it("the header's join line: after every commit the history start is the oldest retained record, committed; keep <= history start <= tail, and the checkpoint a record boundary within 4 KiB of the tail", () => {
    const history = 7;
    const { writer, buffer } = historyRing(history, latest, 300);
    const words = new Int32Array(buffer);
    const starts = new Set<number>([0]); // every record boundary so far (padding records included)
    for (let sequence = 0; sequence < 2000; sequence++) {
      const size = (sequence * 37) % 301;
      writer.write(payload(sequence, size), sequence);
      const tail = writer.tail;
      starts.add(tail).add((tail - alignRecord(16 + size)) >>> 0);
      const historyStart = Atomics.load(words, HeaderWord.HistoryStart) >>> 0;
      const checkpoint = Atomics.load(words, HeaderWord.Tail) >>> 0;
      const keep = Atomics.load(words, HeaderWord.Keep) >>> 0;
      const oldest = Math.max(0, sequence + 1 - history);
      const at = historyStart & (writer.capacity - 1);
      expect(Atomics.load(words, lengthIndex(at))).toBeGreaterThan(0);
      expect(readSequence(words, at)).toBe(oldest);
      expect(historyStart).toBe(writer.historyStart);
      expect(distance(checkpoint, tail)).toBeLessThan(4096 + alignRecord(16 + 300));
      expect(distance(historyStart, tail)).toBeLessThan(writer.capacity);
      expect(starts.has(checkpoint)).toBe(true);
      if (!latest) expect(distance(keep, historyStart) <= distance(keep, tail)).toBe(true);
    }
    // The reliable writer looked at the (empty) reader slots along the way and published keep.
    if (!latest) expect(Atomics.load(words, HeaderWord.Keep)).not.toBe(0);
  });
});

describe('history on the ring (reliable)', () => {
  it('a history joiner that does not read holds the writer back: nothing it has not read is overwritten, not even by room the writer granted itself at its last look, just before the join', () => {
    const { writer, reader } = historyRing(10, false);
    let sequence = 0;
    // A reader that holds the writer back until the ring is full, then leaves: the writer's
    // next write looks at the (now empty) reader slots, right before the late reader joins.
    const stuck = reader();
    while (writer.write(payload(sequence, 64), sequence)) sequence++;
    stuck.close();
    expect(writer.write(payload(sequence, 64), sequence++)).toBe(true);
    const late = reader({ history: true });
    const joinedAt = sequence;
    while (writer.write(payload(sequence, 64), sequence)) sequence++;
    expect(sequence).toBeGreaterThan(joinedAt);
    const got = drain(late);
    expect(got.map((message) => message.seq)).toEqual(sequences(joinedAt - 10, sequence));
    for (const message of got) expect(message.data).toEqual(payload(message.seq, 64));
    expect(writer.write(payload(sequence, 64), sequence)).toBe(true);
  });
});

describe('history on the ring (latest)', () => {
  it('history 1: the current value is there at once for a late joiner', () => {
    const { writer, reader } = historyRing(1, true);
    for (let sequence = 0; sequence < 500; sequence++) writer.write(payload(sequence, 64), sequence);
    const late = reader({ history: true });
    expect(late.hasData()).toBe(true);
    expect(late.park()).toBe(false); // something is ready: it does not sleep
    expect(drain(late)).toEqual([{ seq: 499, data: payload(499, 64), lost: 0 }]);
    expect(late.hasData()).toBe(false);
  });

  it('a joiner lapped before its first read skips to the oldest intact record and counts what it lost from the first retained one', () => {
    const { capacity, writer, reader } = historyRing(5, true);
    let sequence = 0;
    while (sequence < 100) writer.write(payload(sequence, 64), sequence++);
    const late = reader({ history: true }); // retained: 95..99
    // Two rings' worth more before it reads anything.
    const lap = Math.ceil((2 * capacity) / 80);
    for (let more = 0; more < lap; more++) writer.write(payload(sequence, 64), sequence++);
    const got = drain(late);
    const first = got[0];
    expect(first?.seq).toBeGreaterThan(95);
    expect(first?.lost).toBe((first?.seq ?? 0) - 95);
    expect(got.map((message) => message.seq)).toEqual(sequences(first?.seq ?? -1, sequence));
    for (const message of got) expect(message.data).toEqual(payload(message.seq, 64));
    expect(late.lost).toBe((first?.seq ?? 0) - 95);
  });
});

describe('joining a corrupt ring', () => {
  it.each([
    ['a history start off the record alignment', HeaderWord.HistoryStart, (value: number) => value + 4],
    ['a history start more than a ring after keep', HeaderWord.HistoryStart, (value: number) => value + (1 << 20)],
    ['a tail checkpoint more than a ring after keep', HeaderWord.Tail, (value: number) => value + (1 << 20)],
  ])('%s is ERR_PROTOCOL, and the slot is free again', (_, word, corrupt) => {
    const { writer, reader, buffer } = historyRing(4, false);
    for (let sequence = 0; sequence < 10; sequence++) writer.write(payload(sequence, 10), sequence);
    const words = new Int32Array(buffer);
    words[word] = corrupt(words[word] ?? 0);
    let caught: unknown;
    try {
      reader({ history: word === HeaderWord.HistoryStart });
    } catch (error) {
      caught = error;
    }
    expect(SeamlessError.isInstance(caught, 'ERR_PROTOCOL')).toBe(true);
    expect((caught as Error).message).toMatch(/cannot be joined/);
    expect(countActiveSlots(words)).toBe(0);
  });
});
