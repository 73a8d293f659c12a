/**
 * The header words that change while the ring runs, as indices into the segment's
 * `Int32Array` (their byte offsets in `RingDescriptor`, divided by 4). A const enum, so that
 * the build writes the numbers into the code as literals, which V8 folds (see
 * `record-descriptor.ts`); header-words.test.ts checks each against `RingDescriptor`.
 */
export const enum HeaderWord {
  /** 0 initialising, 1 ready, 2 closed. */
  State = 9,
  /** A tail checkpoint: a record boundary at most 4 KiB behind the writer's tail (see `RingWriter`). */
  Tail = 128,
  /** While the writer retains history: where the oldest retained record starts. */
  HistoryStart = 129,
  /** Reliable policy: nothing from here on is overwritten before the writer reads the reader slots again. */
  Keep = 130,
  /** Latest policy: the writer is overwriting up to here. */
  Intent = 160,
  /** Latest policy: the oldest intact record. */
  Head = 192,
  /** Bumped by every join and leave of a reader. */
  Generation = 224,
  /** Readers parked on their doorbell. */
  Waiters = 225,
  /** 1 while the writer is parked for room. */
  WriterWaiting = 226,
}
