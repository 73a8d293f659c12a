import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { FrameDecoder, FrameTypes } from './frame-decoder.js';
import { encodeHello, encodeReject, encodeWelcome, isRejectable, parseHello, parseReject, parseWelcome } from './handshake.js';
import { FrameType, MAX_CONTROL_FRAME_LENGTH, RejectReason } from './wire-format.js';

function body(frame: Buffer): Uint8Array {
  const decoder = new FrameDecoder({ peer: 'peer', maxMessageSize: 0, accept: FrameTypes.hello | FrameTypes.handshakeReply });
  decoder.push(frame);
  expect(decoder.next()).toBe(true);
  return decoder.buffer.subarray(decoder.start, decoder.end);
}

describe('handshake frames', () => {
  it('round-trips a HELLO, with the longest topic and id still within the control frame limit', () => {
    const hello = { topic: '价'.repeat(85), publisherId: 'p'.repeat(64), heartbeatTimeoutMs: 10_000 };
    const frame = encodeHello(hello);
    expect(frame.readUInt32BE(0)).toBeLessThanOrEqual(MAX_CONTROL_FRAME_LENGTH);
    expect(frame[4]).toBe(FrameType.Hello);
    expect(frame.subarray(5, 9).toString('latin1')).toBe('SMLS');
    expect(parseHello(body(frame), 'peer')).toEqual(hello);
  });

  it('round-trips WELCOME and REJECT', () => {
    const welcome = { policy: 'latest', heartbeatTimeoutMs: 0, maxMessageSize: 2 ** 30 } as const;
    expect(parseWelcome(body(encodeWelcome(welcome)), 'peer')).toEqual(welcome);
    const reject = { reason: RejectReason.UnknownPublisher, text: 'no publisher "x" here' };
    expect(parseReject(body(encodeReject(reject)), 'peer')).toEqual(reject);
  });

  it('cuts a long REJECT explanation on a character boundary', () => {
    const parsed = parseReject(body(encodeReject({ reason: 1, text: 'é'.repeat(200) })), 'peer');
    expect(parsed.text).toBe('é'.repeat(127));
  });

  it('answers another protocol version with a REJECT, not a hang-up', () => {
    const frame = encodeHello({ topic: 't', publisherId: 'p', heartbeatTimeoutMs: 0 });
    frame[9] = 2;
    const parsed = parseHello(body(frame), 'peer');
    expect(isRejectable(parsed) && parsed.rejected.reason).toBe(RejectReason.UnsupportedVersion);
    expect(isRejectable(parsed) && parsed.rejected.text).toContain('protocol version 2 is not supported');
  });

  it.each([
    ['a bad publisher id', (frame: Buffer) => frame.write('!', frame.length - 1, 'latin1')],
    ['a topic that is not UTF-8', (frame: Buffer) => (frame[16] = 0xff)],
    ['a topic length past the end', (frame: Buffer) => (frame[15] = 200)],
  ])('rejects a HELLO with %s as malformed', (_, corrupt) => {
    const frame = encodeHello({ topic: 'topic', publisherId: 'p1', heartbeatTimeoutMs: 0 });
    corrupt(frame);
    const parsed = parseHello(body(frame), 'peer');
    expect(isRejectable(parsed) && parsed.rejected.reason).toBe(RejectReason.MalformedHello);
  });

  it('hangs up on a bad magic with ERR_PROTOCOL naming the peer', () => {
    const frame = encodeHello({ topic: 't', publisherId: 'p', heartbeatTimeoutMs: 0 });
    frame[5] = 0x58;
    expect(() => parseHello(body(frame), 'subscriber 10.0.0.9:5000')).toThrow(/subscriber 10\.0\.0\.9:5000: HELLO has a bad magic/);
    const welcome = encodeWelcome({ policy: 'reliable', heartbeatTimeoutMs: 0, maxMessageSize: 1 });
    welcome[6] = 0;
    expect(() => parseWelcome(body(welcome), 'peer')).toThrow(/bad magic/);
  });

  it('refuses a WELCOME of another version, size or policy', () => {
    const welcome = (): Buffer => encodeWelcome({ policy: 'reliable', heartbeatTimeoutMs: 0, maxMessageSize: 1 });
    const version = welcome();
    version[9] = 9;
    expect(() => parseWelcome(body(version), 'peer')).toThrow(/protocol version 9/);
    const policy = welcome();
    policy[10] = 7;
    expect(() => parseWelcome(body(policy), 'peer')).toThrow(/unknown policy code 7/);
    const longer = Buffer.concat([welcome(), Buffer.from([0])]);
    longer.writeUInt32BE(longer.readUInt32BE(0) + 1, 0);
    expect(() => parseWelcome(body(longer), 'peer')).toThrow(/wrong size/);
  });

  it('parses arbitrary handshake bodies without throwing anything but SeamlessError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, magic) => {
        const input = magic && bytes.length >= 4 ? Uint8Array.from([0x53, 0x4d, 0x4c, 0x53, 1, ...bytes.subarray(4)]) : bytes;
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
});
