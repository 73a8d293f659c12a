import { RingDescriptor as D, maxPayloadFor } from './ring-descriptor.js';

/** How large a publication's ring is, and why (see {@link ringSizeFor}). */
export interface RingSize {
  /**
   * The ring without history: the smallest power of two at least the transport's minimum in
   * which a message of `maxMessageSize` takes at most half the ring.
   */
  readonly base: number;
  /**
   * The room the retained records take beside it: `history + 1` records of `maxMessageSize`
   * plus their 16-byte header, aligned to 8 (the one more is for the padding record that may
   * sit among them at the wrap). 0 without history.
   */
  readonly historyBytes: number;
  /**
   * The ring: the smallest power of two at least `base + historyBytes`. It may exceed
   * `RingDescriptor.maxCapacity`, which the caller then refuses.
   */
  readonly capacity: number;
}

/**
 * Sizes the ring of a publication that sends messages of up to `maxMessageSize` bytes and
 * retains its last `history` of them for readers that join later.
 *
 * Why the retained records are never overwritten: the writer overwrites only the oldest bytes
 * of the ring, those a whole ring behind what it writes. Before a write, the last `history`
 * records (with at most one padding record among them: they span less than a ring, so they
 * hold at most one wrap) take at most `(history + 1)` maximal records; the write itself (a
 * padding record, the record and the zeroed length word after it) takes at most `base`
 * (that is how `base` is chosen). So the bytes the write overwrites lie before the oldest
 * retained record, under both policies.
 *
 * Exact for any non-negative `maxMessageSize` (no 32-bit arithmetic).
 *
 * @example
 * ```ts
 * ringSizeFor(1024, 1 << 16, 1000); // { base: 65536, historyBytes: 1041040, capacity: 2097152 }
 * ```
 */
export function ringSizeFor(maxMessageSize: number, minimum: number, history: number): RingSize {
  let base = minimum;
  while (maxPayloadFor(base) < maxMessageSize) base *= 2;
  const record = Math.ceil((D.recordHeaderBytes + maxMessageSize) / D.recordAlignment) * D.recordAlignment;
  const historyBytes = history === 0 ? 0 : (history + 1) * record;
  let capacity = base;
  while (capacity < base + historyBytes) capacity *= 2;
  return { base, historyBytes, capacity };
}
