import {
  MAX_ADVERTISEMENT_BYTES,
  MAX_TOPIC_BYTES,
  SeamlessError,
  parseAdvertisement,
  publisherIdProblem,
  topicPatternProblem,
  topicProblem,
} from '@seamless/transport';
import { canonicalJson } from '../checked-advertisement.js';
import { isIntegerIn } from '@seamless/transport';
import type { CheckedAdvertisement } from '../checked-advertisement.js';
import type { PublisherKey } from '../publisher-key.js';

/*
 * A MulticastResolver datagram: a 20-byte header, then a UTF-8 JSON payload. Integers are
 * big-endian.
 *
 *   0       4       5      6               8                       16              20
 *   +-------+-------+------+---------------+-----------------------+---------------+---------
 *   | magic |version| kind | payload length|       sender id       |   sequence    | payload
 *   | SMLR  |   2   | 1..4 |   (uint16)    |  (8 random bytes)     |   (uint32)    | (JSON)
 *   +-------+-------+------+---------------+-----------------------+---------------+---------
 *
 * kind 1, announce:  {"leaseMs":3500,"round":7,"advertisements":[{…},…]}
 *                    "these are mine; I live for leaseMs more"
 * kind 2, goodbye:   {"withdrawn":[{"topic":"md.AAPL","publisherId":"p-1"},…]} or {"all":true}
 * kind 3, query:     {"topic":"md.AAPL"}, {"topic":"md.>"} (every topic the pattern matches),
 *                    {} (every topic) or {"sender":"<16 hex>"} (all of one sender's)
 * kind 4, heartbeat: {"leaseMs":3500,"count":10000,"digest":123456789,"round":7,"running":false}
 *                    "I live for leaseMs more, and I have sent you exactly these"
 *
 * Compatibility. A pattern travels in a query's "topic": releases before patterns check that
 * field as a topic, refuse the wildcard and ignore the query (counted as invalid), so they can
 * never take it for a query of everything; they would, had it come in a field of its own,
 * since they ignored fields they did not know. This release reads queries strictly for the
 * same reason: a query with any other field is ignored and counted, not answered.
 *
 * The sender id names one resolver instance (a receiver ignores its own datagrams); the
 * sequence number counts that sender's datagrams, so a late announcement overtaken by a
 * goodbye is recognised as stale. The lease is the sender's: everything it announced lives
 * while its announcements or heartbeats keep coming. `count` and `digest` (see
 * advertisement-digest.ts) summarise what the sender has announced and not withdrawn; `round`
 * is its last completed re-announcement of everything (0: none yet) and `running` whether
 * another is under way.
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
 * The protocol version this package speaks (byte 4); datagrams of other versions are ignored
 * and counted as invalid. Version 2 (this one) batches announcements and renews them by a
 * per-sender heartbeat; version 1 announced every advertisement in its own datagram.
 *
 * @example
 * ```ts
 * const speaksOurs = bytes[4] === DATAGRAM_VERSION;
 * ```
 */
export const DATAGRAM_VERSION = 2;
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
/**
 * The size batches are filled to (header included): below the 1500-byte Ethernet MTU less
 * IPv4 and UDP headers, so a batch is never fragmented. An advertisement too large to share a
 * datagram goes alone, up to {@link MAX_DATAGRAM_BYTES}.
 */
export const BATCH_DATAGRAM_BYTES = 1400;
/**
 * The largest query, 287 bytes: the header and `{"topic":"…"}` around a topic or pattern at
 * its limit (255 bytes of UTF-8, none of whose characters JSON escapes). A pattern watch of a
 * MulticastResolver sends one such query when it starts (see the README's "Traffic of a
 * pattern watch").
 *
 * @example
 * ```ts
 * const perPatternWatch = MAX_QUERY_DATAGRAM_BYTES; // bytes sent, however many topics the LAN has
 * ```
 */
export const MAX_QUERY_DATAGRAM_BYTES = DATAGRAM_HEADER_BYTES + '{"topic":""}'.length + MAX_TOPIC_BYTES;
/** The shortest and longest lease a datagram may carry. */
export const MIN_ANNOUNCED_LEASE_MS = 100;
export const MAX_ANNOUNCED_LEASE_MS = 86_400_000;
/** The most entries one announcement or goodbye may carry. */
export const MAX_BATCH_ENTRIES = 256;
/** The largest `count` a heartbeat may claim. */
const maxCount = 100_000_000;

