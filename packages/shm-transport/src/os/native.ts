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

/** The raw surface of the production addon. TypeScript code goes through the functions below. */
export interface NativeBinding {
  readonly Segment: {
    create(name: string, bytes: number, mode: number): NativeSegment;
    open(name: string, expectedUid: number, minBytes: number, maxBytes: number): NativeSegment;
    unlink(name: string): boolean;
  };
  readonly descriptor: Readonly<Record<string, number | string>>;
  createFifo(path: string, mode: number): void;
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
