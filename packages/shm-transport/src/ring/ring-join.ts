import { ErrorCode, SeamlessError } from '@seamless/transport';
import { HeaderWord } from './header-words.js';
import { advance, distance } from './position.js';
import { slotPositionIndex, slotStateIndex } from './reader-slots.js';
import { lengthIndex } from './record-descriptor.js';
import { RingDescriptor as D, alignRecord } from './ring-descriptor.js';

/** What {@link activateSlot} needs to know of the ring and of the reader. */
export interface JoinOptions {
  readonly capacity: number;
  /** The largest payload the writer writes (anything larger is corruption). */
  readonly maxPayload: number;
  readonly latest: boolean;
  /** How many records the writer retains (the header's history). */
  readonly retained: number;
  /** Start at the oldest retained record (when the writer retains any) rather than at the live tail. */
  readonly history: boolean;
  /** The segment's name, for errors. */
  readonly segmentName: string;
}

// Step 2's bound: keep changes only when the writer looks at the reader slots, so only a
// scribbled segment keeps it changing this long.
const MAX_KEEP_CHECKS = 1 << 16;
// Walks the latest policy starts over when the writer laps it before it found the tail.
const MAX_WALKS = 16;

/**
 * Makes the claimed slot `slot` active and returns the position its reader starts at: the
 * oldest record the writer retains (history), or the live tail. The reader has claimed the
 * slot (free -> joining, `claimFreeSlot`) and filled it in. On failure the slot is free again.
 *
 * The race, and why it is closed. Every access below to a shared word is an `Atomics` load or
 * store, sequentially consistent: there is one total order S of them all that every process
 * agrees on, a load returns the last store before it in S, and each process's own accesses
 * appear in S in program order.
 *
 * Reliable policy. The writer overwrites nothing but what lies a whole ring behind what it
 * writes, and writes no further than a ring past the base of its cached room. It computes
 * that base only at a look at the reader slots ("a look", `RingWriter#findSlowestReader`):
 * it stores the tail checkpoint (then the exact tail), then keep (the oldest retained record,
 * or the tail without history), then loads each slot's state and position; the base is the
 * slowest active reader's position within a ring behind the tail, else keep. So until its
 * next look it overwrites nothing from keep on, nor from the position of any reader it saw.
 * The joining reader:
 * 1. stores keep, as it loaded it, as its slot's position, then stores the slot active;
 * 2. loads keep again; while it differs from the position stored, stores the new value as its
 *    position and loads keep again. Now its position p equals a keep it loaded after storing p;
 * 3. loads its start s — the history start, or the tail checkpoint and then walks forward over
 *    committed records to the first length word that is still 0 (the live tail) — and stores
 *    s as its position. The writer keeps s at or after p: keep, the history start and the
 *    checkpoint only move forward, keep is at most the history start, which is at most the
 *    checkpoint's exact tail, and the reader loads them in that order.
 *
 * Take any look L of the writer. If L's load of our position returns p or a later store of
 * ours (s, then what the reader reads past), L bases the room at or before that position —
 * provided it is within a ring behind the tail (below). Otherwise L's load came before our
 * final store of p in S; L's store of keep came before that load, and our final load of keep
 * after that store: it returned L's keep or a later one, so p >= keep_L >= L's base. Either
 * way, the room L computes never reaches our position, and the records from s on are intact
 * until we have read them.
 *
 * "Within a ring behind the tail": at a look L that loads p, the writer's tail is at most a
 * ring past the base of its previous look L'. If L' loaded p (or later), that base is at most
 * p; if not, it is at most keep_L' <= p as just shown. So L never discards p as corrupt. (This
 * is why step 2 repeats until keep is unchanged: a position stored from a keep loaded before a
 * long preemption could be more than a ring behind by the time a look reads it, and a look
 * discards such a position; the last value is proven fresh.) Keep changes only at a look,
 * not per message, so step 2 almost always ends at its first load.
 *
 * The records read from s on are complete: s was published by an `Atomics.store` after every
 * record before it was committed, and the walk loads each length with `Atomics.load`, which
 * makes the zero the writer stored after that record (before committing it) visible: the walk
 * stops at "nothing yet", never at a record of the previous lap.
 *
 * Latest policy. The writer never waits for readers, so nothing above protects a joining
 * reader, and it needs nothing: it starts at the history start (or the live tail, found by the
 * same walk, which re-checks the writer's intent after each length it loads and starts over
 * from a new checkpoint if the writer was overwriting it), and the lap detection of every read
 * (copy, then check the intent) discards anything overwritten meanwhile, skips to the oldest
 * intact record and counts what was lost. The ring is sized so that the history start is
 * intact when the writer publishes it.
 *
 * Without history the reader starts at the live tail as found by the walk: the first message
 * it receives is the first one committed after its slot became active, or one committed just
 * before (a send that overlaps the join may go either way).
 *
 * @throws SeamlessError `ERR_PROTOCOL` when the header's positions are corrupt.
 */
