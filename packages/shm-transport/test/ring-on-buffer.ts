import type { Message } from '@seamless/transport';
import { maxPayloadFor, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import { RingReader } from '../src/ring/ring-reader.js';
import type { RingReaderOptions } from '../src/ring/ring-reader.js';
import { RingWriter } from '../src/ring/ring-writer.js';
import { writeSegmentHeader } from '../src/ring/segment-header.js';

/** What {@link makeRing} takes: the ring's policy, size and history. */
export interface RingOnBufferOptions {
  readonly capacity: number;
  readonly latest?: boolean;
  /** Default: the most the capacity allows. */
  readonly maxPayload?: number;
  /** Records the writer retains (default 0). */
  readonly history?: number;
}

/**
 * The ring protocol on a plain ArrayBuffer laid out like a segment: the same code as over a
 * mapping, no addon. `reader()` joins a new reader (at the live tail unless `history`).
 */
export function makeRing(options: RingOnBufferOptions) {
  const { capacity, latest = false, maxPayload = maxPayloadFor(capacity), history = 0 } = options;
  const buffer = new ArrayBuffer(segmentBytesFor(capacity));
  writeSegmentHeader(buffer, {
    capacity,
    maxMessageSize: maxPayload,
    policy: latest ? 'latest' : 'reliable',
    writerPid: 1,
    writerPresence: '00'.repeat(8),
    writerDoorbell: 0,
    nonce: '00'.repeat(16),
    ownerUid: 0,
    segmentBytes: segmentBytesFor(capacity),
    publisherId: 'p',
    topic: 't',
    history,
  });
  const writer = new RingWriter(buffer, { capacity, maxPayload, latest, history });
  const reader = (more: Partial<Pick<RingReaderOptions, 'copy' | 'history'>> = {}) =>
    new RingReader(buffer, '/test', {
      capacity,
      maxPayload,
      latest,
      topic: 't',
      publisherId: 'p',
      copy: more.copy ?? false,
      retained: history,
      history: more.history ?? false,
      owner: { pid: 1, presence: '00'.repeat(8) },
    });
  return { buffer, writer, reader };
}

/** The payload of message `sequence`: `size` bytes that follow from the sequence number. */
export function payload(sequence: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let index = 0; index < size; index++) data[index] = (sequence + index * 13) & 255;
  return data;
}

/** Everything ready (up to `limit`), copied out. */
export function drain(reader: RingReader, limit = Number.POSITIVE_INFINITY) {
  const got: { seq: number; data: Uint8Array; lost: number }[] = [];
  reader.poll((message: Message) => got.push({ seq: message.seq, data: message.data.slice(), lost: message.lost }), limit);
  return got;
}
