import { reclaimLeftovers } from './reclaim-leftovers.js';
import type { ReclaimReport } from './reclaim-leftovers.js';
import { realTimers } from '@seamless/transport';

const atStart = new Map<string, Promise<ReclaimReport>>();

/**
 * The start-up reclaim of `namePrefix` and `uid`: run once per process (the first transport
 * starts it, later ones get the same promise), in the background.
 */
export function reclaimOnce(namePrefix: string, uid: number): Promise<ReclaimReport> {
  const key = `${namePrefix}\u0000${uid}`;
  let pending = atStart.get(key);
  if (pending === undefined) {
    pending = reclaimLeftovers({ namePrefix, uid });
    atStart.set(key, pending);
  }
  return pending;
}

interface Pending {
  readonly tokens: Set<string>;
  readonly done: Promise<ReclaimReport>;
}

const queued = new Map<string, Pending>();

/**
 * Reclaims what the dead process with presence `token` left, soon (tokens reported together
 * share one pass over /dev/shm). Whoever learns of a death calls it: a writer that evicts a
 * dead reader, a reader whose writer died.
 */
export function reclaimDeadProcess(namePrefix: string, uid: number, token: string): Promise<ReclaimReport> {
  const key = `${namePrefix}\u0000${uid}`;
  const pending = queued.get(key);
  if (pending !== undefined) {
    pending.tokens.add(token);
    return pending.done;
  }
  const tokens = new Set([token]);
  const done = new Promise<void>((resolve) => realTimers.setImmediate(resolve)).then(() => {
    queued.delete(key);
    return reclaimLeftovers({ namePrefix, uid, only: tokens });
  });
  queued.set(key, { tokens, done });
  return done;
}
