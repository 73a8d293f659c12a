import { ErrorCode, MAX_HISTORY, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy } from '@seamless/transport';
import { HeaderWord } from './header-words.js';
import { readPresence, writePresence } from './presence-field.js';
import { RingDescriptor as D, maxPayloadFor, segmentBytesFor } from './ring-descriptor.js';

/** The static facts of a segment, as its creator wrote them. */
export interface SegmentHeader {
  readonly capacity: number;
  readonly maxMessageSize: number;
  readonly policy: DeliveryPolicy;
  /** For people only: it may be a pid of another PID namespace. */
  readonly writerPid: number;
  /** The writer process's presence token (16 hexadecimal digits). */
  readonly writerPresence: string;
  /** The writer process's doorbell id. */
  readonly writerDoorbell: number;
  /** 32 lowercase hex digits. */
  readonly nonce: string;
  readonly ownerUid: number;
  readonly segmentBytes: number;
  readonly publisherId: string;
  readonly topic: string;
  /** How many of its latest records the writer retains for readers that join later (0: none). */
  readonly history: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Writes the static header of a freshly created (all-zero) segment and marks it ready last,
 * with `Atomics.store`, so a reader that sees `state = ready` sees the whole header.
 */
export function writeSegmentHeader(buffer: ArrayBuffer, header: SegmentHeader): void {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  bytes.set(encoder.encode(D.magic), D.magicOffset);
  view.setUint32(D.layoutVersionOffset, D.layoutVersion, true);
  view.setUint32(D.headerBytesOffset, D.ringOffset, true);
  view.setUint32(D.capacityOffset, header.capacity, true);
  view.setUint32(D.maxMessageSizeOffset, header.maxMessageSize, true);
  view.setUint32(D.policyOffset, header.policy === 'latest' ? D.policyLatest : D.policyReliable, true);
  view.setUint32(D.readerSlotCountOffset, D.readerSlotCount, true);
  view.setUint32(D.writerPidOffset, header.writerPid, true);
  writePresence(bytes, D.writerPresenceOffset, header.writerPresence);
  view.setUint32(D.writerDoorbellOffset, header.writerDoorbell, true);
  view.setUint32(D.historyOffset, header.history, true);
  bytes.set(hexToBytes(header.nonce), D.nonceOffset);
  view.setUint32(D.ownerUidOffset, header.ownerUid, true);
  view.setUint32(D.segmentBytesOffset, header.segmentBytes, true);
  const publisherId = encoder.encode(header.publisherId);
  const topic = encoder.encode(header.topic);
  view.setUint32(D.publisherIdLengthOffset, publisherId.length, true);
  view.setUint32(D.topicLengthOffset, topic.length, true);
  bytes.set(publisherId, D.publisherIdOffset);
  bytes.set(topic, D.topicOffset);
  Atomics.store(new Int32Array(buffer), HeaderWord.State, D.stateReady);
}

/**
 * Reads and validates the header of a segment someone else created. Every field is read
 * once into a local and checked before use; anything implausible is `ERR_PROTOCOL`.
 */
export function readSegmentHeader(buffer: ArrayBuffer, name: string): SegmentHeader {
  const fail = (problem: string): never => {
    throw new SeamlessError(ErrorCode.Protocol, `shared-memory segment ${name} is not usable: ${problem}`, {
      details: { segment: name, problem },
    });
  };
  if (buffer.byteLength < D.ringOffset + D.minCapacity) fail(`only ${buffer.byteLength} bytes`);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const state = Atomics.load(new Int32Array(buffer), HeaderWord.State);
  if (state !== D.stateReady && state !== D.stateClosed) fail('its header is not initialised');
  let magic = '';
  for (let index = 0; index < 8; index++) magic += String.fromCharCode(bytes[D.magicOffset + index] ?? 0);
  if (magic !== D.magic) fail('bad magic');
  const version = view.getUint32(D.layoutVersionOffset, true);
  if (version !== D.layoutVersion) fail(`layout version ${version}, this build reads ${D.layoutVersion}`);
  if (view.getUint32(D.headerBytesOffset, true) !== D.ringOffset) fail('bad header size');
  const capacity = view.getUint32(D.capacityOffset, true);
  if (capacity < D.minCapacity || capacity > D.maxCapacity || (capacity & (capacity - 1)) !== 0) {
    fail(`bad capacity ${capacity}`);
  }
  const segmentBytes = view.getUint32(D.segmentBytesOffset, true);
  if (segmentBytes !== segmentBytesFor(capacity) || buffer.byteLength !== segmentBytes) {
    fail(`size ${buffer.byteLength} does not match capacity ${capacity}`);
  }
  const maxMessageSize = view.getUint32(D.maxMessageSizeOffset, true);
  if (maxMessageSize > maxPayloadFor(capacity)) fail(`max message size ${maxMessageSize} too large for the ring`);
  const policyValue = view.getUint32(D.policyOffset, true);
  if (policyValue !== D.policyReliable && policyValue !== D.policyLatest) fail(`bad policy ${policyValue}`);
  if (view.getUint32(D.readerSlotCountOffset, true) !== D.readerSlotCount) fail('bad reader slot count');
  const history = view.getUint32(D.historyOffset, true);
  if (history > MAX_HISTORY) fail(`history ${history} beyond ${MAX_HISTORY}`);
  const publisherIdLength = view.getUint32(D.publisherIdLengthOffset, true);
  const topicLength = view.getUint32(D.topicLengthOffset, true);
  if (publisherIdLength === 0 || publisherIdLength > D.publisherIdBytes) fail('bad publisher id length');
  if (topicLength === 0 || topicLength > D.topicBytes) fail('bad topic length');
  let publisherId = '';
  let topic = '';
  try {
    publisherId = decoder.decode(bytes.subarray(D.publisherIdOffset, D.publisherIdOffset + publisherIdLength));
    topic = decoder.decode(bytes.subarray(D.topicOffset, D.topicOffset + topicLength));
  } catch {
    fail('names are not UTF-8');
  }
  return {
    capacity,
    maxMessageSize,
    policy: policyValue === D.policyLatest ? 'latest' : 'reliable',
    writerPid: view.getUint32(D.writerPidOffset, true),
    writerPresence: readPresence(bytes, D.writerPresenceOffset),
    writerDoorbell: view.getUint32(D.writerDoorbellOffset, true),
    nonce: bytesToHex(bytes.subarray(D.nonceOffset, D.nonceOffset + D.nonceBytes)),
    ownerUid: view.getUint32(D.ownerUidOffset, true),
    segmentBytes,
    publisherId,
    topic,
    history,
  };
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let index = 0; index < out.length; index++) out[index] = parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
