/**
 * Ring positions: 32-bit byte counts that wrap. Position `p` lives at ring offset
 * `p & (capacity - 1)`; the distance between two positions is taken modulo 2^32, which is exact
 * while it stays below 2^31 (a ring holds at most 2^30 bytes).
 */

/** How many bytes position `to` is ahead of position `from` (modulo 2^32). */
export function distance(from: number, to: number): number {
  return (to - from) >>> 0;
}

/** The position `bytes` after `position` (`bytes` may be negative), wrapped to 32 bits. */
export function advance(position: number, bytes: number): number {
  return (position + bytes) >>> 0;
}
