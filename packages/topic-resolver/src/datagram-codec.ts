import { MAX_ADVERTISEMENT_BYTES, SeamlessError, parseAdvertisement, topicProblem } from '@seamless/transport';
import { canonicalJson } from './checked-advertisement.js';
import type { CheckedAdvertisement } from './checked-advertisement.js';

/*
 * A MulticastResolver datagram: a 20-byte header, then a UTF-8 JSON payload. Integers are
 * big-endian.
 *
 *   0       4       5      6               8                       16              20
 *   +-------+-------+------+---------------+-----------------------+---------------+---------
 *   | magic |version| kind | payload length|       sender id       |   sequence    | payload
 *   | SMLR  |   1   |1|2|3 |   (uint16)    |  (8 random bytes)     |   (uint32)    | (JSON)
 *   +-------+-------+------+---------------+-----------------------+---------------+---------
 *
 * kind 1, announce: {"leaseMs":3500,"advertisement":{…}}  "this is alive for leaseMs more"
 * kind 2, goodbye:  {"topic":"md.AAPL","publisherId":"p-1"}  "withdrawn"
 * kind 3, query:    {"topic":"md.AAPL"} or {} for every topic  "announce what you have"
 *
 * The sender id names one resolver instance (a receiver ignores its own datagrams); the
 * sequence number counts that sender's datagrams, so a late announcement overtaken by a
 * goodbye is recognised as stale.
 */

/**
 * The first four bytes of every datagram: ASCII "SMLR" (see the README for the whole format).
 *
 * @example
 * ```ts
 * const ours = bytes.length >= 4 && bytes.readUInt32BE(0) === DATAGRAM_MAGIC;
 * ```
 */
export const DATAGRAM_MAGIC = 0x534d4c52;
/**
 * The protocol version this package speaks (byte 4); datagrams of other versions are ignored.
 *
 * @example
 * ```ts
 * const speaksOurs = bytes[4] === DATAGRAM_VERSION;
 * ```
 */
export const DATAGRAM_VERSION = 1;
/**
 * Bytes before the JSON payload.
 *
 * @example
 * ```ts
 * const payload = JSON.parse(bytes.subarray(DATAGRAM_HEADER_BYTES).toString('utf8'));
 * ```
 */
export const DATAGRAM_HEADER_BYTES = 20;
/**
 * The largest datagram sent or accepted: the header, an advertisement at its limit, the
 * envelope. Larger datagrams are counted as invalid and ignored.
 *
 * @example
 * ```ts
 * if (bytes.byteLength > MAX_DATAGRAM_BYTES) dropped += 1;
 * ```
 */
export const MAX_DATAGRAM_BYTES = DATAGRAM_HEADER_BYTES + MAX_ADVERTISEMENT_BYTES + 256;
/** The shortest and longest lease an announcement may carry. */
export const MIN_ANNOUNCED_LEASE_MS = 100;
export const MAX_ANNOUNCED_LEASE_MS = 86_400_000;

const kinds = { announce: 1, goodbye: 2, query: 3 } as const;
const publisherIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

interface Header {
  /** 16 hexadecimal digits. */
  readonly sender: string;
  readonly sequence: number;
}

/** A datagram after validation. */
export type Datagram =
  | (Header & { readonly kind: 'announce'; readonly leaseMs: number; readonly checked: CheckedAdvertisement })
  | (Header & { readonly kind: 'goodbye'; readonly topic: string; readonly publisherId: string })
  | (Header & { readonly kind: 'query'; readonly topic: string | undefined });

