import { MAX_TOPIC_BYTES, isTopicPattern, topicPatternProblem, topicProblem } from '@seamless/transport';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeAdvertisement } from '../../test/support/advertisements.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import {
  BATCH_DATAGRAM_BYTES,
  DATAGRAM_HEADER_BYTES,
  DATAGRAM_MAGIC,
  DATAGRAM_VERSION,
  MAX_BATCH_ENTRIES,
  MAX_DATAGRAM_BYTES,
  MAX_QUERY_DATAGRAM_BYTES,
  announcePayloadBytes,
  decodeDatagram,
  encodeDatagram,
  goodbyePayloadBytes,
  publisherKeyJson,
} from './datagram-codec.js';
import type { Datagram } from './datagram-codec.js';

const checked = checkAdvertisement(makeAdvertisement());
const sender = '0123456789abcdef';
const announce: Datagram = { kind: 'announce', sender, sequence: 7, leaseMs: 3500, round: 3, advertisements: [checked] };

function problemOf(bytes: Uint8Array): string | undefined {
  const decoded = decodeDatagram(bytes);
  return 'problem' in decoded ? decoded.problem : undefined;
}

/** A datagram with a valid header around an arbitrary payload. */
function framed(payload: string | Uint8Array, kind = 1, version = DATAGRAM_VERSION, magic = DATAGRAM_MAGIC): Buffer {
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
  const other = checkAdvertisement(makeAdvertisement({ publisherId: 'p-2', topic: 'md/MSFT' }));
  it.each<Datagram>([
    announce,
    { ...announce, round: 0xffffffff, advertisements: [checked, other] },
    {
      kind: 'goodbye',
      sender,
      sequence: 0xffffffff,
      withdrawn: [
        { topic: '价格.上证', publisherId: 'p-1' },
        { topic: 'a', publisherId: 'b' },
      ],
    },
    { kind: 'goodbye', sender, sequence: 3, withdrawn: 'all' },
    { kind: 'query', sender, sequence: 1, scope: { topic: 'md.AAPL' } },
    { kind: 'query', sender, sequence: 1, scope: { topic: 'md.>' } },
    { kind: 'query', sender, sequence: 1, scope: { topic: '*.us/*' } },
    { kind: 'query', sender, sequence: 2, scope: { everything: true } },
    { kind: 'query', sender, sequence: 2, scope: { sender: 'fedcba9876543210' } },
    { kind: 'heartbeat', sender, sequence: 9, leaseMs: 3500, count: 10_000, digest: 0xdeadbeef, round: 2, running: true },
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
    const bytes = encodeDatagram({ ...announce, round: 0xffffffff, advertisements: [largest] });
    expect(bytes.byteLength).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
    expect(decodeDatagram(bytes)).toEqual({ ...announce, round: 0xffffffff, advertisements: [largest] });
  });

  it('computes the sizes the outbox packs batches by, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 0xffffffff }), (entries, round) => {
        const list = Array.from({ length: entries }, (_, index) => checkAdvertisement(makeAdvertisement({ publisherId: `p${index}` })));
        const jsonBytes = list.reduce((sum, entry) => sum + Buffer.byteLength(entry.json), 0);
        const bytes = encodeDatagram({ ...announce, round, advertisements: list });
        expect(bytes.byteLength).toBe(DATAGRAM_HEADER_BYTES + announcePayloadBytes(3500, round, entries, jsonBytes));
        const keys = list.map((entry) => entry.advertisement);
        const goodbye = encodeDatagram({ kind: 'goodbye', sender, sequence: 1, withdrawn: keys });
        const keyBytes = keys.reduce((sum, key) => sum + Buffer.byteLength(publisherKeyJson(key)), 0);
        expect(goodbye.byteLength).toBe(DATAGRAM_HEADER_BYTES + goodbyePayloadBytes(entries, keyBytes));
      }),
      { numRuns: 50 },
    );
    expect(BATCH_DATAGRAM_BYTES).toBeLessThanOrEqual(1500 - 20 - 8);
  });

  it.each([
    [Buffer.alloc(5), 'shorter than the header'],
    [Buffer.alloc(MAX_DATAGRAM_BYTES + 1), 'the limit is'],
    [framed('{}', 1, DATAGRAM_VERSION, 0x12345678), 'bad magic'],
    [framed('{}', 1, 1), 'unsupported version 1 (this resolver speaks 2)'],
    [framed('{}', 1, 3), 'unsupported version 3'],
    [framed('{}', 9), 'unknown kind 9'],
    [Buffer.concat([framed('{}'), Buffer.from('x')]), 'payload length 2 does not match the datagram size 23'],
    [framed(new Uint8Array([0x7b, 0xc3, 0x7d])), 'not UTF-8 JSON'],
    [framed('[1]'), 'not a JSON object'],
    [framed(`{"leaseMs":50,"round":0,"advertisements":[${checked.json}]}`), 'leaseMs must be an integer from 100'],
    [framed(`{"leaseMs":1000,"round":-1,"advertisements":[${checked.json}]}`), 'round must be a uint32'],
    [framed('{"leaseMs":1000,"round":0,"advertisements":[]}'), 'advertisements must be an array of 1 to'],
    [
      framed(
        `{"leaseMs":1000,"round":0,"advertisements":[${Array<string>(MAX_BATCH_ENTRIES + 1)
          .fill('{}')
          .join(',')}]}`,
      ),
      'array of 1 to 256',
    ],
    [framed(`{"leaseMs":1000,"round":0,"advertisements":[${checked.json},{"version":1}]}`), 'announcement 1: invalid advertisement: topic'],
    [framed('{"withdrawn":[{"topic":"a b","publisherId":"p"}]}', 2), 'goodbye: topic is not a valid topic name'],
    [framed('{"withdrawn":[{"topic":"md.AAPL","publisherId":"p q"}]}', 2), 'goodbye: publisherId must be 1 to 64 characters'],
    [framed('{"withdrawn":["md.AAPL"]}', 2), 'goodbye: each withdrawn entry must be an object'],
    [framed('{"all":true,"withdrawn":[]}', 2), 'goodbye must be {"all":true} or withdraw'],
    [framed('{"all":1}', 2), 'goodbye must be {"all":true} or withdraw'],
    [framed('{"topic":"/x"}', 3), 'query: topic is not a valid topic name or pattern'],
    [framed('{"topic":"md.>.x"}', 3), 'query: topic is not a valid topic name or pattern'],
    [framed('{"topic":"md.A*"}', 3), 'query: topic is not a valid topic name or pattern'],
    [framed('{"topic":"md.*","depth":2}', 3), 'query: unknown field "depth" (another kind of query)'],
    [framed('{"pattern":"md.>"}', 3), 'query: unknown field "pattern"'],
    [framed('{"regex":".*"}', 3), 'query: unknown field "regex"'],
    [framed('{"sender":"ABCDEF0123456789"}', 3), 'query: sender must be 16 lowercase hex digits'],
    [framed('{"sender":"abcdef0123456789","topic":"a"}', 3), 'not both'],
    [framed('{"leaseMs":1000,"count":-1,"digest":0,"round":0,"running":false}', 4), 'heartbeat count must be'],
    [framed('{"leaseMs":1000,"count":1,"digest":4294967296,"round":0,"running":false}', 4), 'heartbeat digest must be a uint32'],
    [framed('{"leaseMs":1000,"count":1,"digest":1,"round":1.5,"running":false}', 4), 'heartbeat round must be a uint32'],
    [framed('{"leaseMs":1000,"count":1,"digest":1,"round":1,"running":0}', 4), 'heartbeat running must be a boolean'],
    [framed('{"leaseMs":99,"count":1,"digest":1,"round":1,"running":false}', 4), 'heartbeat leaseMs must be'],
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
        if (!('problem' in decoded)) expect([1, 2, 3, 4]).toContain(kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses any change to magic, version, kind or length of an announcement', () => {
    const valid = encodeDatagram(announce);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 255 }), (offset, byte) => {
        fc.pre(valid[offset] !== byte);
        const bytes = Buffer.from(valid);
        bytes[offset] = byte;
        // Read as a query, an announcement's payload has fields no query has: it is ignored,
        // never taken for a query of everything.
        expect(decodeDatagram(bytes)).toHaveProperty('problem');
      }),
      { numRuns: 2000 },
    );
  });
});

