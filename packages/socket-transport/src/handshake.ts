import { ErrorCode, publisherIdProblem, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy } from '@seamless/transport';
import {
  FRAME_HEADER_SIZE,
  FrameType,
  HandshakeLayout,
  MAGIC,
  MAX_HOSTNAME_BYTES,
  MAX_REJECT_TEXT_BYTES,
  MAX_SEQUENCE_HIGH,
  PolicyCode,
  PROTOCOL_VERSION,
  RejectReason,
  StartCode,
} from './wire-format.js';

/**
 * Where a subscriber asks its stream to start: with the next message sent (`'live'`), with the
 * oldest message the publisher retains (`'oldest'`), or, given a sequence number (the one it
 * expects next, after a reconnection), with the first retained message numbered at least that.
 */
export type StreamStart = 'live' | 'oldest' | number;

/** What a subscriber says first. */
export interface Hello {
  readonly topic: string;
  readonly publisherId: string;
  /** How long the subscriber waits for a sign of life before it drops the connection (0: never). */
  readonly heartbeatTimeoutMs: number;
  /** Where its stream starts. */
  readonly start: StreamStart;
  /** The subscriber's process id (0: not given). */
  readonly pid: number;
  /**
   * The subscriber's host name (`''`: not given): at most `MAX_HOSTNAME_BYTES` bytes of UTF-8
   * without control characters. `encodeHello` cuts a longer one and leaves out one it cannot send.
   */
  readonly hostname: string;
}

/** What a publisher answers when it accepts a subscriber. */
export interface Welcome {
  readonly policy: DeliveryPolicy;
  /** How long the publisher waits for a sign of life before it drops the subscriber (0: never). */
  readonly heartbeatTimeoutMs: number;
  readonly maxMessageSize: number;
  /**
   * The sequence number of the first message this connection carries, when the publisher knows
   * it: the first retained message it replays, or else the one after the last message it sent
   * (only a publication that keeps history sees every message). A subscriber that has no
   * expectation of its own expects this one, so that what `'latest'` drops before the first
   * message it receives counts as lost.
   */
  readonly firstSequence: number | undefined;
}

/** What a publisher answers when it refuses a subscriber. */
export interface Reject {
  /** A {@link RejectReason}, or an unknown code from a newer peer. */
  readonly reason: number;
  readonly text: string;
}

/** A HELLO the publisher must answer with REJECT rather than simply hang up on. */
export interface RejectableHello {
  readonly rejected: Reject;
}

// ignoreBOM: a leading U+FEFF is part of the text, so that parsing and encoding are exact inverses.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

function frame(type: FrameType, body: Uint8Array): Buffer {
  const output = Buffer.allocUnsafe(FRAME_HEADER_SIZE + body.byteLength);
  output.writeUInt32BE(1 + body.byteLength, 0);
  output[4] = type;
  output.set(body, FRAME_HEADER_SIZE);
  return output;
}

function handshakePrefix(detail: number, extra: number): Buffer {
  const body = Buffer.alloc(HandshakeLayout.detail + 1 + extra);
  body.set(MAGIC, HandshakeLayout.magic);
  body[HandshakeLayout.version] = PROTOCOL_VERSION;
  body[HandshakeLayout.detail] = detail;
  return body;
}

const twoTo32 = 0x1_0000_0000;

