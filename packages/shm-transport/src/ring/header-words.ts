import { RingDescriptor as D } from './ring-descriptor.js';

/**
 * The header words that change while the ring runs, as indices into the segment's
 * `Int32Array` (their byte offsets in {@link RingDescriptor}, divided by 4).
 */
export const HeaderWord = {
  /** 0 initialising, 1 ready, 2 closed. */
  state: D.stateOffset >> 2,
  /** The writer's tail position (a hint, see `RingWriter`). */
  tail: D.tailOffset >> 2,
  /** Latest policy: the writer is overwriting up to here. */
  intent: D.intentOffset >> 2,
  /** Latest policy: the oldest intact record. */
  head: D.headOffset >> 2,
  /** Bumped by every join and leave of a reader. */
  generation: D.generationOffset >> 2,
  /** Readers parked on their doorbell. */
  waiters: D.waitersOffset >> 2,
  /** 1 while the writer is parked for room. */
  writerWaiting: D.writerWaitingOffset >> 2,
} as const;
