import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { loadBinding } from './load-binding.js';
import { createSegment, openSegment, unlinkSegment } from './native.js';
import { RingDescriptor as D, segmentBytesFor } from '../ring/ring-descriptor.js';
import { RingReader } from '../ring/ring-reader.js';
import { RingWriter } from '../ring/ring-writer.js';
import { writeSegmentHeader } from '../ring/segment-header.js';
import { errorOf } from '@seamless/test-support';

const uid = process.getuid?.() ?? 0;
const names: string[] = [];
function freshName(): string {
  const name = `/seamless-test-${randomBytes(6).toString('hex')}`;
  names.push(name);
  return name;
}

afterEach(() => {
  for (const name of names.splice(0)) unlinkSegment(name);
});

describe('native segments', () => {
  it('creates with O_EXCL and the requested mode, maps it, and unlinks', () => {
    const name = freshName();
    const segment = createSegment(name, 8192, 0o600);
    expect(segment.byteLength).toBe(8192);
    expect(segment.buffer?.byteLength).toBe(8192);
    const path = `/dev/shm${name}`;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(path).uid).toBe(uid);
    const again = errorOf(() => createSegment(name, 8192, 0o600));
    expect(SeamlessError.isInstance(again, 'ERR_SHM_UNAVAILABLE')).toBe(true);
    expect((again as Error).message).toContain('File exists');
    expect(unlinkSegment(name)).toBe(true);
    expect(unlinkSegment(name)).toBe(false);
    expect(existsSync(path)).toBe(false);
    segment.close();
  });

  it('shares memory between two mappings', () => {
    const name = freshName();
    const writer = createSegment(name, 4096, 0o600);
    const reader = openSegment(name, uid, 0, 1 << 20);
    new Uint8Array(writer.buffer ?? new ArrayBuffer(0)).set([1, 2, 3], 100);
    expect([...new Uint8Array(reader.buffer ?? new ArrayBuffer(0), 100, 3)]).toEqual([1, 2, 3]);
    writer.close();
    reader.close();
  });

  it('close() detaches the buffer: old views become empty instead of touching unmapped memory', () => {
    const name = freshName();
    const segment = createSegment(name, 4096, 0o600);
    const view = new Uint8Array(segment.buffer ?? new ArrayBuffer(0));
    expect(view.length).toBe(4096);
    segment.close();
    segment.close(); // idempotent
    expect(segment.closed).toBe(true);
    expect(segment.buffer).toBeUndefined();
    expect(view.length).toBe(0);
    expect(view[10]).toBeUndefined();
  });

  it('refuses to open a segment of another owner, with a loose mode, or of the wrong size', () => {
    const name = freshName();
    const segment = createSegment(name, 4096, 0o600);
    const owner = errorOf(() => openSegment(name, uid + 1, 0, 1 << 20));
    expect(SeamlessError.isInstance(owner, 'ERR_PROTOCOL')).toBe(true);
    expect((owner as Error).message).toContain(`owned by uid ${uid}`);
    const size = errorOf(() => openSegment(name, uid, 8192, 1 << 20));
    expect(SeamlessError.isInstance(size, 'ERR_PROTOCOL')).toBe(true);
    expect((size as Error).message).toContain('has 4096 bytes');
    chmodSync(`/dev/shm${name}`, 0o644);
    const mode = errorOf(() => openSegment(name, uid, 0, 1 << 20));
    expect(SeamlessError.isInstance(mode, 'ERR_PROTOCOL')).toBe(true);
    expect((mode as Error).message).toContain('accessible to group or others');
    segment.close();
  });

  it('reports a missing segment as ERR_SHM_UNAVAILABLE with the OS reason', () => {
    const missing = errorOf(() => openSegment('/seamless-test-missing', uid, 0, 1 << 20));
    expect(SeamlessError.isInstance(missing, 'ERR_SHM_UNAVAILABLE')).toBe(true);
    expect((missing as Error).message).toContain('No such file or directory');
    expect((missing as SeamlessError).details).toEqual({ code: 'ENOENT' });
  });

  it('validates arguments before any system call', () => {
    const binding = loadBinding();
    expect(() => binding.Segment.create('no-slash', 10, 0o600)).toThrow(/segment name/);
    expect(() => binding.Segment.create('/a/b', 10, 0o600)).toThrow(/segment name/);
    expect(() => binding.Segment.create('/ok', -1, 0o600)).toThrow(/bytes/);
    expect(() => binding.Segment.create('/ok', 10, 0o7777)).toThrow(/mode/);
  });
});

describe('the C++ ring (native/ring.h) and the TypeScript ring speak the same protocol', () => {
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
    const { segment, reader } = ring(4096);
    const writer = new (loadBinding().NativeRingWriter)(segment);
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
    const writer = new RingWriter(buffer, 4096, 500, false);
    const native = new (loadBinding().NativeRingReader)(segment, reader.slot);
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
});
