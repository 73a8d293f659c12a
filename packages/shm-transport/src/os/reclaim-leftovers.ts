import { readdir } from 'node:fs/promises';
import { ownPresence, parsePresenceName, probePresence, removeDeadPresence } from '@seamless/local-addrs';
import { parseDoorbellName, removeDoorbell } from './doorbell.js';
import { unlinkSegment } from './native.js';
import { SHM_DIRECTORY } from './shm-directory.js';
import { realTimers } from '@seamless/transport';

/** What a reclaim removed. */
export interface ReclaimReport {
  /** Segment names (`/<prefix>-<uid>-<presence>-<random>`). */
  readonly segments: string[];
  /** Doorbell paths. */
  readonly doorbells: string[];
  /** Presence tokens whose pipe was removed. */
  readonly presences: string[];
}

/** Which leftovers a reclaim looks at. */
export interface ReclaimScope {
  /** The prefix of segment names (other prefixes are left alone). */
  readonly namePrefix: string;
  readonly uid: number;
  /** Only these processes (presence tokens), known dead; default: every process found. */
  readonly only?: ReadonlySet<string>;
  /** Default /dev/shm. */
  readonly directory?: string;
}

// Names handled between two yields to the event loop.
const BATCH = 256;

/**
 * Removes what dead processes of user `uid` left in /dev/shm: segments named with this prefix,
 * doorbells, and last their presence pipes. Every name carries its creator's presence token,
 * so one look at each distinct process (a pipe probe: alive, dead, or gone) decides for all of
 * its files, without opening a single segment; a scribbled or never initialised segment is
 * reclaimed like any other. The presence pipe goes last: while it exists, a later reclaim can
 * still match the process's files to it; once it is gone, a file naming it is taken for a dead
 * process's, since a presence disappears only at (or after) its owner's end.
 *
 * The directory is listed once, asynchronously, and the names are handled in batches with a
 * yield to the event loop between them, so a /dev/shm of tens of thousands of entries never
 * blocks the process for long.
 */
export async function reclaimLeftovers(scope: ReclaimScope): Promise<ReclaimReport> {
  const directory = scope.directory ?? SHM_DIRECTORY;
  const report: ReclaimReport = { segments: [], doorbells: [], presences: [] };
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return report;
  }
  const own = ownPresence()?.token;
  const segmentPattern = new RegExp(`^${scope.namePrefix.replace(/\./g, '\\.')}-${scope.uid}-([0-9a-f]{16})-[0-9a-f]{8}$`);
  const verdicts = new Map<string, boolean>();
  const dead = (token: string): boolean => {
    if (token === own || (scope.only !== undefined && !scope.only.has(token))) return false;
    let verdict = verdicts.get(token);
    if (verdict === undefined) {
      verdict = probePresence(token, { directory, uid: scope.uid }) !== 'alive';
      verdicts.set(token, verdict);
    }
    return verdict;
  };
  const presences: { token: string; temporary: boolean }[] = [];
  for (let start = 0; start < names.length; start += BATCH) {
    if (start > 0) await new Promise((resolve) => realTimers.setImmediate(resolve));
    for (const name of names.slice(start, start + BATCH)) {
      const segment = segmentPattern.exec(name)?.[1];
      if (segment !== undefined) {
        if (dead(segment) && unlinkQuietly(`/${name}`)) report.segments.push(`/${name}`);
        continue;
      }
      const doorbell = parseDoorbellName(name);
      if (doorbell !== undefined) {
        if (doorbell.uid === scope.uid && dead(doorbell.presence) && removeDoorbell(`${directory}/${name}`)) {
          report.doorbells.push(`${directory}/${name}`);
        }
        continue;
      }
      const presence = parsePresenceName(name);
      if (presence?.uid === scope.uid) presences.push(presence);
    }
  }
  for (const { token, temporary } of presences) {
    if (temporary ? scope.only === undefined || scope.only.has(token) : dead(token)) {
      if (removeDeadPresence(token, { directory, uid: scope.uid, temporary }) && !temporary) report.presences.push(token);
    }
  }
  return report;
}

function unlinkQuietly(name: string): boolean {
  try {
    return unlinkSegment(name);
  } catch {
    return false; // someone else reclaimed it, or we may not: leave it
  }
}
