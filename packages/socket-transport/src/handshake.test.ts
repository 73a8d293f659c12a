import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { FrameDecoder, FrameTypes } from './frame-decoder.js';
import { encodeHello, encodeReject, encodeWelcome, isRejectable, parseHello, parseReject, parseWelcome } from './handshake.js';
import type { Hello, Welcome } from './handshake.js';
import { helloOfVersion1 } from '../test/support.js';
import {
  FRAME_HEADER_SIZE,
  FrameType,
  HandshakeLayout,
  MAX_CONTROL_FRAME_LENGTH,
  MAX_HOSTNAME_BYTES,
  PROTOCOL_VERSION,
  RejectReason,
  StartCode,
} from './wire-format.js';

function body(frame: Buffer): Uint8Array {
  const decoder = new FrameDecoder({ peer: 'peer', maxMessageSize: 0, accept: FrameTypes.hello | FrameTypes.handshakeReply });
  decoder.push(frame);
  expect(decoder.next()).toBe(true);
  return decoder.buffer.subarray(decoder.start, decoder.end);
}

/** Where a field of the body sits in the whole frame. */
const at = (bodyOffset: number): number => FRAME_HEADER_SIZE + bodyOffset;

function hello(overrides: Partial<Hello> = {}): Hello {
  return { topic: 'topic', publisherId: 'p1', heartbeatTimeoutMs: 0, start: 'live', pid: 0, hostname: '', ...overrides };
}

const welcome = (overrides: Partial<Welcome> = {}): Welcome => ({
  policy: 'reliable',
  heartbeatTimeoutMs: 0,
  maxMessageSize: 1,
  firstSequence: undefined,
  ...overrides,
});

/** The reason and text of a HELLO the publisher answers with a REJECT (undefined when it accepts it). */
function rejection(frame: Uint8Array): { reason: number; text: string } | undefined {
  const parsed = parseHello(frame.subarray(FRAME_HEADER_SIZE), 'peer');
  return isRejectable(parsed) ? parsed.rejected : undefined;
}

