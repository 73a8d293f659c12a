import { ErrorCode, SeamlessError } from '@seamless/transport';
import { DATA_HEADER_SIZE, FRAME_HEADER_SIZE, FrameType, LENGTH_SIZE, MAX_CONTROL_FRAME_LENGTH, MAX_SEQUENCE_HIGH } from './wire-format.js';

const twoTo32 = 0x1_0000_0000;

/** Bit masks of frame types for {@link FrameDecoderOptions.accept}. */
export const FrameTypes = {
  /** What a publisher accepts first. */
  hello: 1 << FrameType.Hello,
  /** What a subscriber accepts first. */
  handshakeReply: (1 << FrameType.Welcome) | (1 << FrameType.Reject),
  /** What a subscriber accepts after the handshake. */
  subscriberStream: (1 << FrameType.Data) | (1 << FrameType.Heartbeat) | (1 << FrameType.Goodbye),
  /** What a publisher accepts after the handshake. */
  publisherStream: (1 << FrameType.Heartbeat) | (1 << FrameType.Goodbye),
} as const;

/** How a {@link FrameDecoder} is configured. */
export interface FrameDecoderOptions {
  /** Who sends the bytes, for error messages (`"127.0.0.1:4000"`). */
  readonly peer: string;
  /** The largest DATA payload accepted; a longer frame is `ERR_MESSAGE_TOO_LARGE`. */
  readonly maxMessageSize: number;
  /** Which frame types are valid (a mask of `1 << type`, see {@link FrameTypes}). */
  readonly accept: number;
  /**
   * Allocates the buffer into which a frame that straddles received chunks is assembled.
   * Never asked for more than `max(maxMessageSize, 512)` bytes. Injectable for tests.
   */
  readonly allocate?: (size: number) => Uint8Array;
}

function defaultAllocate(size: number): Uint8Array {
  return Buffer.allocUnsafe(size);
}

/**
 * Splits a byte stream (the chunks a socket delivers, cut anywhere) into frames, without
 * copying a frame that lies within one chunk and without ever concatenating the backlog: only
 * a frame that straddles chunks is assembled, into a buffer of exactly its size. A frame's
 * length and type are checked as soon as its first 5 bytes are here, before anything is
 * allocated or waited for.
 *
 * After {@link next} returns true, the frame is described by `type`, `sequence` (DATA only)
 * and the body bytes `buffer[start, end)` (for DATA: the payload); the view is valid until the
 * decoder is used again. Errors are `SeamlessError`s (`ERR_PROTOCOL`, `ERR_MESSAGE_TOO_LARGE`)
 * naming the peer; after one, the decoder is poisoned and throws it again.
 */
export class FrameDecoder {
  /** The type of the frame {@link next} returned. */
  type = 0;
  /** The sequence number of a DATA frame. */
  sequence = 0;
  /** The buffer holding the body of the frame {@link next} returned. */
  buffer: Uint8Array = new Uint8Array(0);
  /** Where the body starts in {@link buffer} (for DATA: the payload). */
  start = 0;
  /** Where the body ends in {@link buffer}. */
  end = 0;

  readonly #peer: string;
  readonly #maxMessageSize: number;
  readonly #allocate: (size: number) => Uint8Array;
  #accept: number;
  #dataAccepted: boolean;
  readonly #chunks: Uint8Array[] = [];
  #offset = 0;
  #buffered = 0;
  readonly #header = new Uint8Array(DATA_HEADER_SIZE);
  #failure: SeamlessError | undefined;

  constructor(options: FrameDecoderOptions) {
    this.#peer = options.peer;
    this.#maxMessageSize = options.maxMessageSize;
    this.#accept = options.accept;
    this.#dataAccepted = (options.accept & (1 << FrameType.Data)) !== 0;
    this.#allocate = options.allocate ?? defaultAllocate;
  }

  /** The bytes received and not yet decoded. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** The error that poisoned this decoder, if any. */
  get error(): SeamlessError | undefined {
    return this.#failure;
  }

  /** Changes which frame types are valid from now on (after a handshake). */
  setAccepted(mask: number): void {
    this.#accept = mask;
    this.#dataAccepted = (mask & (1 << FrameType.Data)) !== 0;
  }

