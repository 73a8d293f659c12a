import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { FrameDecoder, FrameTypes } from './frame-decoder.js';
import { encodeDataFrame, GOODBYE_FRAME, HEARTBEAT_FRAME } from './frame-encoder.js';
import { encodeHello } from './handshake.js';
import { FrameType, MAX_CONTROL_FRAME_LENGTH } from './wire-format.js';

const allTypes = FrameTypes.hello | FrameTypes.handshakeReply | FrameTypes.subscriberStream | FrameTypes.publisherStream;

function decoder(maxMessageSize = 1024, accept: number = FrameTypes.subscriberStream, allocations: number[] = []): FrameDecoder {
  return new FrameDecoder({
    peer: 'publisher 192.0.2.1:4000',
    maxMessageSize,
    accept,
    allocate: (size) => {
      allocations.push(size);
      return new Uint8Array(size);
    },
  });
}

interface Decoded {
  readonly type: number;
  readonly sequence: number;
  readonly body: number[];
}

function drain(target: FrameDecoder): Decoded[] {
  const frames: Decoded[] = [];
  while (target.next()) {
    frames.push({
      type: target.type,
      sequence: target.type === FrameType.Data ? target.sequence : -1,
      body: [...target.buffer.subarray(target.start, target.end)],
    });
  }
  return frames;
}

