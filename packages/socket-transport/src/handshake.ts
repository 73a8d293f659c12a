import { ErrorCode, publisherIdProblem, SeamlessError } from '@seamless/transport';
import type { DeliveryPolicy } from '@seamless/transport';
import {
  FRAME_HEADER_SIZE,
  FrameType,
  HandshakeLayout,
  MAGIC,
  MAX_REJECT_TEXT_BYTES,
  PolicyCode,
  PROTOCOL_VERSION,
  RejectReason,
} from './wire-format.js';

/** What a subscriber says first. */
export interface Hello {
  readonly topic: string;
  readonly publisherId: string;
  /** How long the subscriber waits for a sign of life before it drops the connection (0: never). */
  readonly heartbeatTimeoutMs: number;
}

/** What a publisher answers when it accepts a subscriber. */
export interface Welcome {
  readonly policy: DeliveryPolicy;
  /** How long the publisher waits for a sign of life before it drops the subscriber (0: never). */
  readonly heartbeatTimeoutMs: number;
  readonly maxMessageSize: number;
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

const utf8 = new TextDecoder('utf-8', { fatal: true });
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

/** Encodes a HELLO frame. The topic and id must already be valid. */
export function encodeHello(hello: Hello): Buffer {
  const topic = encoder.encode(hello.topic);
  const id = encoder.encode(hello.publisherId);
  const body = handshakePrefix(0, 4 + 1 + topic.byteLength + 1 + id.byteLength);
  body.writeUInt32BE(hello.heartbeatTimeoutMs, HandshakeLayout.heartbeatTimeout);
  let offset = HandshakeLayout.helloTopicLength;
  body[offset++] = topic.byteLength;
  body.set(topic, offset);
  offset += topic.byteLength;
  body[offset++] = id.byteLength;
  body.set(id, offset);
  return frame(FrameType.Hello, body);
}

/** Encodes a WELCOME frame. */
export function encodeWelcome(welcome: Welcome): Buffer {
  const body = handshakePrefix(PolicyCode[welcome.policy], 8);
  body.writeUInt32BE(welcome.heartbeatTimeoutMs, HandshakeLayout.heartbeatTimeout);
  body.writeUInt32BE(welcome.maxMessageSize, HandshakeLayout.welcomeMaxMessageSize);
  return frame(FrameType.Welcome, body);
}

/** Encodes a REJECT frame; the text is cut to 255 bytes of UTF-8 (on a character boundary). */
export function encodeReject(reject: Reject): Buffer {
  let text = encoder.encode(reject.text);
  if (text.byteLength > MAX_REJECT_TEXT_BYTES) {
    let end = MAX_REJECT_TEXT_BYTES;
    while (end > 0 && ((text[end] ?? 0) & 0xc0) === 0x80) end--;
    text = text.subarray(0, end);
  }
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
 * Parses the body of a HELLO frame (the bytes after the type byte).
 *
 * @returns the HELLO, or `{ rejected }` when the publisher should answer with a REJECT (another
 *   protocol version, a malformed topic or id).
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
  if (offset + idLength !== view.byteLength) return malformed('publisher id length does not match the frame');
  const publisherId = view.toString('latin1', offset, offset + idLength);
  const publisherIdIssue = publisherIdProblem(publisherId);
  if (publisherIdIssue !== undefined) return malformed(`publisher id ${publisherIdIssue}`);
  return { topic, publisherId, heartbeatTimeoutMs };
}

/** Tells a parsed HELLO from one to reject. */
export function isRejectable(hello: Hello | RejectableHello): hello is RejectableHello {
  return 'rejected' in hello;
}

/**
 * Parses the body of a WELCOME frame.
 *
 * @throws SeamlessError `ERR_PROTOCOL` on a bad magic, version, policy or size.
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
  return {
    policy,
    heartbeatTimeoutMs: view.readUInt32BE(HandshakeLayout.heartbeatTimeout),
    maxMessageSize: view.readUInt32BE(HandshakeLayout.welcomeMaxMessageSize),
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