const kinds = { announce: 1, goodbye: 2, query: 3, heartbeat: 4 } as const;
const senderPattern = /^[0-9a-f]{16}$/;

interface Header {
  /** 16 hexadecimal digits. */
  readonly sender: string;
  readonly sequence: number;
}

/**
 * What a query asks for: one topic or every topic a pattern matches (`topic` holds either),
 * every topic, or everything one sender has.
 */
export type QueryScope = { readonly topic: string } | { readonly sender: string } | { readonly everything: true };

/** A datagram after validation. */
export type Datagram =
  | (Header & {
      readonly kind: 'announce';
      readonly leaseMs: number;
      readonly round: number;
      readonly advertisements: readonly CheckedAdvertisement[];
    })
  | (Header & { readonly kind: 'goodbye'; readonly withdrawn: readonly PublisherKey[] | 'all' })
  | (Header & { readonly kind: 'query'; readonly scope: QueryScope })
  | (Header & {
      readonly kind: 'heartbeat';
      readonly leaseMs: number;
      readonly count: number;
      readonly digest: number;
      readonly round: number;
      readonly running: boolean;
    });

/** The payload bytes of an announcement around advertisements of these JSON sizes in total. */
export function announcePayloadBytes(leaseMs: number, round: number, entries: number, jsonBytes: number): number {
  return `{"leaseMs":${leaseMs},"round":${round},"advertisements":[]}`.length + jsonBytes + Math.max(0, entries - 1);
}

/** The payload bytes of a goodbye withdrawing keys whose own JSON takes `jsonBytes` in total. */
export function goodbyePayloadBytes(entries: number, jsonBytes: number): number {
  return '{"withdrawn":[]}'.length + jsonBytes + Math.max(0, entries - 1);
}

/** The JSON of one withdrawn key, as a goodbye carries it. */
export function publisherKeyJson(key: PublisherKey): string {
  return JSON.stringify({ topic: key.topic, publisherId: key.publisherId });
}

/** Builds the bytes of a datagram. */
export function encodeDatagram(datagram: Datagram): Buffer {
  let payload: string;
  switch (datagram.kind) {
    case 'announce':
      payload =
        `{"leaseMs":${datagram.leaseMs},"round":${datagram.round >>> 0},"advertisements":[` +
        `${datagram.advertisements.map((checked) => checked.json).join(',')}]}`;
      break;
    case 'goodbye':
      payload = datagram.withdrawn === 'all' ? '{"all":true}' : `{"withdrawn":[${datagram.withdrawn.map(publisherKeyJson).join(',')}]}`;
      break;
    case 'query': {
      const { scope } = datagram;
      payload =
        'topic' in scope ? JSON.stringify({ topic: scope.topic }) : 'sender' in scope ? JSON.stringify({ sender: scope.sender }) : '{}';
      break;
    }
    case 'heartbeat':
      payload = JSON.stringify({
        leaseMs: datagram.leaseMs,
        count: datagram.count,
        digest: datagram.digest >>> 0,
        round: datagram.round >>> 0,
        running: datagram.running,
      });
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

type Decoded = Datagram | { readonly problem: string };

/**
 * Validates untrusted bytes: size, header (magic, version, kind, length), UTF-8 JSON and the
 * payload of the kind (`parseAdvertisement` for every announced advertisement). Never throws;
 * returns the problem instead.
 */
export function decodeDatagram(bytes: Uint8Array): Decoded {
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
    case kinds.announce:
      return decodeAnnounce(header, record);
    case kinds.goodbye:
      return decodeGoodbye(header, record);
    case kinds.query:
      return decodeQuery(header, record);
    case kinds.heartbeat:
      return decodeHeartbeat(header, record);
    default:
      return { problem: `unknown kind ${kindCode}` };
  }
}

function decodeAnnounce(header: Header, record: Record<string, unknown>): Decoded {
  const leaseProblem = checkLease('announcement', record['leaseMs']);
  if (leaseProblem !== undefined) return { problem: leaseProblem };
  const round = record['round'];
  if (!isIntegerIn(round, 0, 0xffffffff)) return { problem: 'announcement round must be a uint32' };
  const list = record['advertisements'];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_ENTRIES) {
    return { problem: `announcement advertisements must be an array of 1 to ${MAX_BATCH_ENTRIES}` };
  }
  const advertisements: CheckedAdvertisement[] = [];
  for (const [index, value] of list.entries()) {
    try {
      const advertisement = parseAdvertisement(value);
      advertisements.push({ advertisement, json: canonicalJson(advertisement) });
    } catch (error) {
      if (!SeamlessError.isInstance(error)) throw error;
      return { problem: `announcement ${index}: ${error.message}` };
    }
  }
  return { ...header, kind: 'announce', leaseMs: record['leaseMs'] as number, round: round, advertisements };
}

