import { describe, expect, it } from 'vitest';
import { FrameReader } from './frame-reader.js';

function frame(payload: readonly number[]): Buffer {
  const buffer = Buffer.alloc(4 + payload.length);
  buffer.writeUInt32LE(payload.length, 0);
  buffer.set(payload, 4);
  return buffer;
}

function read(chunks: readonly Buffer[]): number[][] {
  const reader = new FrameReader();
  const payloads: number[][] = [];
  for (const chunk of chunks) reader.push(chunk, (payload) => payloads.push([...payload]));
  return payloads;
}

describe('FrameReader', () => {
  it('splits several frames out of one chunk', () => {
    expect(read([Buffer.concat([frame([1, 2]), frame([]), frame([3])])])).toEqual([[1, 2], [], [3]]);
  });

  it('joins a frame split anywhere, even inside its length', () => {
    const stream = Buffer.concat([frame([1, 2, 3, 4, 5]), frame([6])]);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(read([stream.subarray(0, cut), stream.subarray(cut)])).toEqual([[1, 2, 3, 4, 5], [6]]);
    }
    expect(read([...stream].map((byte) => Buffer.from([byte])))).toEqual([[1, 2, 3, 4, 5], [6]]);
  });
});
