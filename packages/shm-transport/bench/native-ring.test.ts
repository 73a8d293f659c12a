import { describe, expect, it } from 'vitest';
import { createSegment } from '../src/os/native.js';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import { RingReader } from '../src/ring/ring-reader.js';
import { RingWriter } from '../src/ring/ring-writer.js';
import { writeSegmentHeader } from '../src/ring/segment-header.js';
import { loadBenchBinding } from './bench-binding.js';
import { freshSegmentNames } from '../test/fresh-segment-names.js';

const uid = process.getuid?.() ?? 0;
const freshName = freshSegmentNames();

describe('the C++ ring (bench/native/ring.h) and the TypeScript ring speak the same protocol', () => {
  function ring(capacity: number) {
    const name = freshName();
    const segment = createSegment(name, segmentBytesFor(capacity), 0o600);
    const buffer = segment.buffer ?? new ArrayBuffer(0);
    writeSegmentHeader(buffer, {
      capacity,
      maxMessageSize: 500,
      policy: 'reliable',
      writerPid: process.pid,
      writerPresence: '00'.repeat(8),
      writerDoorbell: 0,
      nonce: 'ab'.repeat(16),
      ownerUid: uid,
      segmentBytes: segmentBytesFor(capacity),
      publisherId: 'p',
      topic: 't',
      history: 0,
    });
    const reader = new RingReader(buffer, name, {
      capacity,
      maxPayload: 500,
      latest: false,
      topic: 't',
      publisherId: 'p',
      copy: true,
      owner: { pid: process.pid, presence: '00'.repeat(8) },
    });
    return { segment, buffer, reader };
  }

  it('C++ writer -> TypeScript reader, across wraps and back-pressure', () => {
    const { segment, buffer, reader } = ring(4096);
    const writer = new (loadBenchBinding().NativeRingWriter)(buffer);
    const received: number[] = [];
    let sequence = 0;
    while (sequence < 2000) {
      const data = new Uint8Array(sequence % 301).fill(sequence & 255);
      const result = writer.write(data, sequence);
      if (result === 0) sequence++;
      else {
        expect(result).toBe(1);
        reader.poll((message) => {
          expect(message.data.length).toBe(message.seq % 301);
          expect(message.data.every((byte) => byte === (message.seq & 255))).toBe(true);
          received.push(message.seq);
        }, Number.POSITIVE_INFINITY);
      }
    }
    reader.poll((message) => received.push(message.seq), Number.POSITIVE_INFINITY);
    expect(received).toEqual(Array.from({ length: 2000 }, (_, index) => index));
    expect(writer.write(new Uint8Array(501), 0)).toBe(2);
    reader.close();
    segment.close();
    expect(writer.write(new Uint8Array(1), 0)).toBe(3);
  });

  it('TypeScript writer -> C++ reader', () => {
    const { segment, buffer, reader } = ring(4096);
    const writer = new RingWriter(buffer, { capacity: 4096, maxPayload: 500, latest: false });
    const native = new (loadBenchBinding().NativeRingReader)(buffer, reader.slot);
    const target = new Uint8Array(500);
    let next = 0;
    for (let sequence = 0; sequence < 2000;) {
      if (writer.write(new Uint8Array(sequence % 301).fill(sequence & 255), sequence)) {
        sequence++;
        continue;
      }
      for (let length = native.readInto(target); length >= 0; length = native.readInto(target)) {
        expect(native.sequence).toBe(next);
        expect(length).toBe(next % 301);
        expect(target.subarray(0, length).every((byte) => byte === (next & 255))).toBe(true);
        next++;
      }
    }
    while (native.readInto(target) >= 0) next++;
    expect(next).toBe(2000);
    expect(native.readInto(new Uint8Array(0))).toBe(-1);
    // A corrupt length is refused by the C++ reader too.
    const at = writer.tail & 4095;
    writer.write(new Uint8Array(10), 2000);
    new Int32Array(buffer)[(D.ringOffset + at) >> 2] = 0x7fffffff;
    expect(native.readInto(target)).toBe(-2);
    reader.close();
    segment.close();
  });

  it('the C++ handles read a header only once its creator marked it ready, and refuse what is not a segment', () => {
    const binding = loadBenchBinding();
    const fresh = new ArrayBuffer(segmentBytesFor(4096)); // all zero: state "initialising"
    expect(() => new binding.NativeRingWriter(fresh)).toThrow(/not initialised/);
    expect(() => new binding.NativeRingReader(fresh, 0)).toThrow(/not initialised/);
    const { segment, buffer } = ring(4096);
    expect(() => new binding.NativeRingReader(buffer, 64)).toThrow(/slot/);
    expect(() => new (binding.NativeRingWriter as unknown as new (value: unknown) => unknown)(segment)).toThrow(/ArrayBuffer/);
    segment.close();
    expect(() => new binding.NativeRingWriter(buffer)).toThrow(/closed/);
  });
});