/** Builds the bytes of a datagram. */
export function encodeDatagram(datagram: Datagram): Buffer {
  let payload: string;
  switch (datagram.kind) {
    case 'announce':
      payload = `{"leaseMs":${datagram.leaseMs},"advertisement":${datagram.checked.json}}`;
      break;
    case 'goodbye':
      payload = JSON.stringify({ topic: datagram.topic, publisherId: datagram.publisherId });
      break;
    case 'query':
      payload = datagram.topic === undefined ? '{}' : JSON.stringify({ topic: datagram.topic });
      break;
  }
  const body = Buffer.from(payload, 'utf8');
  const bytes = Buffer.alloc(DATAGRAM_HEADER_BYTES + body.byteLength);
  bytes.writeUInt32BE(DATAGRAM_MAGIC, 0);
  bytes.writeUInt8(DATAGRAM_VERSION, 4);
  bytes.writeUInt8(kinds[datagram.kind], 5);
  bytes.writeUInt16BE(body.byteLength, 6);
  bytes.write(datagram.sender, 8, 8, 'hex');
  bytes.writeUInt32BE(datagram.sequence >>> 0, 16);
  body.copy(bytes, DATAGRAM_HEADER_BYTES);
  return bytes;
}

/**
 * Validates untrusted bytes: size, header (magic, version, kind, length), UTF-8 JSON and the
 * payload of the kind (`parseAdvertisement` for announcements). Never throws; returns the
 * problem instead.
 */
export function decodeDatagram(bytes: Uint8Array): Datagram | { readonly problem: string } {
  if (bytes.byteLength > MAX_DATAGRAM_BYTES) {
    return { problem: `datagram of ${bytes.byteLength} bytes, the limit is ${MAX_DATAGRAM_BYTES}` };
  }
  if (bytes.byteLength < DATAGRAM_HEADER_BYTES) return { problem: `datagram of ${bytes.byteLength} bytes is shorter than the header` };
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.readUInt32BE(0) !== DATAGRAM_MAGIC) return { problem: 'bad magic (not a Seamless resolver datagram)' };
  const version = view.readUInt8(4);
  if (version !== DATAGRAM_VERSION) return { problem: `unsupported version ${version} (this resolver speaks ${DATAGRAM_VERSION})` };
  const kindCode = view.readUInt8(5);
  const length = view.readUInt16BE(6);
  if (DATAGRAM_HEADER_BYTES + length !== bytes.byteLength) {
    return { problem: `payload length ${length} does not match the datagram size ${bytes.byteLength}` };
  }
  const header: Header = { sender: view.toString('hex', 8, 16), sequence: view.readUInt32BE(16) };
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(view.subarray(DATAGRAM_HEADER_BYTES)));
  } catch (error) {
    return { problem: `payload is not UTF-8 JSON (${(error as Error).message})` };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { problem: 'payload is not a JSON object' };
  const record = payload as Record<string, unknown>;
  switch (kindCode) {
    case kinds.announce: {
      const leaseMs = record['leaseMs'];
      if (
        typeof leaseMs !== 'number' ||
        !Number.isInteger(leaseMs) ||
        leaseMs < MIN_ANNOUNCED_LEASE_MS ||
        leaseMs > MAX_ANNOUNCED_LEASE_MS
      ) {
        return { problem: `announcement leaseMs must be an integer from ${MIN_ANNOUNCED_LEASE_MS} to ${MAX_ANNOUNCED_LEASE_MS}` };
      }
      try {
        const advertisement = parseAdvertisement(record['advertisement']);
        return { ...header, kind: 'announce', leaseMs, checked: { advertisement, json: canonicalJson(advertisement) } };
      } catch (error) {
        if (!SeamlessError.isInstance(error)) throw error;
        return { problem: `announcement: ${error.message}` };
      }
    }
    case kinds.goodbye: {
      const { topic, publisherId } = record;
      if (topicProblem(topic) !== undefined) return { problem: 'goodbye: topic is not a valid topic name' };
      if (typeof publisherId !== 'string' || !publisherIdPattern.test(publisherId)) {
        return { problem: 'goodbye: publisherId must match [A-Za-z0-9_-]{1,64}' };
      }
      return { ...header, kind: 'goodbye', topic: topic as string, publisherId };
    }
    case kinds.query: {
      const { topic } = record;
      if (topic !== undefined && topicProblem(topic) !== undefined) return { problem: 'query: topic is not a valid topic name' };
      return { ...header, kind: 'query', topic: topic as string | undefined };
    }
    default:
      return { problem: `unknown kind ${kindCode}` };
  }
}
