/*
 * The wire format of protocol version 2: layout only (offsets, sizes, codes). Encoding and
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
 *   magic "SMLS" (4) | version (1) | start: 0 live, 1 oldest retained, 2 from sequence (1)
 *   | heartbeat timeout ms (4) | start sequence high, low (4 + 4; 0 unless start = 2)
 *   | subscriber pid (4; 0: not given)
 *   | topic length (1) | topic, UTF-8 | publisher id length (1) | publisher id, ASCII
 *   | host name length (1, <= 128) | host name, UTF-8 without control characters
 *
 * WELCOME (publisher -> subscriber, accepts the HELLO), type 2:
 *   magic "SMLS" (4) | version (1) | policy: 0 reliable, 1 latest (1)
 *   | heartbeat timeout ms (4) | max message size (4)
 *   | first sequence known: 0 no, 1 yes (1) | first sequence high, low (4 + 4; 0 when not known)
 *
 * REJECT (publisher -> subscriber, then the publisher closes), type 3:
 *   magic "SMLS" (4) | version (1) | reason (1) | explanation, UTF-8 (rest, <= 255 bytes)
 *   (the same layout in every version, so that any peer can read why it was refused)
 *
 * HEARTBEAT (both directions, when idle), type 5, and GOODBYE (publisher -> subscriber: the
 * publication closed for good; subscriber -> publisher: unsubscribing), type 6: no body.
 *
 * Version 1 had no start, pid or host name in HELLO and no first sequence in WELCOME. The
 * longest HELLO of version 2 (length field 473) stays within version 1's limit on handshake
 * frames (512), so a publisher of version 1 reads its version byte and answers with a REJECT
 * naming both versions, as one of version 2 answers a HELLO of version 1.
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
export const PROTOCOL_VERSION = 2;

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
/** The longest subscriber host name a HELLO carries, in bytes of UTF-8 (longer ones are cut). */
export const MAX_HOSTNAME_BYTES = 128;

/** Offsets inside the body (after the type byte) of handshake frames. */
export const HandshakeLayout = {
  magic: 0,
  version: 4,
  /** HELLO: where the stream starts ({@link StartCode}); WELCOME: policy; REJECT: reason. */
  detail: 5,
  /** HELLO and WELCOME. */
  heartbeatTimeout: 6,
  /** HELLO: high 32 bits of the start sequence. */
  helloSequenceHigh: 10,
  /** HELLO: low 32 bits of the start sequence. */
  helloSequenceLow: 14,
  /** HELLO: the subscriber's process id. */
  helloPid: 18,
  /** HELLO: topic length byte, after the fixed part. */
  helloTopicLength: 22,
  /** WELCOME: max message size. */
  welcomeMaxMessageSize: 10,
  /** WELCOME: whether the first sequence is known (0 or 1). */
  welcomeFirstKnown: 14,
  /** WELCOME: high 32 bits of the first sequence. */
  welcomeFirstHigh: 15,
  /** WELCOME: low 32 bits of the first sequence. */
  welcomeFirstLow: 19,
  /** The size of a WELCOME body. */
  welcomeSize: 23,
  /** REJECT: where the explanation starts. */
  rejectText: 6,
} as const;

/** Where a subscriber asks its stream to start, in the HELLO's detail byte. */
export const StartCode = {
  /** With the next message sent: no history. */
  live: 0,
  /** With the oldest message the publisher retains. */
  oldest: 1,
  /** With the first retained message whose sequence is at least the HELLO's start sequence. */
  from: 2,
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
