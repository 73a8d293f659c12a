import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createSegment, unlinkSegment } from './native.js';
import { reclaimSegments } from './reclaim-segments.js';
import { RingDescriptor as D, segmentBytesFor } from './ring-descriptor.js';
import { writeSegmentHeader } from './segment-header.js';

const uid = process.getuid?.() ?? 0;
const prefix = 'seamlessreclaimtest';
const names: string[] = [];
afterEach(() => {
  for (const name of names.splice(0)) unlinkSegment(name);
});

function segment(scribble: boolean) {
  const name = `/${prefix}-${uid}-${randomBytes(8).toString('hex')}`;
  names.push(name);
  const created = createSegment(name, segmentBytesFor(D.minCapacity), 0o600);
  const buffer = created.buffer ?? new ArrayBuffer(0);
  writeSegmentHeader(buffer, {
    capacity: D.minCapacity,
    maxMessageSize: 100,
    policy: 'reliable',
    writerPid: process.pid,
    writerStartTime: 1,
    nonce: '00'.repeat(16),
    ownerUid: uid,
    segmentBytes: segmentBytesFor(D.minCapacity),
    publisherId: 'p',
    topic: 't',
  });
  if (scribble) new Uint8Array(buffer).fill(0xa5, 0, 128); // the header no longer says anything
  return { name, created };
}

describe('reclaimSegments', () => {
  it('removes an old segment nobody maps, even with a scribbled header', () => {
    const { name, created } = segment(true);
    expect(reclaimSegments(prefix, uid, { minAgeMs: 0 })).toEqual([]); // still mapped here
    created.close();
    expect(reclaimSegments(prefix, uid, { minAgeMs: 60_000 })).toEqual([]); // too young
    expect(reclaimSegments(prefix, uid, { minAgeMs: 0 })).toEqual([name]);
    expect(existsSync(`/dev/shm${name}`)).toBe(false);
  });

  it('keeps a segment whose writer is alive, mapped or not', () => {
    const { name, created } = segment(false);
    created.close();
    // Its header names this (live) process: not provably abandoned, and too young to be judged
    // by mappings.
    expect(reclaimSegments(prefix, uid, { minAgeMs: 60_000 })).toEqual([]);
    expect(existsSync(`/dev/shm${name}`)).toBe(true);
  });
});
