import { readFileSync, readdirSync, statSync } from 'node:fs';
import { openSegment, unlinkSegment } from './native.js';
import { isProcessGone } from './process-identity.js';
import { RingDescriptor as D, segmentBytesFor } from './ring-descriptor.js';

// A segment still initialising after this long belongs to a writer that died while creating it.
const STALE_INITIALISATION_MS = 60_000;

/**
 * Removes this user's segments (named `/<prefix>-<uid>-<16 hex>`) that are provably abandoned:
 * - its header names a writer that is gone (same PID namespace, and no process with the
 *   recorded pid and start time), or
 * - it is older than a minute and no process maps it (`/proc/<pid>/maps`): this catches a
 *   segment whose header was scribbled over, or was never initialised, once its writer died.
 * Segments of other users, of live or unknowable writers, or mapped by anyone are left alone.
 * Returns the names removed.
 */
export function reclaimSegments(namePrefix: string, uid: number, options: { readonly minAgeMs?: number } = {}): string[] {
  const minAgeMs = options.minAgeMs ?? STALE_INITIALISATION_MS;
  let names: string[];
  try {
    names = readdirSync('/dev/shm');
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${namePrefix.replace(/\./g, '\\.')}-${uid}-[0-9a-f]{16}$`);
  const reclaimed: string[] = [];
  let mapped: Set<string> | undefined;
  const unmappedAndOld = (name: string): boolean => {
    if (ageMs(`/${name}`) < minAgeMs) return false;
    mapped ??= mappedShmFiles();
    return mapped !== undefined && !mapped.has(`/dev/shm/${name}`);
  };
  for (const name of names) {
    if (!pattern.test(name)) continue;
    if (!isAbandoned(`/${name}`, uid) && !unmappedAndOld(name)) continue;
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

// Every /dev/shm file some process maps, or undefined when /proc cannot tell us everything
// (then nothing is removed on this ground).
function mappedShmFiles(): Set<string> | undefined {
  const mapped = new Set<string>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let maps: string;
    try {
      maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    } catch (error) {
      // A process that exited meanwhile maps nothing. One we may not read belongs to another
      // user (or root), who has no business mapping a 0600 segment of ours.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM') continue;
      return undefined;
    }
    for (const line of maps.split('\n')) {
      const at = line.indexOf('/dev/shm/');
      if (at !== -1) mapped.add(line.slice(at).replace(/ \(deleted\)$/, ''));
    }
  }
  return mapped;
}

function ageMs(name: string): number {
  try {
    return Date.now() - statSync(`/dev/shm${name}`).ctimeMs;
  } catch {
    return 0;
  }
}
