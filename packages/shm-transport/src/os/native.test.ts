import { chmodSync, existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { loadBinding } from './load-binding.js';
import { createSegment, openSegment, unlinkSegment } from './native.js';
import { errorOf } from '@seamless/test-support';
import { freshSegmentNames } from '../../test/fresh-segment-names.js';

const uid = process.getuid?.() ?? 0;
const freshName = freshSegmentNames();

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

  it("is production code only: segments, named pipes and the layout (the C++ ring and the futex waiter are in the benchmarks' addon)", () => {
    expect(Object.keys(loadBinding()).sort()).toEqual(['Segment', 'createFifo', 'descriptor']);
  });

  it('validates arguments before any system call', () => {
    const binding = loadBinding();
    expect(() => binding.Segment.create('no-slash', 10, 0o600)).toThrow(/segment name/);
    expect(() => binding.Segment.create('/a/b', 10, 0o600)).toThrow(/segment name/);
    expect(() => binding.Segment.create('/ok', -1, 0o600)).toThrow(/bytes/);
    expect(() => binding.Segment.create('/ok', 10, 0o7777)).toThrow(/mode/);
  });
});
