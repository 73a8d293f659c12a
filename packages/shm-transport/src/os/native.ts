import { ErrorCode, SeamlessError } from '@seamless/transport';
import { loadBinding } from './load-binding.js';

/** A mapped segment, as the addon exposes it. */
export interface NativeSegment {
  /** The mapping; `undefined` once closed (and every view of it is then empty). */
  readonly buffer: ArrayBuffer | undefined;
  readonly name: string;
  readonly byteLength: number;
  readonly closed: boolean;
  /** Detaches the buffer and unmaps. Idempotent. */
  close(): void;
}

/** The C++ ring writer (`native/ring.h`): one native call per message. */
export interface NativeRingWriter {
  /** 0 written, 1 full, 2 too large, 3 closed. */
  write(data: Uint8Array, sequence: number): 0 | 1 | 2 | 3;
}

/** The C++ ring reader (`native/ring.h`), continuing from an already joined reader slot. */
export interface NativeRingReader {
  /** Payload length copied into `target`, -1 nothing ready, -2 corrupt, -3 target too small. */
  readInto(target: Uint8Array): number;
  /** The sequence number of the last message read. */
  readonly sequence?: number;
}

/** A native thread waiting on a futex word; the alternative wake-up the benchmark measures. */
export interface NativeFutexWaiter {
  /** Stops and joins the thread. Call it before closing the segment. */
  close(): void;
}

/** The raw surface of the addon. TypeScript code goes through the functions below. */
export interface NativeBinding {
  readonly Segment: {
    create(name: string, bytes: number, mode: number): NativeSegment;
    open(name: string, expectedUid: number, minBytes: number, maxBytes: number): NativeSegment;
    unlink(name: string): boolean;
  };
  readonly NativeRingWriter: new (segment: NativeSegment) => NativeRingWriter;
  readonly NativeRingReader: new (segment: NativeSegment, slot: number) => NativeRingReader;
  readonly FutexWaiter: new (segment: NativeSegment, offset: number, callback: () => void) => NativeFutexWaiter;
  readonly descriptor: Readonly<Record<string, number | string>>;
  createFifo(path: string, mode: number): void;
  futexWake(segment: NativeSegment, offset: number): void;
}

interface SystemError {
  readonly code?: unknown;
  readonly message?: unknown;
}

// Errors from system calls say why shared memory is unavailable; refusals of a segment that
// exists but is not acceptable (owner, mode, size) are protocol errors.
function translate(error: unknown, action: string): SeamlessError {
  const { code, message } = (error ?? {}) as SystemError;
  const text = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string' && code.startsWith('ERR_SEGMENT_')) {
    return new SeamlessError(ErrorCode.Protocol, `${action}: ${text}`, { cause: error });
  }
  return new SeamlessError(ErrorCode.ShmUnavailable, `${action}: ${text}`, {
    cause: error,
    details: { code },
  });
}

/** Creates and maps a new segment (`O_CREAT | O_EXCL`). */
export function createSegment(name: string, bytes: number, mode: number): NativeSegment {
  const binding = loadBinding();
  try {
    return binding.Segment.create(name, bytes, mode);
  } catch (error) {
    throw translate(error, `cannot create shared-memory segment ${name} of ${bytes} bytes`);
  }
}

/** Opens and maps an existing segment after checking its owner, mode and size. */
export function openSegment(name: string, expectedUid: number, minBytes: number, maxBytes: number): NativeSegment {
  const binding = loadBinding();
  try {
    return binding.Segment.open(name, expectedUid, minBytes, maxBytes);
  } catch (error) {
    throw translate(error, `cannot open shared-memory segment ${name}`);
  }
}

/** Removes a segment name; false when it did not exist. */
export function unlinkSegment(name: string): boolean {
  const binding = loadBinding();
  try {
    return binding.Segment.unlink(name);
  } catch (error) {
    throw translate(error, `cannot unlink shared-memory segment ${name}`);
  }
}

/** Creates a named pipe with exactly `mode`; `ERR_SHM_UNAVAILABLE` with the OS reason. */
export function createFifo(path: string, mode: number): void {
  const binding = loadBinding();
  try {
    binding.createFifo(path, mode);
  } catch (error) {
    throw translate(error, `cannot create doorbell ${path}`);
  }
}