/** `bytes` cut to at most `limit` bytes on a UTF-8 character boundary. */
function cutUtf8(bytes: Uint8Array, limit: number): Uint8Array {
  if (bytes.byteLength <= limit) return bytes;
  let end = limit;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Whether `text` holds a C0 or C1 control character (or DEL). */
function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function writeSequence(body: Buffer, highOffset: number, lowOffset: number, sequence: number): void {
  body.writeUInt32BE(Math.floor(sequence / twoTo32), highOffset);
  body.writeUInt32BE(sequence >>> 0, lowOffset);
}

/**
 * Encodes a HELLO frame. The topic and id must already be valid, a numeric `start` a
 * non-negative safe integer; a pid that is not a 32-bit unsigned integer is sent as 0.
 */
export function encodeHello(hello: Hello): Buffer {
  const topic = encoder.encode(hello.topic);
  const id = encoder.encode(hello.publisherId);
  const hostname = hasControlCharacter(hello.hostname) ? new Uint8Array(0) : cutUtf8(encoder.encode(hello.hostname), MAX_HOSTNAME_BYTES);
  const { start } = hello;
  const startCode = start === 'live' ? StartCode.live : start === 'oldest' ? StartCode.oldest : StartCode.from;
  const fixed = HandshakeLayout.helloTopicLength - HandshakeLayout.detail - 1;
  const body = handshakePrefix(startCode, fixed + 1 + topic.byteLength + 1 + id.byteLength + 1 + hostname.byteLength);
  body.writeUInt32BE(hello.heartbeatTimeoutMs, HandshakeLayout.heartbeatTimeout);
  if (typeof start === 'number') writeSequence(body, HandshakeLayout.helloSequenceHigh, HandshakeLayout.helloSequenceLow, start);
  const pid = Number.isSafeInteger(hello.pid) && hello.pid >= 0 && hello.pid <= 0xffff_ffff ? hello.pid : 0;
  body.writeUInt32BE(pid, HandshakeLayout.helloPid);
  let offset = HandshakeLayout.helloTopicLength;
  for (const field of [topic, id, hostname]) {
    body[offset++] = field.byteLength;
    body.set(field, offset);
    offset += field.byteLength;
  }
  return frame(FrameType.Hello, body);
}

/** Encodes a WELCOME frame. `firstSequence`, when known, must be a non-negative safe integer. */
export function encodeWelcome(welcome: Welcome): Buffer {
  const body = handshakePrefix(PolicyCode[welcome.policy], HandshakeLayout.welcomeSize - HandshakeLayout.detail - 1);
  body.writeUInt32BE(welcome.heartbeatTimeoutMs, HandshakeLayout.heartbeatTimeout);
  body.writeUInt32BE(welcome.maxMessageSize, HandshakeLayout.welcomeMaxMessageSize);
  if (welcome.firstSequence !== undefined) {
    body[HandshakeLayout.welcomeFirstKnown] = 1;
    writeSequence(body, HandshakeLayout.welcomeFirstHigh, HandshakeLayout.welcomeFirstLow, welcome.firstSequence);
  }
  return frame(FrameType.Welcome, body);
}

/** Encodes a REJECT frame; the text is cut to 255 bytes of UTF-8 (on a character boundary). */
export function encodeReject(reject: Reject): Buffer {
  const text = cutUtf8(encoder.encode(reject.text), MAX_REJECT_TEXT_BYTES);
  const body = handshakePrefix(reject.reason, text.byteLength);
  body.set(text, HandshakeLayout.rejectText);
  return frame(FrameType.Reject, body);
}

function protocolError(peer: string, problem: string): SeamlessError {
  return new SeamlessError(ErrorCode.Protocol, `${peer}: ${problem}`, { details: { peer, problem } });
}

function checkMagic(body: Uint8Array, peer: string, what: string): void {
  if (body.byteLength < HandshakeLayout.detail + 1) throw protocolError(peer, `${what} is too short`);
  for (let index = 0; index < MAGIC.byteLength; index++) {
    if (body[index] !== MAGIC[index]) throw protocolError(peer, `${what} has a bad magic (not a Seamless peer)`);
  }
}

/**
 * Parses the body of a HELLO frame (the bytes after the type byte). Every field is checked:
 * the bytes come from anyone who can connect.
 *
 * @returns the HELLO, or `{ rejected }` when the publisher should answer with a REJECT (another
 *   protocol version, a malformed field).
 * @throws SeamlessError `ERR_PROTOCOL` when the magic is wrong: not a Seamless peer, hang up.
 */
export function parseHello(body: Uint8Array, peer: string): Hello | RejectableHello {
  checkMagic(body, peer, 'HELLO');
  const version = body[HandshakeLayout.version] ?? 0;
  if (version !== PROTOCOL_VERSION) {
    return {
      rejected: {
        reason: RejectReason.UnsupportedVersion,
        text: `protocol version ${version} is not supported; this publisher speaks version ${PROTOCOL_VERSION}`,
      },
    };
  }
  const malformed = (problem: string): RejectableHello => ({
    rejected: { reason: RejectReason.MalformedHello, text: `malformed HELLO: ${problem}` },
  });
  if (body.byteLength < HandshakeLayout.helloTopicLength + 1) return malformed('too short');
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const heartbeatTimeoutMs = view.readUInt32BE(HandshakeLayout.heartbeatTimeout);
  const startCode = view[HandshakeLayout.detail];
  const high = view.readUInt32BE(HandshakeLayout.helloSequenceHigh);
  const low = view.readUInt32BE(HandshakeLayout.helloSequenceLow);
  let start: StreamStart;
  if (startCode === StartCode.from) {
    if (high > MAX_SEQUENCE_HIGH) return malformed('start sequence exceeds 2^53 - 1');
    start = high * twoTo32 + low;
  } else if (startCode === StartCode.live || startCode === StartCode.oldest) {
    if (high !== 0 || low !== 0) return malformed(`a start sequence with start code ${startCode}`);
    start = startCode === StartCode.live ? 'live' : 'oldest';
  } else {
    return malformed(`unknown start code ${String(startCode)}`);
  }
  const pid = view.readUInt32BE(HandshakeLayout.helloPid);
  let offset = HandshakeLayout.helloTopicLength;
  const topicLength = view[offset++] ?? 0;
  if (offset + topicLength + 1 > view.byteLength) return malformed('topic runs past the frame');
  let topic: string;
  try {
    topic = utf8.decode(view.subarray(offset, offset + topicLength));
  } catch {
    return malformed('topic is not UTF-8');
  }
  offset += topicLength;
  const idLength = view[offset++] ?? 0;
  if (offset + idLength + 1 > view.byteLength) return malformed('publisher id runs past the frame');
  const publisherId = view.toString('latin1', offset, offset + idLength);
  const publisherIdIssue = publisherIdProblem(publisherId);
  if (publisherIdIssue !== undefined) return malformed(`publisher id ${publisherIdIssue}`);
  offset += idLength;
  const hostnameLength = view[offset++] ?? 0;
  if (hostnameLength > MAX_HOSTNAME_BYTES) return malformed(`host name of ${hostnameLength} bytes, the limit is ${MAX_HOSTNAME_BYTES}`);
  if (offset + hostnameLength !== view.byteLength) return malformed('host name length does not match the frame');
  let hostname: string;
  try {
    hostname = utf8.decode(view.subarray(offset, offset + hostnameLength));
  } catch {
    return malformed('host name is not UTF-8');
  }
  if (hasControlCharacter(hostname)) return malformed('host name has a control character');
  return { topic, publisherId, heartbeatTimeoutMs, start, pid, hostname };
}

/** Tells a parsed HELLO from one to reject. */
export function isRejectable(hello: Hello | RejectableHello): hello is RejectableHello {
  return 'rejected' in hello;
}

/**
 * Parses the body of a WELCOME frame.
 *
 * @throws SeamlessError `ERR_PROTOCOL` on a bad magic, version, size, policy or first sequence.
 */
export function parseWelcome(body: Uint8Array, peer: string): Welcome {
  checkMagic(body, peer, 'WELCOME');
  const version = body[HandshakeLayout.version] ?? 0;
  if (version !== PROTOCOL_VERSION) {
    throw protocolError(peer, `WELCOME has protocol version ${version}, expected ${PROTOCOL_VERSION}`);
  }
  if (body.byteLength !== HandshakeLayout.welcomeSize) throw protocolError(peer, 'WELCOME has the wrong size');
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const policyCode = view[HandshakeLayout.detail];
  const policy: DeliveryPolicy | undefined =
    policyCode === PolicyCode.reliable ? 'reliable' : policyCode === PolicyCode.latest ? 'latest' : undefined;
  if (policy === undefined) throw protocolError(peer, `WELCOME has an unknown policy code ${policyCode}`);
  const known = view[HandshakeLayout.welcomeFirstKnown];
  const high = view.readUInt32BE(HandshakeLayout.welcomeFirstHigh);
  const low = view.readUInt32BE(HandshakeLayout.welcomeFirstLow);
  let firstSequence: number | undefined;
  if (known === 1) {
    if (high > MAX_SEQUENCE_HIGH) throw protocolError(peer, 'WELCOME has a first sequence beyond 2^53 - 1');
    firstSequence = high * twoTo32 + low;
  } else if (known !== 0 || high !== 0 || low !== 0) {
    throw protocolError(peer, `WELCOME has a malformed first sequence (flag ${String(known)})`);
  }
  return {
    policy,
    heartbeatTimeoutMs: view.readUInt32BE(HandshakeLayout.heartbeatTimeout),
    maxMessageSize: view.readUInt32BE(HandshakeLayout.welcomeMaxMessageSize),
    firstSequence,
  };
}

/**
 * Parses the body of a REJECT frame. Any version's REJECT is understood (its layout is fixed).
 *
 * @throws SeamlessError `ERR_PROTOCOL` on a bad magic.
 */
export function parseReject(body: Uint8Array, peer: string): Reject {
  checkMagic(body, peer, 'REJECT');
  const reason = body[HandshakeLayout.detail] ?? 0;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8', HandshakeLayout.rejectText);
  return { reason, text };
}
