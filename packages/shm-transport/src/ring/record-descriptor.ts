import { alignRecord } from './ring-descriptor.js';

/**
 * The fields of the record at ring offset `at` (see the record layout in `ring-descriptor.ts`),
 * in the spirit of Agrona's `RecordDescriptor`: 32-bit fields as indices into the segment's
 * `Int32Array`, the payload as a byte offset into the segment. Small functions of integers, so
 * that V8 inlines them into the writer's and reader's loops: no allocation, no call left.
 *
 * The layout's numbers appear here as literals: the ring at byte 12288 of the segment, a record
 * header of 16 bytes with the length at +0, the type at +4 (1 data, -1 padding) and the
 * sequence at +8 and +12. V8 folds a literal into the code that inlines these functions; a
 * constant computed from `RingDescriptor` is a module variable once bundled, which V8 loads
 * again after every `Atomics` operation (that cost the writer and the reader some 15 % per
 * message). record-descriptor.test.ts checks every function against `RingDescriptor`.
 */

const TWO_TO_32 = 2 ** 32;

/** The length word of the record at ring offset `at` (header + payload bytes; 0: not yet written). */
export function lengthIndex(at: number): number {
  return (12288 + at) >> 2;
}

/** The type word of the record at ring offset `at` (data or padding). */
export function typeIndex(at: number): number {
  return (12288 + at + 4) >> 2;
}

/** The byte offset, from the start of the segment, of the payload of the record at ring offset `at`. */
export function payloadOffset(at: number): number {
  return 12288 + at + 16;
}

/** Reads the sequence number (53 bits, in two words) of the record at ring offset `at`. */
export function readSequence(words: Int32Array, at: number): number {
  const low = (words[(12288 + at + 8) >> 2] ?? 0) >>> 0;
  const high = (words[(12288 + at + 12) >> 2] ?? 0) >>> 0;
  return low + high * TWO_TO_32;
}

/** Writes sequence number `sequence` (an integer below 2^53) into the record at ring offset `at`. */
export function writeSequence(words: Int32Array, at: number, sequence: number): void {
  // ToUint32 is exact modulo 2^32 for integers up to 2^53 (and avoids a floating-point %).
  const low = sequence >>> 0;
  words[(12288 + at + 8) >> 2] = low | 0;
  words[(12288 + at + 12) >> 2] = (sequence - low) / TWO_TO_32;
}

/** Whether `type` and `length`, read at ring offset `at`, are a padding record: it fills the ring to its end. */
export function isPadding(type: number | undefined, length: number, at: number, capacity: number): boolean {
  return type === -1 && length === capacity - at;
}

/**
 * Whether `type` and `length`, read at ring offset `at`, are a data record of at most
 * `maxPayload` payload bytes that ends inside the ring. The payload bound comes before the
 * alignment, which would overflow 32 bits for a length near 2^31: `maxPayload` must stay below
 * 2^31 - 24 (it is at most 2^29 - 16, see `maxPayloadFor`).
 */
export function isData(type: number | undefined, length: number, at: number, capacity: number, maxPayload: number): boolean {
  return type === 1 && length >= 16 && length - 16 <= maxPayload && at + alignRecord(length) <= capacity;
}