function decodeGoodbye(header: Header, record: Record<string, unknown>): Decoded {
  if (record['all'] === true && Object.keys(record).length === 1) return { ...header, kind: 'goodbye', withdrawn: 'all' };
  const list = record['withdrawn'];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_ENTRIES) {
    return { problem: `goodbye must be {"all":true} or withdraw 1 to ${MAX_BATCH_ENTRIES} publishers` };
  }
  const withdrawn: PublisherKey[] = [];
  for (const value of list) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { problem: 'goodbye: each withdrawn entry must be an object' };
    const { topic, publisherId } = value as Record<string, unknown>;
    if (topicProblem(topic) !== undefined) return { problem: 'goodbye: topic is not a valid topic name' };
    const publisherIdIssue = publisherIdProblem(publisherId);
    if (publisherIdIssue !== undefined) return { problem: `goodbye: publisherId ${publisherIdIssue}` };
    withdrawn.push({ topic: topic as string, publisherId: publisherId as string });
  }
  return { ...header, kind: 'goodbye', withdrawn };
}

function decodeQuery(header: Header, record: Record<string, unknown>): Decoded {
  const unknown = Object.keys(record).find((field) => field !== 'topic' && field !== 'sender');
  if (unknown !== undefined) return { problem: `query: unknown field ${JSON.stringify(unknown.slice(0, 32))} (another kind of query)` };
  const { topic, sender } = record;
  if (topic !== undefined && sender !== undefined) return { problem: 'query: ask for a topic or a sender, not both' };
  if (topic !== undefined) {
    if (topicPatternProblem(topic) !== undefined) return { problem: 'query: topic is not a valid topic name or pattern' };
    return { ...header, kind: 'query', scope: { topic: topic as string } };
  }
  if (sender !== undefined) {
    if (typeof sender !== 'string' || !senderPattern.test(sender)) return { problem: 'query: sender must be 16 lowercase hex digits' };
    return { ...header, kind: 'query', scope: { sender } };
  }
  return { ...header, kind: 'query', scope: { everything: true } };
}

function decodeHeartbeat(header: Header, record: Record<string, unknown>): Decoded {
  const leaseProblem = checkLease('heartbeat', record['leaseMs']);
  if (leaseProblem !== undefined) return { problem: leaseProblem };
  const { count, digest, round, running } = record;
  if (!isIntegerIn(count, 0, maxCount)) return { problem: `heartbeat count must be an integer from 0 to ${maxCount}` };
  if (!isIntegerIn(digest, 0, 0xffffffff)) return { problem: 'heartbeat digest must be a uint32' };
  if (!isIntegerIn(round, 0, 0xffffffff)) return { problem: 'heartbeat round must be a uint32' };
  if (typeof running !== 'boolean') return { problem: 'heartbeat running must be a boolean' };
  return {
    ...header,
    kind: 'heartbeat',
    leaseMs: record['leaseMs'] as number,
    count: count,
    digest: digest,
    round: round,
    running,
  };
}

function checkLease(what: string, leaseMs: unknown): string | undefined {
  if (isIntegerIn(leaseMs, MIN_ANNOUNCED_LEASE_MS, MAX_ANNOUNCED_LEASE_MS)) return undefined;
  return `${what} leaseMs must be an integer from ${MIN_ANNOUNCED_LEASE_MS} to ${MAX_ANNOUNCED_LEASE_MS}`;
}
