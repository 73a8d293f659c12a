// Writing frames: DATA frames into a gathering buffer or a fresh one, and the shared empty
// control frames. The layout is in wire-format.ts; reading is frame-decoder.ts.
import { DATA_HEADER_SIZE, FrameType, LENGTH_SIZE } from './wire-format.js';

const twoTo32 = 0x1_0000_0000;

/**
 * Writes one DATA frame for `payload` at `offset` of `target` and returns the offset after it.
 * The caller guarantees room for `DATA_HEADER_SIZE + payload.byteLength` bytes and a sequence
 * number that is a non-negative safe integer.
 */
export function writeDataFrame(target: Uint8Array, offset: number, payload: Uint8Array, sequence: number): number {
  const length = DATA_HEADER_SIZE - LENGTH_SIZE + payload.byteLength;
  const high = (sequence / twoTo32) >>> 0;
  const low = sequence >>> 0;
  target[offset] = length >>> 24;
  target[offset + 1] = length >>> 16;
  target[offset + 2] = length >>> 8;
  target[offset + 3] = length;
  target[offset + 4] = FrameType.Data;
  target[offset + 5] = high >>> 24;
  target[offset + 6] = high >>> 16;
  target[offset + 7] = high >>> 8;
  target[offset + 8] = high;
  target[offset + 9] = low >>> 24;
  target[offset + 10] = low >>> 16;
  target[offset + 11] = low >>> 8;
  target[offset + 12] = low;
  target.set(payload, offset + DATA_HEADER_SIZE);
  return offset + DATA_HEADER_SIZE + payload.byteLength;
}

/** Encodes one DATA frame into a new buffer (tests and tools; the hot path gathers instead). */
export function encodeDataFrame(payload: Uint8Array, sequence: number): Buffer {
  const frame = Buffer.allocUnsafe(DATA_HEADER_SIZE + payload.byteLength);
  writeDataFrame(frame, 0, payload, sequence);
  return frame;
}

/** Reads the total size (length field + 4) of the frame starting at `offset`. */
export function frameSizeAt(bytes: Uint8Array, offset: number): number {
  return (
    LENGTH_SIZE +
    (bytes[offset] ?? 0) * 0x100_0000 +
    (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))
  );
}

function emptyFrame(type: FrameType): Buffer {
  return Buffer.from([0, 0, 0, 1, type]);
}

/** The HEARTBEAT frame (shared, never modified). */
export const HEARTBEAT_FRAME: Buffer = emptyFrame(FrameType.Heartbeat);
/** The GOODBYE frame (shared, never modified). */
export const GOODBYE_FRAME: Buffer = emptyFrame(FrameType.Goodbye);