// Patterns over levels of letters of several scripts, digits and punctuation, up to the
// 255-byte limit: the query carries them as written.
const patternLevel = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_:@+=~-]{1,12}$/),
  fc.constantFrom('价格', 'Äpfel', 'ü', '𝔸𝔹'),
  fc.constantFrom('*'),
);
const patternText = fc
  .array(fc.tuple(patternLevel, fc.constantFrom('.', '/')), { minLength: 1, maxLength: 8 })
  .chain((pairs) =>
    fc.boolean().map((rest) => {
      const levels: string[] = pairs.map(([text]) => text);
      if (rest) levels[levels.length - 1] = '>';
      return levels.map((text, index) => (index === levels.length - 1 ? text : text + (pairs[index]?.[1] ?? '.'))).join('');
    }),
  )
  .filter((text) => topicPatternProblem(text) === undefined && isTopicPattern(text));

describe('datagram codec: pattern queries', () => {
  it('round-trips a query of any valid pattern, within the stated size', () => {
    fc.assert(
      fc.property(patternText, fc.integer({ min: 0, max: 0xffffffff }), (topic, sequence) => {
        const datagram: Datagram = { kind: 'query', sender, sequence, scope: { topic } };
        const bytes = encodeDatagram(datagram);
        expect(decodeDatagram(bytes)).toEqual(datagram);
        expect(bytes.byteLength).toBeLessThanOrEqual(MAX_QUERY_DATAGRAM_BYTES);
      }),
      { numRuns: 1000 },
    );
    // 1 + 84 × 3 + 2 bytes of UTF-8.
    const longest = `x${'价'.repeat(84)}.>`;
    expect(Buffer.byteLength(longest)).toBe(MAX_TOPIC_BYTES);
    const bytes = encodeDatagram({ kind: 'query', sender, sequence: 1, scope: { topic: longest } });
    expect(bytes.byteLength).toBe(MAX_QUERY_DATAGRAM_BYTES);
    expect(MAX_QUERY_DATAGRAM_BYTES).toBe(287);
  });

  it('is refused by the topic rule of the releases before patterns, so they ignore it rather than answer with everything', () => {
    // Those releases checked a query's "topic" with topicProblem and answered every query
    // without one as a query of everything.
    fc.assert(
      fc.property(patternText, (topic) => {
        expect(topicProblem(topic)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it('survives any change to any byte of a pattern query: refused, or still a query of one valid scope', () => {
    fc.assert(
      fc.property(patternText, fc.nat(), fc.integer({ min: 0, max: 255 }), (topic, at, byte) => {
        const valid = encodeDatagram({ kind: 'query', sender, sequence: 5, scope: { topic } });
        const offset = at % valid.byteLength;
        fc.pre(valid[offset] !== byte);
        const bytes = Buffer.from(valid);
        bytes[offset] = byte;
        const decoded = decodeDatagram(bytes);
        if ('problem' in decoded) return;
        expect(decoded.kind).toBe('query');
        if (decoded.kind !== 'query') return;
        // The payload keeps its one field: a changed byte can never make it a query of everything.
        expect(decoded.scope).not.toHaveProperty('everything');
        if ('topic' in decoded.scope) expect(topicPatternProblem(decoded.scope.topic)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a query of everything only from an empty payload', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }), (record) => {
        const decoded = decodeDatagram(framed(JSON.stringify(record), 3));
        if (!('problem' in decoded) && decoded.kind === 'query' && 'everything' in decoded.scope) expect(record).toEqual({});
      }),
      { numRuns: 2000 },
    );
  });
});
