import { describe, expect, it } from 'vitest';
import { advance, distance } from './position.js';
import { isData, isPadding, lengthIndex, payloadOffset, readSequence, typeIndex, writeSequence } from './record-descriptor.js';
import { RingDescriptor as D, maxPayloadFor, segmentBytesFor } from './ring-descriptor.js';

describe('record fields', () => {
  it('sit where the layout says, for a record at any ring offset', () => {
    for (const at of [0, 8, 4088]) {
      expect(lengthIndex(at) * 4).toBe(D.ringOffset + at + D.recordLengthOffset);
      expect(typeIndex(at) * 4).toBe(D.ringOffset + at + D.recordTypeOffset);
      expect(payloadOffset(at)).toBe(D.ringOffset + at + D.recordHeaderBytes);
    }
  });

  it('carry sequence numbers up to 2^53 in two words', () => {
    const words = new Int32Array(new ArrayBuffer(segmentBytesFor(4096)));
    for (const sequence of [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      writeSequence(words, 16, sequence);
      expect(readSequence(words, 16)).toBe(sequence);
    }
    expect(words[(D.ringOffset + 16 + D.recordSequenceLowOffset) >> 2]).toBe(-1);
    expect(words[(D.ringOffset + 16 + D.recordSequenceHighOffset) >> 2]).toBe(2 ** 21 - 1);
  });

  it('tell padding, data and garbage apart, a length near 2^31 included', () => {
    const max = maxPayloadFor(4096);
    const header = D.recordHeaderBytes;
    expect(isPadding(D.recordTypePadding, 96, 4000, 4096)).toBe(true);
    expect(isPadding(D.recordTypePadding, 88, 4000, 4096)).toBe(false);
    expect(isPadding(D.recordTypeData, 96, 4000, 4096)).toBe(false);
    expect(isData(D.recordTypeData, header, 4096 - header, 4096, max)).toBe(true);
    expect(isData(D.recordTypeData, header + 1, 4096 - header, 4096, max)).toBe(false); // aligned, it passes the end
    expect(isData(D.recordTypeData, header + max, 0, 4096, max)).toBe(true);
    expect(isData(D.recordTypeData, header + max + 1, 0, 4096, max)).toBe(false);
    expect(isData(D.recordTypeData, header - 1, 0, 4096, max)).toBe(false);
    expect(isData(D.recordTypePadding, header, 0, 4096, max)).toBe(false);
    expect(isData(undefined, header, 0, 4096, max)).toBe(false);
    // The payload bound (at most 2^29 bytes, in the largest ring) rules it out before the alignment overflows.
    expect(isData(D.recordTypeData, 0x7ffffff9, 0, D.maxCapacity, maxPayloadFor(D.maxCapacity))).toBe(false);
  });
});

describe('positions', () => {
  it('wrap at 2^32', () => {
    expect(distance(0xfffffff0, 0x10)).toBe(0x20);
    expect(distance(0x10, 0xfffffff0)).toBe(2 ** 32 - 0x20);
    expect(advance(0xfffffff0, 0x20)).toBe(0x10);
    expect(advance(0x10, -0x20)).toBe(0xfffffff0);
  });
});