describe('handshake frames', () => {
  it('round-trips the longest HELLO, which stays within the control frame limit of this version and of version 1', () => {
    const longest = hello({
      topic: '价'.repeat(85),
      publisherId: 'p'.repeat(64),
      heartbeatTimeoutMs: 10_000,
      start: Number.MAX_SAFE_INTEGER,
      pid: 0xffff_ffff,
      hostname: 'h'.repeat(MAX_HOSTNAME_BYTES),
    });
    const frame = encodeHello(longest);
    // Version 1 publishers refuse handshake frames over 512 bytes before reading the version.
    expect(frame.readUInt32BE(0)).toBe(473);
    expect(frame.readUInt32BE(0)).toBeLessThanOrEqual(MAX_CONTROL_FRAME_LENGTH);
    expect(frame[4]).toBe(FrameType.Hello);
    expect(frame.subarray(5, 9).toString('latin1')).toBe('SMLS');
    expect(frame[9]).toBe(PROTOCOL_VERSION);
    expect(PROTOCOL_VERSION).toBe(2);
    expect(parseHello(body(frame), 'peer')).toEqual(longest);
  });

  it('says where the stream starts: live, at the oldest retained message, or from a sequence number', () => {
    const cases = [
      ['live', StartCode.live, 0],
      ['oldest', StartCode.oldest, 0],
      [0, StartCode.from, 0],
      [2 ** 32 + 5, StartCode.from, 2 ** 32 + 5],
    ] as const;
    for (const [start, code, sequence] of cases) {
      const frame = encodeHello(hello({ start }));
      expect(frame[at(HandshakeLayout.detail)]).toBe(code);
      expect(
        frame.readUInt32BE(at(HandshakeLayout.helloSequenceHigh)) * 2 ** 32 + frame.readUInt32BE(at(HandshakeLayout.helloSequenceLow)),
      ).toBe(sequence);
      expect(parseHello(body(frame), 'peer')).toMatchObject({ start });
    }
  });

  it('carries the pid and host name, cutting a long name on a character boundary and leaving out what it cannot send', () => {
    const named = parseHello(body(encodeHello(hello({ pid: 4242, hostname: 'build-07.example.org' }))), 'peer');
    expect(named).toMatchObject({ pid: 4242, hostname: 'build-07.example.org' });
    const long = parseHello(body(encodeHello(hello({ hostname: `x${'é'.repeat(70)}` }))), 'peer');
    expect(long).toMatchObject({ hostname: `x${'é'.repeat(63)}` });
    expect(parseHello(body(encodeHello(hello({ hostname: 'bad\nname' }))), 'peer')).toMatchObject({ hostname: '' });
    expect(parseHello(body(encodeHello(hello({ hostname: 'bell\u0085' }))), 'peer')).toMatchObject({ hostname: '' });
    expect(parseHello(body(encodeHello(hello({ pid: -1 }))), 'peer')).toMatchObject({ pid: 0 });
    expect(parseHello(body(encodeHello(hello({ pid: 2 ** 32 }))), 'peer')).toMatchObject({ pid: 0 });
  });

  it('round-trips WELCOME, with and without a first sequence, and REJECT', () => {
    for (const firstSequence of [undefined, 0, 90, Number.MAX_SAFE_INTEGER]) {
      const sent = welcome({ policy: 'latest', maxMessageSize: 2 ** 30, firstSequence });
      const frame = encodeWelcome(sent);
      expect(frame.readUInt32BE(0)).toBe(1 + HandshakeLayout.welcomeSize);
      expect(parseWelcome(body(frame), 'peer')).toEqual(sent);
    }
    const reject = { reason: RejectReason.UnknownPublisher, text: 'no publisher "x" here' };
    expect(parseReject(body(encodeReject(reject)), 'peer')).toEqual(reject);
  });

  it('cuts a long REJECT explanation on a character boundary', () => {
    const parsed = parseReject(body(encodeReject({ reason: 1, text: 'é'.repeat(200) })), 'peer');
    expect(parsed.text).toBe('é'.repeat(127));
  });

  it('answers a HELLO of version 1 (or any other) with a REJECT naming both versions, not a hang-up', () => {
    const old = helloOfVersion1('md.AAPL', 'p1');
    expect(rejection(old)).toEqual({
      reason: RejectReason.UnsupportedVersion,
      text: 'protocol version 1 is not supported; this publisher speaks version 2',
    });
    const newer = encodeHello(hello());
    newer[9] = 3;
    expect(rejection(newer)?.text).toBe('protocol version 3 is not supported; this publisher speaks version 2');
  });

  it('refuses a WELCOME of version 1 with ERR_PROTOCOL naming both versions', () => {
    // Version 1's WELCOME: magic, version 1, policy, timeout, max size (14 bytes).
    const old = Buffer.concat([Buffer.from('SMLS'), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 4, 0])]);
    expect(() => parseWelcome(old, 'publisher 10.0.0.9:4000')).toThrow(
      'publisher 10.0.0.9:4000: WELCOME has protocol version 1, expected 2',
    );
  });

  const hostnameOffset = (frame: Buffer): number => {
    const topicLength = frame[at(HandshakeLayout.helloTopicLength)] ?? 0;
    const idLengthAt = at(HandshakeLayout.helloTopicLength) + 1 + topicLength;
    return idLengthAt + 1 + (frame[idLengthAt] ?? 0);
  };
  /** Replaces the host name field (length byte and bytes) of `frame` and fixes the frame length. */
  const withHostnameBytes = (frame: Buffer, bytes: Uint8Array, length = bytes.length): Buffer => {
    const head = frame.subarray(0, hostnameOffset(frame));
    const result = Buffer.concat([head, Buffer.from([length]), bytes]);
    result.writeUInt32BE(result.length - 4, 0);
    return result;
  };

  it.each([
    ['a bad publisher id', (frame: Buffer) => frame.write('!', hostnameOffset(frame) - 1, 'latin1'), 'publisher id'],
    ['a topic that is not UTF-8', (frame: Buffer) => (frame[at(HandshakeLayout.helloTopicLength) + 1] = 0xff), 'topic is not UTF-8'],
    ['a topic length past the end', (frame: Buffer) => (frame[at(HandshakeLayout.helloTopicLength)] = 200), 'topic runs past'],
    ['an unknown start code', (frame: Buffer) => (frame[at(HandshakeLayout.detail)] = 3), 'unknown start code 3'],
    [
      'a start sequence with start = live',
      (frame: Buffer) => (frame[at(HandshakeLayout.helloSequenceLow) + 3] = 1),
      'a start sequence with start code 0',
    ],
    [
      'a start sequence beyond 2^53 - 1',
      (frame: Buffer) => {
        frame[at(HandshakeLayout.detail)] = StartCode.from;
        frame.writeUInt32BE(0x20_0000, at(HandshakeLayout.helloSequenceHigh));
      },
      'start sequence exceeds',
    ],
  ])('rejects a HELLO with %s as malformed', (_, corrupt, problem) => {
    const frame = encodeHello(hello({ hostname: 'host' }));
    corrupt(frame);
    const rejected = rejection(frame);
    expect(rejected?.reason).toBe(RejectReason.MalformedHello);
    expect(rejected?.text).toContain(problem);
  });

  it.each([
    ['longer than the limit', Buffer.alloc(MAX_HOSTNAME_BYTES + 1, 0x61), undefined, 'host name of 129 bytes, the limit is 128'],
    ['not UTF-8', Buffer.from([0x68, 0xc3]), undefined, 'host name is not UTF-8'],
    ['with a control character', Buffer.from('a\u0007b'), undefined, 'host name has a control character'],
    ['with a length past the end', Buffer.from('abc'), 4, 'host name length does not match the frame'],
    ['with bytes after it', Buffer.from('abc'), 2, 'host name length does not match the frame'],
  ])('rejects a HELLO with a host name %s as malformed', (_, bytes, length, problem) => {
    const frame = withHostnameBytes(encodeHello(hello()), bytes, length);
    expect(rejection(frame)).toEqual({ reason: RejectReason.MalformedHello, text: `malformed HELLO: ${problem}` });
  });

  it('rejects a HELLO cut before its host name as malformed', () => {
    const frame = encodeHello(hello());
    const cut = frame.subarray(0, frame.length - 1);
    expect(rejection(cut)?.text).toBe('malformed HELLO: publisher id runs past the frame');
  });

  it('hangs up on a bad magic with ERR_PROTOCOL naming the peer', () => {
    const frame = encodeHello(hello());
    frame[5] = 0x58;
    expect(() => parseHello(body(frame), 'subscriber 10.0.0.9:5000')).toThrow(/subscriber 10\.0\.0\.9:5000: HELLO has a bad magic/);
    const accepted = encodeWelcome(welcome());
    accepted[6] = 0;
    expect(() => parseWelcome(body(accepted), 'peer')).toThrow(/bad magic/);
  });

  it('refuses a WELCOME of another version, size, policy or first sequence', () => {
    const version = encodeWelcome(welcome());
    version[9] = 9;
    expect(() => parseWelcome(body(version), 'peer')).toThrow(/protocol version 9/);
    const policy = encodeWelcome(welcome());
    policy[10] = 7;
    expect(() => parseWelcome(body(policy), 'peer')).toThrow(/unknown policy code 7/);
    const longer = Buffer.concat([encodeWelcome(welcome()), Buffer.from([0])]);
    longer.writeUInt32BE(longer.readUInt32BE(0) + 1, 0);
    expect(() => parseWelcome(body(longer), 'peer')).toThrow(/wrong size/);
    const flag = encodeWelcome(welcome());
    flag[at(HandshakeLayout.welcomeFirstKnown)] = 2;
    expect(() => parseWelcome(body(flag), 'peer')).toThrow(/malformed first sequence \(flag 2\)/);
    const unflagged = encodeWelcome(welcome({ firstSequence: 7 }));
    unflagged[at(HandshakeLayout.welcomeFirstKnown)] = 0;
    expect(() => parseWelcome(body(unflagged), 'peer')).toThrow(/malformed first sequence \(flag 0\)/);
    const huge = encodeWelcome(welcome({ firstSequence: 0 }));
    huge.writeUInt32BE(0x20_0000, at(HandshakeLayout.welcomeFirstHigh));
    expect(() => parseWelcome(body(huge), 'peer')).toThrow(/first sequence beyond 2\^53 - 1/);
  });

  it('parses arbitrary handshake bodies without throwing anything but SeamlessError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 520 }), fc.boolean(), (bytes, magic) => {
        const input =
          magic && bytes.length >= 5 ? Uint8Array.from([0x53, 0x4d, 0x4c, 0x53, PROTOCOL_VERSION, ...bytes.subarray(5)]) : bytes;
        for (const parse of [parseHello, parseWelcome, parseReject]) {
          try {
            parse(input, 'peer');
          } catch (error) {
            expect(SeamlessError.isInstance(error, 'ERR_PROTOCOL')).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  const anyHello = fc.record({
    topic: fc.string({ minLength: 1, maxLength: 60 }),
    publisherId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    heartbeatTimeoutMs: fc.nat({ max: 0xffff_ffff }),
    start: fc.oneof(fc.constant('live' as const), fc.constant('oldest' as const), fc.maxSafeNat()),
    pid: fc.nat({ max: 0xffff_ffff }),
    hostname: fc.string({ maxLength: 40 }),
  });

  it('accepts from a mutated HELLO only what it could have encoded itself, and rejects the rest', () => {
    // Flip, cut or extend a valid HELLO: whatever parses is a canonical encoding of a valid
    // HELLO (every field within its bounds), so nothing unchecked reaches the publisher.
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
      fc.record({ kind: fc.constant('extend' as const), at: fc.nat({ max: 8 }), value: fc.integer({ min: 0, max: 255 }) }),
    );
    fc.assert(
      fc.property(anyHello, fc.array(mutation, { minLength: 1, maxLength: 4 }), (sent, mutations) => {
        let frame = Buffer.from(encodeHello(sent));
        for (const { kind, at: where, value } of mutations) {
          if (kind === 'flip') frame[at(4) + (where % (frame.length - at(4)))] = value;
          else if (kind === 'cut') frame = frame.subarray(0, at(6) + (where % (frame.length - at(6))));
          else frame = Buffer.concat([frame, Buffer.alloc(where + 1, value)]);
        }
        const frameBody = frame.subarray(FRAME_HEADER_SIZE);
        let parsed: ReturnType<typeof parseHello>;
        try {
          parsed = parseHello(frameBody, 'peer');
        } catch (error) {
          expect(SeamlessError.isInstance(error, 'ERR_PROTOCOL')).toBe(true);
          return;
        }
        if (isRejectable(parsed)) {
          expect([RejectReason.MalformedHello, RejectReason.UnsupportedVersion]).toContain(parsed.rejected.reason);
          return;
        }
        expect(Buffer.byteLength(parsed.hostname)).toBeLessThanOrEqual(MAX_HOSTNAME_BYTES);
        const codes = Array.from({ length: parsed.hostname.length }, (_, index) => parsed.hostname.charCodeAt(index));
        expect(codes.every((code) => code > 0x9f || (code >= 0x20 && code < 0x7f))).toBe(true);
        expect(typeof parsed.start === 'string' || Number.isSafeInteger(parsed.start)).toBe(true);
        expect(encodeHello(parsed).subarray(FRAME_HEADER_SIZE)).toEqual(Buffer.from(frameBody));
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips any valid HELLO', () => {
    fc.assert(
      fc.property(anyHello, (sent) => {
        const parsed = parseHello(body(encodeHello(sent)), 'peer');
        expect(isRejectable(parsed)).toBe(false);
        if (isRejectable(parsed)) return;
        expect({ ...parsed, hostname: sent.hostname }).toEqual(sent);
        expect(sent.hostname.startsWith(parsed.hostname)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
