import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeAdvertisement } from '../test/support/advertisements.js';
import { checkAdvertisement } from './checked-advertisement.js';
import {
  DATAGRAM_HEADER_BYTES,
  DATAGRAM_MAGIC,
  MAX_DATAGRAM_BYTES,
  decodeDatagram,
  encodeDatagram,
} from './datagram-codec.js';
import type { Datagram } from './datagram-codec.js';

const checked = checkAdvertisement(makeAdvertisement());
const sender = '0123456789abcdef';
const announce: Datagram = { kind: 'announce', sender, sequence: 7, leaseMs: 3500, checked };

function problemOf(bytes: Uint8Array): string | undefined {
  const decoded = decodeDatagram(bytes);
  return 'problem' in decoded ? decoded.problem : undefined;
}

/** A datagram with a valid header around an arbitrary payload. */
function framed(payload: string | Uint8Array, kind = 1, version = 1, magic = DATAGRAM_MAGIC): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const bytes = Buffer.alloc(DATAGRAM_HEADER_BYTES + body.byteLength);
  bytes.writeUInt32BE(magic, 0);
  bytes.writeUInt8(version, 4);
  bytes.writeUInt8(kind, 5);
  bytes.writeUInt16BE(body.byteLength & 0xffff, 6);
  body.copy(bytes, DATAGRAM_HEADER_BYTES);
  return bytes;
}

describe('datagram codec', () => {
  it.each<Datagram>([
    announce,
    { kind: 'goodbye', sender, sequence: 0xffffffff, topic: '价格.上证', publisherId: 'p-1' },
    { kind: 'query', sender, sequence: 1, topic: 'md.AAPL' },
    { kind: 'query', sender, sequence: 2, topic: undefined },
  ])('round-trips a $kind', (datagram) => {
    const bytes = encodeDatagram(datagram);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('SMLR');
    expect(decodeDatagram(bytes)).toEqual(datagram);
  });

  it('keeps the largest valid advertisement within the datagram limit', () => {
    const largest = checkAdvertisement(
      makeAdvertisement({
        publisherId: 'x'.repeat(64),
        addresses: Array<string>(64).fill('1234:5678:9abc:def0:1234:5678:9abc:def0%abcdefghijklmnopqrst'),
        host: { bootId: 'b'.repeat(128), ipcNamespace: 'i'.repeat(128), netNamespace: 'n'.repeat(128), hostname: 'h'.repeat(255) },
      }),
    );
    const bytes = encodeDatagram({ ...announce, checked: largest });
    expect(bytes.byteLength).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
    expect(decodeDatagram(bytes)).toEqual({ ...announce, checked: largest });
  });

  it.each([
    [Buffer.alloc(5), 'shorter than the header'],
    [Buffer.alloc(MAX_DATAGRAM_BYTES + 1), 'the limit is'],
    [framed('{}', 1, 1, 0x12345678), 'bad magic'],
    [framed('{}', 1, 2), 'unsupported version 2'],
    [framed('{}', 9), 'unknown kind 9'],
    [Buffer.concat([framed('{}'), Buffer.from('x')]), 'payload length 2 does not match the datagram size 23'],
    [framed(new Uint8Array([0x7b, 0xc3, 0x7d])), 'not UTF-8 JSON'],
    [framed('[1]'), 'not a JSON object'],
    [framed(`{"leaseMs":50,"advertisement":${checked.json}}`), 'leaseMs must be an integer from 100'],
    [framed('{"leaseMs":1000,"advertisement":{"version":1}}'), 'announcement: invalid advertisement: topic'],
    [framed('{"topic":"a b","publisherId":"p"}', 2), 'goodbye: topic is not a valid topic name'],
    [framed('{"topic":"md.AAPL","publisherId":"p q"}', 2), 'goodbye: publisherId must match'],
    [framed('{"topic":"/x"}', 3), 'query: topic is not a valid topic name'],
  ])('refuses %#: %s', (bytes, problem) => {
    expect(problemOf(bytes)).toContain(problem);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(problemOf(bytes)).toBeTypeOf('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary payloads behind a valid header, of any kind', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.anything(), (kind, value) => {
        const text = JSON.stringify(value) as string | undefined;
        const decoded = decodeDatagram(framed(text ?? 'null', kind));
        if (!('problem' in decoded)) expect([1, 2, 3]).toContain(kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses any change to magic, version or length, and any kind but a query over an announcement', () => {
    const valid = encodeDatagram(announce);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 255 }), (offset, byte) => {
        fc.pre(valid[offset] !== byte);
        const bytes = Buffer.from(valid);
        bytes[offset] = byte;
        const decoded = decodeDatagram(bytes);
        // An announcement's payload has no "topic": read as a query it asks for every topic.
        if (offset === 5 && byte === 3) expect(decoded).toMatchObject({ kind: 'query', topic: undefined });
        else expect(decoded).toHaveProperty('problem');
      }),
      { numRuns: 2000 },
    );
  });
});