  /** Appends received bytes. The decoder keeps a reference; do not modify them afterwards. */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
  }

  /** Forgets everything buffered (a partial frame left by a dead connection, for example). */
  discard(): void {
    this.#chunks.length = 0;
    this.#offset = 0;
    this.#buffered = 0;
  }

  /**
   * The type of the next frame when it is complete, 0 when it is not (yet). Throws, like
   * {@link next}, when the frame's header is invalid. Consumes nothing.
   */
  peekCompleteType(): number {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#buffered < FRAME_HEADER_SIZE) return 0;
    const length = this.#readHeader();
    const type = this.#header[4] ?? 0;
    this.#check(length, type);
    return this.#buffered >= LENGTH_SIZE + length ? type : 0;
  }

  /**
   * Decodes the next frame. Returns false when it has not fully arrived yet.
   *
   * @throws SeamlessError `ERR_PROTOCOL` for an unknown or unexpected type, a bad length or a
   *   sequence number beyond 2^53 - 1; `ERR_MESSAGE_TOO_LARGE` for a DATA payload longer than
   *   `maxMessageSize`.
   */
  next(): boolean {
    // The fast path, small enough to be inlined into poll(): a DATA frame that lies entirely
    // within the head chunk. Anything else (other types, frames across chunks, errors) takes
    // the general path, which checks everything again.
    const chunk = this.#chunks[0];
    if (chunk !== undefined && this.#failure === undefined) {
      const offset = this.#offset;
      const available = chunk.byteLength - offset;
      if (available >= DATA_HEADER_SIZE && chunk[offset + 4] === FrameType.Data && this.#dataAccepted) {
        const length =
          (chunk[offset] ?? 0) * 0x100_0000 +
          (((chunk[offset + 1] ?? 0) << 16) | ((chunk[offset + 2] ?? 0) << 8) | (chunk[offset + 3] ?? 0));
        const high =
          (((chunk[offset + 5] ?? 0) << 24) |
            ((chunk[offset + 6] ?? 0) << 16) |
            ((chunk[offset + 7] ?? 0) << 8) |
            (chunk[offset + 8] ?? 0)) >>>
          0;
        if (
          length >= DATA_HEADER_SIZE - LENGTH_SIZE &&
          length - (DATA_HEADER_SIZE - LENGTH_SIZE) <= this.#maxMessageSize &&
          available >= LENGTH_SIZE + length &&
          high <= MAX_SEQUENCE_HIGH
        ) {
          const low =
            (((chunk[offset + 9] ?? 0) << 24) |
              ((chunk[offset + 10] ?? 0) << 16) |
              ((chunk[offset + 11] ?? 0) << 8) |
              (chunk[offset + 12] ?? 0)) >>>
            0;
          const total = LENGTH_SIZE + length;
          this.type = FrameType.Data;
          this.sequence = high * twoTo32 + low;
          this.buffer = chunk;
          this.start = offset + DATA_HEADER_SIZE;
          this.end = offset + total;
          this.#buffered -= total;
          if (available === total) {
            this.#chunks.shift();
            this.#offset = 0;
          } else {
            this.#offset = offset + total;
          }
          return true;
        }
      }
    }
    return this.#nextFrame();
  }

  /** The general path of {@link next}. */
  #nextFrame(): boolean {
    if (this.#failure !== undefined) throw this.#failure;
    const chunk = this.#chunks[0];
    if (chunk === undefined || this.#buffered < FRAME_HEADER_SIZE) return false;
    const offset = this.#offset;
    let length: number;
    let type: number;
    if (chunk.byteLength - offset >= FRAME_HEADER_SIZE) {
      length =
        (chunk[offset] ?? 0) * 0x100_0000 + (((chunk[offset + 1] ?? 0) << 16) | ((chunk[offset + 2] ?? 0) << 8) | (chunk[offset + 3] ?? 0));
      type = chunk[offset + 4] ?? 0;
    } else {
      length = this.#readHeader();
      type = this.#header[4] ?? 0;
    }
    this.#check(length, type);
    const total = LENGTH_SIZE + length;
    if (this.#buffered < total) return false;
    const headerSize = type === FrameType.Data ? DATA_HEADER_SIZE : FRAME_HEADER_SIZE;
    if (chunk.byteLength - offset >= total) {
      // The whole frame is in one chunk: hand out a view.
      if (type === FrameType.Data) this.sequence = this.#readSequence(chunk, offset);
      this.type = type;
      this.buffer = chunk;
      this.start = offset + headerSize;
      this.end = offset + total;
      this.#advance(total);
      return true;
    }
    this.#copyOut(this.#header, headerSize);
    if (type === FrameType.Data) this.sequence = this.#readSequence(this.#header, 0);
    this.type = type;
    const bodyLength = total - headerSize;
    const head = this.#chunks[0];
    if (head !== undefined && head.byteLength - this.#offset >= bodyLength) {
      this.buffer = head;
      this.start = this.#offset;
      this.end = this.#offset + bodyLength;
      this.#advance(bodyLength);
    } else {
      const body = this.#allocate(bodyLength);
      this.#copyOut(body, bodyLength);
      this.buffer = body;
      this.start = 0;
      this.end = bodyLength;
    }
    return true;
  }

  #check(length: number, type: number): void {
    if (type > FrameType.Goodbye || ((1 << type) & this.#accept) === 0) {
      this.#fail(ErrorCode.Protocol, `unexpected frame type ${type}`, { type });
    }
    switch (type) {
      case FrameType.Data:
        if (length < DATA_HEADER_SIZE - LENGTH_SIZE) {
          this.#fail(ErrorCode.Protocol, `DATA frame length ${length} is shorter than its header`, { length });
        }
        if (length - (DATA_HEADER_SIZE - LENGTH_SIZE) > this.#maxMessageSize) {
          this.#fail(
            ErrorCode.MessageTooLarge,
            `message of ${length - (DATA_HEADER_SIZE - LENGTH_SIZE)} bytes exceeds maxMessageSize ${this.#maxMessageSize}`,
            { length: length - (DATA_HEADER_SIZE - LENGTH_SIZE), maxMessageSize: this.#maxMessageSize },
          );
        }
        return;
      case FrameType.Heartbeat:
      case FrameType.Goodbye:
        if (length !== 1) this.#fail(ErrorCode.Protocol, `frame type ${type} with length ${length}, expected 1`, { length });
        return;
      default:
        if (length < 2 || length > MAX_CONTROL_FRAME_LENGTH) {
          this.#fail(ErrorCode.Protocol, `handshake frame length ${length} is outside 2..${MAX_CONTROL_FRAME_LENGTH}`, { length });
        }
    }
  }

  #readSequence(bytes: Uint8Array, offset: number): number {
    const high =
      (((bytes[offset + 5] ?? 0) << 24) | ((bytes[offset + 6] ?? 0) << 16) | ((bytes[offset + 7] ?? 0) << 8) | (bytes[offset + 8] ?? 0)) >>>
      0;
    const low =
      (((bytes[offset + 9] ?? 0) << 24) |
        ((bytes[offset + 10] ?? 0) << 16) |
        ((bytes[offset + 11] ?? 0) << 8) |
        (bytes[offset + 12] ?? 0)) >>>
      0;
    if (high > MAX_SEQUENCE_HIGH) {
      this.#fail(ErrorCode.Protocol, 'sequence number exceeds 2^53 - 1', { high });
    }
    return high * twoTo32 + low;
  }

  /** Copies the first 5 buffered bytes into `header` without consuming; returns the length. */
  #readHeader(): number {
    let filled = 0;
    let offset = this.#offset;
    for (const chunk of this.#chunks) {
      while (offset < chunk.byteLength && filled < FRAME_HEADER_SIZE) {
        this.#header[filled++] = chunk[offset++] ?? 0;
      }
      if (filled === FRAME_HEADER_SIZE) break;
      offset = 0;
    }
    const header = this.#header;
    return (header[0] ?? 0) * 0x100_0000 + (((header[1] ?? 0) << 16) | ((header[2] ?? 0) << 8) | (header[3] ?? 0));
  }

  /** Moves `count` buffered bytes into `target` (from index 0), consuming them. */
  #copyOut(target: Uint8Array, count: number): void {
    let copied = 0;
    while (copied < count) {
      const chunk = this.#chunks[0];
      if (chunk === undefined) return;
      const take = Math.min(count - copied, chunk.byteLength - this.#offset);
      target.set(chunk.subarray(this.#offset, this.#offset + take), copied);
      copied += take;
      this.#advance(take);
    }
  }

  /** Consumes `count` bytes that lie within the head chunk. */
  #advance(count: number): void {
    this.#offset += count;
    this.#buffered -= count;
    if (this.#offset === this.#chunks[0]?.byteLength) {
      this.#chunks.shift();
      this.#offset = 0;
    }
  }

  #fail(code: ErrorCode, problem: string, details: Record<string, unknown>): never {
    this.#failure = new SeamlessError(code, `${this.#peer}: ${problem}`, {
      details: { peer: this.#peer, ...details },
    });
    this.discard();
    throw this.#failure;
  }
}
