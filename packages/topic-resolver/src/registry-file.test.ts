import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeAdvertisement } from '../test/support/advertisements.js';
import { checkAdvertisement } from './checked-advertisement.js';
import type { ProcessOwner } from './process-owner.js';
import {
  MAX_REGISTRY_FILE_BYTES,
  decodeRegistryEntry,
  encodeRegistryEntry,
  isTemporaryFileName,
  parseRegistryFileName,
  registryFileName,
  temporaryFileName,
  topicKey,
} from './registry-file.js';

const owner: ProcessOwner = { pid: 4242, startTime: '98868', bootId: 'boot-1', pidNamespace: 'pid:[4026531836]' };
const checked = checkAdvertisement(makeAdvertisement());
const name = registryFileName('md.AAPL', checked.advertisement.publisherId);
const encode = (text: string) => new TextEncoder().encode(text);
const valid = JSON.parse(encodeRegistryEntry(owner, 5000, checked)) as Record<string, unknown>;

function problemOf(bytes: Uint8Array, fileName = name): string | undefined {
  const decoded = decodeRegistryEntry(fileName, bytes);
  return 'problem' in decoded ? decoded.problem : undefined;
}

describe('registry file names', () => {
  it('hash the topic and keep the publisher id', () => {
    expect(topicKey('md.AAPL')).toMatch(/^[0-9a-f]{32}$/);
    expect(topicKey('价格.上证/'.repeat(20))).toHaveLength(32);
    expect(name).toBe(`${topicKey('md.AAPL')}.p-0123456789abcdef.json`);
    expect(parseRegistryFileName(name)).toEqual({ topicKey: topicKey('md.AAPL'), publisherId: 'p-0123456789abcdef' });
    expect(parseRegistryFileName('notes.txt')).toBeUndefined();
    expect(parseRegistryFileName(`${topicKey('x')}.a b.json`)).toBeUndefined();
    const temporary = temporaryFileName(name);
    expect(isTemporaryFileName(temporary)).toBe(true);
    expect(parseRegistryFileName(temporary)).toBeUndefined();
    expect(temporaryFileName(name)).not.toBe(temporary);
  });
});

describe('registry file content', () => {
  it('round-trips owner, lease and advertisement', () => {
    const decoded = decodeRegistryEntry(name, encode(encodeRegistryEntry(owner, 5000, checked)));
    expect(decoded).toEqual({ entry: { owner, leaseMs: 5000, checked } });
    const unknownOwner = { ...owner, startTime: null, bootId: null, pidNamespace: null };
    expect(decodeRegistryEntry(name, encode(encodeRegistryEntry(unknownOwner, 1, checked)))).toEqual({
      entry: { owner: unknownOwner, leaseMs: 1, checked },
    });
  });

  it.each([
    [{ ...valid, format: 'other' }, 'format is not seamless-registry-entry'],
    [{ ...valid, version: 2 }, 'version 2 is not supported'],
    [{ ...valid, leaseMs: 0 }, 'leaseMs must be an integer'],
    [{ ...valid, owner: { ...owner, pid: 0 } }, 'owner.pid must be a positive integer'],
    [{ ...valid, owner: { ...owner, startTime: 12 } }, 'owner.startTime must be a decimal string or null'],
    [{ ...valid, owner: { ...owner, bootId: '' } }, 'owner.bootId must be a string'],
    [{ ...valid, owner: [] }, 'owner must be an object'],
    [{ ...valid, advertisement: { ...makeAdvertisement(), policy: 'x' } }, 'invalid advertisement: policy'],
    [{ ...valid, advertisement: makeAdvertisement({ topic: 'md.MSFT' }) }, 'does not match the file name'],
    [{ ...valid, advertisement: makeAdvertisement({ publisherId: 'other' }) }, 'does not match the file name'],
    [[], 'not a JSON object'],
  ])('refuses %j', (value, problem) => {
    expect(problemOf(encode(JSON.stringify(value)))).toContain(problem);
  });

  it('refuses oversized files, bad UTF-8 and names that are not entries', () => {
    expect(problemOf(new Uint8Array(MAX_REGISTRY_FILE_BYTES + 1))).toContain('the limit is');
    expect(problemOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toContain('not UTF-8 JSON');
    expect(problemOf(encode(encodeRegistryEntry(owner, 5000, checked)), 'x.json')).toContain('not a registry entry name');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expect(problemOf(bytes)).toBeTypeOf('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('never accepts or throws on mutated entries unless the mutation leaves them valid', () => {
    const fields = ['format', 'version', 'owner', 'leaseMs', 'advertisement'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const decoded = decodeRegistryEntry(name, encode(JSON.stringify({ ...valid, [field]: value })));
        if ('entry' in decoded) expect(JSON.stringify(value)).toBe(JSON.stringify(valid[field]));
      }),
      { numRuns: 1000 },
    );
  });
});
