import { randomBytes } from 'node:crypto';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type {
  DeliveryPolicy,
  Endpoints,
  Publication,
  PublicationListener,
  PublicationLoan,
  PublicationOptions,
} from '@seamless/transport';
import { createSegment, unlinkSegment } from './native.js';
import type { NativeSegment } from './native.js';
import { ownProcessStartTime } from './process-start-time.js';
import { RingDescriptor as D, maxPayloadFor, segmentBytesFor } from './ring-descriptor.js';
import { RingWriter } from './ring-writer.js';
import { writeSegmentHeader } from './segment-header.js';

/** How a publication's segment is made; resolved from the transport options. */
export interface SegmentSettings {
  /** Ring bytes (a power of two); raised when `maxMessageSize` needs more. */
  readonly capacity: number;
  /** Permission bits of the segment (default 0o600). */
  readonly mode: number;
  /** The prefix of segment names: `/<prefix>-<uid>-<random>`. */
  readonly namePrefix: string;
  readonly uid: number;
}

/** The ring capacity that fits `maxMessageSize`: at least `capacity`, a power of two. */
export function capacityFor(maxMessageSize: number, capacity: number): number {
  let result = capacity;
  while (maxPayloadFor(result) < maxMessageSize) result *= 2;
  return result;
}

/**
 * One publisher's ring in its own POSIX shared-memory segment. `send` writes straight into
 * the mapped ring from TypeScript: no system call and no allocation per message.
 */
export class ShmPublication implements Publication {
  readonly kind = 'shm' as const;
  readonly topic: string;
  readonly publisherId: string;
  readonly policy: DeliveryPolicy;
  readonly maxMessageSize: number;
  readonly endpoints: Endpoints;
  /** The segment name (`/seamless-<uid>-<random>`). */
  readonly segmentName: string;
  /** Ring bytes. */
  readonly capacity: number;
  readonly #segment: NativeSegment;
  readonly #writer: RingWriter;
  readonly #words: Int32Array;
  readonly #listener: PublicationListener | undefined;
  #closed = false;

  constructor(options: PublicationOptions, settings: SegmentSettings, listener?: PublicationListener) {
    this.topic = options.topic;
    this.publisherId = options.publisherId;
    this.policy = options.policy;
    this.maxMessageSize = options.maxMessageSize;
    this.capacity = capacityFor(options.maxMessageSize, settings.capacity);
    if (this.capacity > D.maxCapacity) {
      throw new SeamlessError(
        ErrorCode.MessageTooLarge,
        `maxMessageSize ${options.maxMessageSize} needs a ring larger than ${D.maxCapacity} bytes`,
      );
    }
    this.#listener = listener;
    const nonce = randomBytes(16).toString('hex');
    this.segmentName = `/${settings.namePrefix}-${settings.uid}-${randomBytes(8).toString('hex')}`;
    const bytes = segmentBytesFor(this.capacity);
    this.#segment = createSegment(this.segmentName, bytes, settings.mode);
    const buffer = this.#segment.buffer;
    if (buffer === undefined) throw new SeamlessError(ErrorCode.ShmUnavailable, 'the new segment has no mapping');
    writeSegmentHeader(buffer, {
      capacity: this.capacity,
      maxMessageSize: this.maxMessageSize,
      policy: this.policy,
      writerPid: process.pid,
      writerStartTime: ownProcessStartTime(),
      nonce,
      ownerUid: settings.uid,
      segmentBytes: bytes,
      publisherId: this.publisherId,
      topic: this.topic,
    });
    this.#words = new Int32Array(buffer);
    this.#writer = new RingWriter(buffer, this.capacity, this.maxMessageSize, this.policy === 'latest');
    this.endpoints = Object.freeze({ shm: Object.freeze({ segment: this.segmentName, nonce }) });
  }

  /** Readers attached right now (active reader slots). */
  get subscriberCount(): number {
    if (this.#closed) return 0;
    let count = 0;
    for (let slot = 0; slot < D.readerSlotCount; slot++) {
      const index = (D.readerSlotsOffset + slot * D.readerSlotBytes + D.slotStateOffset) >> 2;
      if (Atomics.load(this.#words, index) === D.slotActive) count++;
    }
    return count;
  }

  /** Whether the publication was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  canSend(length: number): boolean {
    return !this.#closed && length <= this.maxMessageSize && !this.#writer.claimed && this.#writer.canWrite(length);
  }

  send(data: Uint8Array, sequence: number): boolean {
    if (this.#closed) this.#fail(ErrorCode.Closed, 'is closed');
    if (!(data instanceof Uint8Array)) this.#fail(ErrorCode.InvalidArgument, 'can only send a Uint8Array');
    if (data.length > this.maxMessageSize) this.#tooLarge(data.length);
    if (this.#writer.claimed) this.#fail(ErrorCode.InvalidArgument, 'has a loan outstanding: commit or abort it first');
    return this.#writer.write(data, sequence);
  }

  loan(size: number): PublicationLoan | undefined {
    if (this.#closed) this.#fail(ErrorCode.Closed, 'is closed');
    if (!Number.isInteger(size) || size < 0) this.#fail(ErrorCode.InvalidArgument, `cannot loan ${String(size)} bytes`);
    if (size > this.maxMessageSize) this.#tooLarge(size);
    if (this.#writer.claimed) this.#fail(ErrorCode.InvalidArgument, 'has a loan outstanding: commit or abort it first');
    const claim = this.#writer.claim(size);
    const buffer = this.#segment.buffer;
    if (claim === undefined || buffer === undefined) return undefined;
    const writer = this.#writer;
    let open = true;
    const finish = (): void => {
      if (!open) throw new SeamlessError(ErrorCode.InvalidArgument, 'this loan was already committed or aborted');
      open = false;
    };
    return {
      data: new Uint8Array(buffer, claim.payloadOffset, size),
      commit: (sequence: number, length = size) => {
        finish();
        if (!Number.isInteger(length) || length < 0 || length > size) {
          writer.abortClaim();
          throw new SeamlessError(ErrorCode.InvalidArgument, `commit length ${String(length)} is not within 0..${size}`);
        }
        if (this.#closed) return;
        writer.commitClaim(length, sequence);
      },
      abort: () => {
        finish();
        writer.abortClaim();
      },
    };
  }

  async drained(length = this.maxMessageSize, signal?: AbortSignal): Promise<void> {
    // Replaced by the doorbell wake-up in part 2; until then the room is checked on a
    // one-millisecond timer.
    while (!this.canSend(length)) {
      if (this.#closed) this.#fail(ErrorCode.Closed, 'was closed while waiting for room');
      if (signal?.aborted === true) throw new SeamlessError(ErrorCode.Aborted, 'drained() was aborted');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Marks the ring closed for its readers, removes the segment name and unmaps it. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#segment.buffer !== undefined) Atomics.store(this.#words, D.stateOffset >> 2, D.stateClosed);
    try {
      unlinkSegment(this.segmentName);
    } finally {
      this.#segment.close();
      this.#listener?.subscribersChanged?.(0);
    }
    return Promise.resolve();
  }

  #tooLarge(length: number): never {
    throw new SeamlessError(
      ErrorCode.MessageTooLarge,
      `message of ${length} bytes exceeds maxMessageSize ${this.maxMessageSize} of publication "${this.topic}"`,
      { details: { length, maxMessageSize: this.maxMessageSize } },
    );
  }

  #fail(code: SeamlessError['code'], problem: string): never {
    throw new SeamlessError(code, `shared-memory publication "${this.topic}" ${problem}`);
  }
}