export function activateSlot(words: Int32Array, slot: number, options: JoinOptions): number {
  const positionIndex = slotPositionIndex(slot);
  try {
    let keep = Atomics.load(words, HeaderWord.Keep);
    Atomics.store(words, positionIndex, keep);
    Atomics.store(words, slotStateIndex(slot), D.slotActive);
    for (let checks = 0; ; checks++) {
      const again = Atomics.load(words, HeaderWord.Keep);
      if (again === keep) break;
      if (checks === MAX_KEEP_CHECKS) corrupt(options, 'its keep position never settles');
      keep = again;
      Atomics.store(words, positionIndex, keep);
    }
    const from = keep >>> 0;
    const start =
      options.history && options.retained > 0
        ? checked(Atomics.load(words, HeaderWord.HistoryStart) >>> 0, from, options, 'history start')
        : liveTail(words, from, options);
    Atomics.store(words, positionIndex, start | 0);
    return start;
  } catch (error) {
    Atomics.store(words, slotStateIndex(slot), D.slotFree);
    throw error;
  }
}

// A position loaded from the header, checked before use: on a record boundary and, under the
// reliable policy, within a ring after keep (where the writer keeps it).
function checked(position: number, keep: number, options: JoinOptions, what: string): number {
  if ((position & (D.recordAlignment - 1)) !== 0 || (!options.latest && distance(keep, position) > options.capacity)) {
    corrupt(options, `bad ${what} ${position} (keep ${keep})`);
  }
  return position;
}

// Step 3 without history: from the tail checkpoint, over the committed records, to the first
// length word that is still 0. At most a ring: the reliable writer cannot get further ahead
// of keep, and a latest writer that keeps lapping the walk is met where it last was.
function liveTail(words: Int32Array, keep: number, options: JoinOptions): number {
  const { capacity, maxPayload, latest } = options;
  const mask = capacity - 1;
  let position = checked(Atomics.load(words, HeaderWord.Tail) >>> 0, keep, options, 'tail checkpoint');
  for (let walks = 1, walked = 0; walked < capacity;) {
    const at = position & mask;
    const length = Atomics.load(words, lengthIndex(at));
    if (length === 0) return position;
    if (latest && distance(position, Atomics.load(words, HeaderWord.Intent) >>> 0) > capacity) {
      // The writer is overwriting what we walk on: start again from where it is now.
      position = checked(Atomics.load(words, HeaderWord.Tail) >>> 0, keep, options, 'tail checkpoint');
      if (++walks > MAX_WALKS) return position;
      walked = 0;
      continue;
    }
    // A record fills the ring to its end (padding) or is a data record that ends inside it.
    // The payload bound comes before the alignment, which would overflow for a length near 2^31.
    const fits = length === capacity - at || (length >= D.recordHeaderBytes && length - D.recordHeaderBytes <= maxPayload);
    const step = fits ? alignRecord(length) : 0;
    if (step === 0 || at + step > capacity) corrupt(options, `bad record at position ${position} (length ${length})`);
    position = advance(position, step);
    walked += step;
  }
  return position;
}

function corrupt(options: JoinOptions, problem: string): never {
  throw new SeamlessError(ErrorCode.Protocol, `shared-memory segment ${options.segmentName} cannot be joined: ${problem}`, {
    details: { segment: options.segmentName, problem },
  });
}
