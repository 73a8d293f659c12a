import { readdirSync, statSync } from 'node:fs';
import { openSegment, unlinkSegment } from './native.js';
import { isProcessGone } from './process-identity.js';
import { RingDescriptor as D, segmentBytesFor } from './ring-descriptor.js';

// A segment still initialising after this long belongs to a writer that died while creating it.
const STALE_INITIALISATION_MS = 60_000;

/**
 * Removes this user's segments (named `/<prefix>-<uid>-<16 hex>`) whose writer is provably
 * dead: same PID namespace, and no process with the recorded pid and start time. Segments of
 * other users, of live or unknowable writers, or of another layout version are left alone.
 * Returns the names removed.
 */
export function reclaimSegments(namePrefix: string, uid: number): string[] {
  let names: string[];
  try {
    names = readdirSync('/dev/shm');
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${namePrefix.replace(/\./g, '\\.')}-${uid}-[0-9a-f]{16}$`);
  const reclaimed: string[] = [];
  for (const name of names) {
    if (!pattern.test(name) || !isAbandoned(`/${name}`, uid)) continue;
    try {
      if (unlinkSegment(`/${name}`)) reclaimed.push(`/${name}`);
    } catch {
      // someone else reclaimed it, or we may not: leave it
    }
  }
  return reclaimed;
}

function isAbandoned(name: string, uid: number): boolean {
  let segment;
  try {
    segment = openSegment(name, uid, 0, segmentBytesFor(D.maxCapacity));
  } catch {
    return false; // not ours, or not a segment we would trust
  }
  try {
    const buffer = segment.buffer;
    if (buffer === undefined || buffer.byteLength < D.ringOffset) return false;
    const view = new DataView(buffer);
    const magic = new TextDecoder().decode(new Uint8Array(buffer, 0, 8));
    if (magic !== D.magic || view.getUint32(D.layoutVersionOffset, true) !== D.layoutVersion) {
      // Not initialised yet, or another layout: only an old, never initialised one is ours to remove.
      return magic === '\0'.repeat(8) && ageMs(name) > STALE_INITIALISATION_MS;
    }
    const state = Atomics.load(new Int32Array(buffer), D.stateOffset >> 2);
    if (state === D.stateInitializing) return ageMs(name) > STALE_INITIALISATION_MS;
    return isProcessGone({
      pid: view.getUint32(D.writerPidOffset, true),
      startTime: view.getUint32(D.writerStartTimeOffset, true) + view.getUint32(D.writerStartTimeOffset + 4, true) * 2 ** 32,
      pidNamespace: view.getUint32(D.writerPidNamespaceOffset, true),
    });
  } finally {
    segment.close();
  }
}

function ageMs(name: string): number {
  try {
    return Date.now() - statSync(`/dev/shm${name}`).ctimeMs;
  } catch {
    return 0;
  }
}
