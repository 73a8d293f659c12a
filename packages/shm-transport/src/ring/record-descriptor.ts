import { RingDescriptor as D, alignRecord } from './ring-descriptor.js';

/**
 * The fields of the record at ring offset `at` (see the record layout in `ring-descriptor.ts`),
 * in the spirit of Agrona's `RecordDescriptor`: 32-bit fields as indices into the segment's
 * `Int32Array`, the payload as a byte offset into the segment. Small functions of integers, so
 * that V8 inlines them into the writer's and reader's loops: no allocation, no call left.
 */

const RING = D.ringOffset;
const HEADER = D.recordHeaderBytes;
const TWO_TO_32 = 2 ** 32;

/** The length word of the record at ring offset `at` (header + payload bytes; 0: not yet written). */
export function lengthIndex(at: number): number {
  return (RING + at + D.recordLengthOffset) >> 2;
}

/** The type word of the record at ring offset `at` (data or padding). */
export function typeIndex(at: number): number {
  return (RING + at + D.recordTypeOffset) >> 2;
}

/** The byte offset, from the start of the segment, of the payload of the record at ring offset `at`. */
export function payloadOffset(at: number): number {
  return RING + at + HEADER;
}

/** Reads the sequence number (53 bits, in two words) of the record at ring offset `at`. */
export function readSequence(words: Int32Array, at: number): number {
  const low = (words[(RING + at + D.recordSequenceLowOffset) >> 2] ?? 0) >>> 0;
  const high = (words[(RING + at + D.recordSequenceHighOffset) >> 2] ?? 0) >>> 0;
  return low + high * TWO_TO_32;
}

/** Writes sequence number `sequence` (an integer below 2^53) into the record at ring offset `at`. */
export function writeSequence(words: Int32Array, at: number, sequence: number): void {
  // ToUint32 is exact modulo 2^32 for integers up to 2^53 (and avoids a floating-point %).
  const low = sequence >>> 0;
  words[(RING + at + D.recordSequenceLowOffset) >> 2] = low | 0;
  words[(RING + at + D.recordSequenceHighOffset) >> 2] = (sequence - low) / TWO_TO_32;
}

/** Whether `type` and `length`, read at ring offset `at`, are a padding record: it fills the ring to its end. */
export function isPadding(type: number | undefined, length: number, at: number, capacity: number): boolean {
  return type === D.recordTypePadding && length === capacity - at;
}

/**
 * Whether `type` and `length`, read at ring offset `at`, are a data record of at most
 * `maxPayload` payload bytes that ends inside the ring. The payload bound comes before the
 * alignment, which would overflow 32 bits for a length near 2^31: `maxPayload` must stay below
 * 2^31 - 24 (it is at most 2^29 - 16, see `maxPayloadFor`).
 */
export function isData(type: number | undefined, length: number, at: number, capacity: number, maxPayload: number): boolean {
  return type === D.recordTypeData && length >= HEADER && length - HEADER <= maxPayload && at + alignRecord(length) <= capacity;
}
