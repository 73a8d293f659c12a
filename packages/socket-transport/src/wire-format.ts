/*
 * The wire format of protocol version 1: layout only (offsets, sizes, codes). Encoding and
 * decoding live in frame-encoder.ts, frame-decoder.ts and handshake.ts. All integers are
 * unsigned big-endian.
 *
 * Every frame, in both directions:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |        length: bytes after this field (type + body)            |  uint32
 *   +---------------+-----------------------------------------------+
 *   |     type      |  body (length - 1 bytes) ...                   |  uint8
 *   +---------------+-----------------------------------------------+
 *
 * DATA (publisher -> subscriber), type 4:
 *
 *   +------------------+--------+--------------------+-------------------+------------+
 *   | length = 9 + n   | type 4 | sequence high 32   | sequence low 32   | payload, n |
 *   | 4 bytes          | 1 byte | 4 bytes            | 4 bytes           | bytes      |
 *   +------------------+--------+--------------------+-------------------+------------+
 *   the sequence is high * 2^32 + low; high <= 0x1FFFFF keeps it a safe integer.
 *
 * HELLO (subscriber -> publisher, first frame of a connection), type 1:
 *   magic "SMLS" (4) | version (1) | flags = 0 (1) | heartbeat timeout ms (4)
 *   | topic length (1) | topic, UTF-8 | publisher id length (1) | publisher id, ASCII
 *
 * WELCOME (publisher -> subscriber, accepts the HELLO), type 2:
 *   magic "SMLS" (4) | version (1) | policy: 0 reliable, 1 latest (1)
 *   | heartbeat timeout ms (4) | max message size (4)
 *
 * REJECT (publisher -> subscriber, then the publisher closes), type 3:
 *   magic "SMLS" (4) | version (1) | reason (1) | explanation, UTF-8 (rest, <= 255 bytes)
 *
 * HEARTBEAT (both directions, when idle), type 5, and GOODBYE (publisher -> subscriber: the
 * publication closed for good; subscriber -> publisher: unsubscribing), type 6: no body.
 */

/** The 4 bytes every handshake frame starts with: ASCII "SMLS". */
export const MAGIC = Uint8Array.of(0x53, 0x4d, 0x4c, 0x53);
/**
 * The wire protocol version this package speaks (in every HELLO and WELCOME). A publisher
 * answers a HELLO of another version with a REJECT that names its own.
 *
 * @example
 * ```ts
 * import { PROTOCOL_VERSION } from '@seamless/socket-transport';
 *
 * console.log(`speaking Seamless TCP protocol v${PROTOCOL_VERSION}`);
 * ```
 */
export const PROTOCOL_VERSION = 1;

/** The frame types. */
export const FrameType = {
  Hello: 1,
  Welcome: 2,
  Reject: 3,
  Data: 4,
  Heartbeat: 5,
  Goodbye: 6,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Offset of the uint32 length field. */
export const LENGTH_OFFSET = 0;
/** Size of the length field. */
export const LENGTH_SIZE = 4;
/** Offset of the type byte. */
export const TYPE_OFFSET = 4;
/** Length field + type byte. */
export const FRAME_HEADER_SIZE = 5;

/** Offset of the high 32 bits of a DATA frame's sequence number. */
export const SEQUENCE_HIGH_OFFSET = 5;
/** Offset of the low 32 bits of a DATA frame's sequence number. */
export const SEQUENCE_LOW_OFFSET = 9;
/** Everything of a DATA frame before the payload. */
export const DATA_HEADER_SIZE = 13;
/** The largest `high` word that keeps a sequence number a safe integer (2^53 - 1). */
export const MAX_SEQUENCE_HIGH = 0x1fffff;

/** The largest length field of a HELLO, WELCOME or REJECT frame. */
export const MAX_CONTROL_FRAME_LENGTH = 512;
/** The largest explanation text a REJECT frame carries, in bytes. */
export const MAX_REJECT_TEXT_BYTES = 255;

/** Offsets inside the body (after the type byte) of handshake frames. */
export const HandshakeLayout = {
  magic: 0,
  version: 4,
  /** HELLO: flags; WELCOME: policy; REJECT: reason. */
  detail: 5,
  /** HELLO and WELCOME. */
  heartbeatTimeout: 6,
  /** HELLO: topic length byte. */
  helloTopicLength: 10,
  /** WELCOME: max message size. */
  welcomeMaxMessageSize: 10,
  /** The fixed part of a WELCOME body. */
  welcomeSize: 14,
  /** REJECT: where the explanation starts. */
  rejectText: 6,
} as const;

/** Why a publisher refused a HELLO. */
export const RejectReason = {
  /** No publication with that publisher id on this listener (it closed, or never existed here). */
  UnknownPublisher: 1,
  /** The publisher id exists but serves another topic. */
  TopicMismatch: 2,
  /** The publisher does not speak the subscriber's protocol version. */
  UnsupportedVersion: 3,
  /** The HELLO was malformed. */
  MalformedHello: 4,
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** Policy codes in WELCOME frames. */
export const PolicyCode = { reliable: 0, latest: 1 } as const;