function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function errorOf(call: () => unknown): SeamlessError {
  try {
    call();
  } catch (error) {
    if (SeamlessError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SeamlessError');
}

describe('FrameDecoder', () => {
  it('hands out a view into the received chunk when a frame lies within it (no copy)', () => {
    const allocations: number[] = [];
    const target = decoder(1024, FrameTypes.subscriberStream, allocations);
    const chunk = Buffer.concat([encodeDataFrame(Uint8Array.of(1, 2, 3), 7), HEARTBEAT_FRAME]);
    target.push(chunk);
    expect(target.next()).toBe(true);
    expect(target.type).toBe(FrameType.Data);
    expect(target.sequence).toBe(7);
    expect(target.buffer).toBe(chunk);
    expect([...target.buffer.subarray(target.start, target.end)]).toEqual([1, 2, 3]);
    expect(target.next()).toBe(true);
    expect(target.type).toBe(FrameType.Heartbeat);
    expect(target.next()).toBe(false);
    expect(target.bufferedBytes).toBe(0);
    expect(allocations).toEqual([]);
  });

  it('assembles a frame cut into many chunks into one buffer of exactly the payload size', () => {
    const allocations: number[] = [];
    const target = decoder(100_000, FrameTypes.subscriberStream, allocations);
    const payload = new Uint8Array(65_536).map((_, index) => index % 251);
    const frame = encodeDataFrame(payload, 2 ** 40 + 5);
    for (let offset = 0; offset < frame.byteLength; offset += 1000) {
      expect(target.next()).toBe(false);
      target.push(frame.subarray(offset, offset + 1000));
    }
    expect(target.next()).toBe(true);
    expect(target.sequence).toBe(2 ** 40 + 5);
    expect(target.buffer.subarray(target.start, target.end)).toEqual(payload);
    expect(allocations).toEqual([payload.byteLength]);
  });

  it('carries every safe integer sequence number and refuses larger ones', () => {
    for (const sequence of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      const target = decoder();
      target.push(encodeDataFrame(new Uint8Array(0), sequence));
      expect(target.next()).toBe(true);
      expect(target.sequence).toBe(sequence);
    }
    const frame = encodeDataFrame(new Uint8Array(0), 0);
    frame.writeUInt32BE(0x20_0000, 5);
    const target = decoder();
    target.push(frame);
    expect(errorOf(() => target.next()).code).toBe('ERR_PROTOCOL');
  });

  it('refuses a payload over maxMessageSize from its header alone, naming the peer', () => {
    const allocations: number[] = [];
    const target = decoder(1000, FrameTypes.subscriberStream, allocations);
    target.push(encodeDataFrame(new Uint8Array(1001), 1).subarray(0, 5));
    const error = errorOf(() => target.next());
    expect(error.code).toBe('ERR_MESSAGE_TOO_LARGE');
    expect(error.message).toContain('publisher 192.0.2.1:4000');
    expect(error.message).toContain('1001 bytes exceeds maxMessageSize 1000');
    expect(error.details).toMatchObject({ peer: 'publisher 192.0.2.1:4000', maxMessageSize: 1000 });
    expect(allocations).toEqual([]);
    // Poisoned: the same error again, and nothing kept.
    expect(errorOf(() => target.next())).toBe(error);
    expect(target.bufferedBytes).toBe(0);
    expect(target.error).toBe(error);
  });

  it('accepts a payload of exactly maxMessageSize', () => {
    const target = decoder(1000);
    target.push(encodeDataFrame(new Uint8Array(1000), 1));
    expect(target.next()).toBe(true);
    expect(target.end - target.start).toBe(1000);
  });

  it.each([
    ['an unknown type', Buffer.from([0, 0, 0, 1, 9])],
    ['type 0', Buffer.from([0, 0, 0, 1, 0])],
    [
      'a type not expected now (HELLO to a subscriber)',
      encodeHello({ topic: 't', publisherId: 'p', heartbeatTimeoutMs: 0, start: 'live', pid: 0, hostname: '' }),
    ],
    ['a HEARTBEAT with a body', Buffer.from([0, 0, 0, 2, FrameType.Heartbeat, 0])],
    ['a DATA frame shorter than its header', Buffer.from([0, 0, 0, 5, FrameType.Data, 0, 0, 0, 0])],
    ['a length of zero', Buffer.from([0, 0, 0, 0, FrameType.Data])],
  ])('refuses %s with ERR_PROTOCOL', (_, bytes) => {
    const target = decoder();
    target.push(bytes);
    expect(errorOf(() => target.next()).code).toBe('ERR_PROTOCOL');
  });

  it('refuses an oversized handshake frame before it arrives', () => {
    const allocations: number[] = [];
    const target = decoder(1 << 20, FrameTypes.hello, allocations);
    target.push(Buffer.from([0, 0, 0x10, 0, FrameType.Hello]));
    const error = errorOf(() => target.next());
    expect(error.code).toBe('ERR_PROTOCOL');
    expect(error.message).toContain(`outside 2..${MAX_CONTROL_FRAME_LENGTH}`);
    expect(allocations).toEqual([]);
  });

  it('treats a non-Seamless peer (an HTTP request) as a protocol error at once', () => {
    const target = decoder(16 << 20, FrameTypes.handshakeReply);
    target.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n'));
    expect(errorOf(() => target.next()).code).toBe('ERR_PROTOCOL');
  });

  it('peeks the type of a complete frame without consuming it', () => {
    const target = decoder();
    const frame = encodeDataFrame(Uint8Array.of(9), 3);
    target.push(frame.subarray(0, 3));
    expect(target.peekCompleteType()).toBe(0);
    target.push(frame.subarray(3, 10));
    expect(target.peekCompleteType()).toBe(0);
    target.push(frame.subarray(10));
    expect(target.peekCompleteType()).toBe(FrameType.Data);
    expect(target.bufferedBytes).toBe(frame.byteLength);
    expect(drain(target)).toEqual([{ type: FrameType.Data, sequence: 3, body: [9] }]);
  });

  it('discards what is buffered', () => {
    const target = decoder();
    target.push(encodeDataFrame(Uint8Array.of(1, 2), 1).subarray(0, 8));
    target.discard();
    expect(target.bufferedBytes).toBe(0);
    target.push(GOODBYE_FRAME);
    expect(drain(target).map((frame) => frame.type)).toEqual([FrameType.Goodbye]);
  });
});

describe('FrameDecoder properties', () => {
  it('never throws anything but SeamlessError and never allocates beyond the limit, whatever the bytes and chunking', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom(FrameTypes.hello, FrameTypes.handshakeReply, FrameTypes.subscriberStream, FrameTypes.publisherStream, allTypes),
        (bytes, cuts, maxMessageSize, accept) => {
          const allocations: number[] = [];
          const target = decoder(maxMessageSize, accept, allocations);
          try {
            for (const chunk of split(bytes, cuts)) {
              target.push(chunk);
              drain(target);
            }
          } catch (error) {
            expect(SeamlessError.isInstance(error)).toBe(true);
            expect(['ERR_PROTOCOL', 'ERR_MESSAGE_TOO_LARGE']).toContain((error as SeamlessError).code);
          }
          for (const size of allocations) expect(size).toBeLessThanOrEqual(Math.max(maxMessageSize, MAX_CONTROL_FRAME_LENGTH));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never allocates beyond the limit for headers that claim huge lengths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 64 }),
        (length, type, rest) => {
          const allocations: number[] = [];
          const target = decoder(1000, allTypes, allocations);
          const header = Buffer.alloc(5);
          header.writeUInt32BE(length, 0);
          header[4] = type;
          target.push(header);
          target.push(rest);
          try {
            drain(target);
          } catch (error) {
            expect(SeamlessError.isInstance(error)).toBe(true);
          }
          for (const size of allocations) expect(size).toBeLessThanOrEqual(1000);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('round-trips valid frames whatever the chunk boundaries', () => {
    const frameArbitrary = fc.oneof(
      fc.record({
        type: fc.constant(FrameType.Data),
        sequence: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 2 ** 32, max: 2 ** 40 })),
        body: fc.uint8Array({ maxLength: 300 }),
      }),
      fc.record({
        type: fc.constantFrom(FrameType.Heartbeat, FrameType.Goodbye),
        sequence: fc.constant(-1),
        body: fc.constant(new Uint8Array(0)),
      }),
    );
    fc.assert(
      fc.property(fc.array(frameArbitrary, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
        const stream = Buffer.concat(
          frames.map((frame) =>
            frame.type === FrameType.Data
              ? encodeDataFrame(frame.body, frame.sequence)
              : frame.type === FrameType.Heartbeat
                ? HEARTBEAT_FRAME
                : GOODBYE_FRAME,
          ),
        );
        const target = decoder(300);
        const decoded: Decoded[] = [];
        for (const chunk of split(stream, cuts)) {
          target.push(chunk);
          decoded.push(...drain(target));
        }
        expect(decoded).toEqual(frames.map((frame) => ({ ...frame, body: [...frame.body] })));
        expect(target.bufferedBytes).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});
