import type { ProcessIdentity } from '@seamless/local-addrs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeAdvertisement } from '../../test/support/advertisements.js';
import { checkAdvertisement } from '../checked-advertisement.js';
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

const owner: ProcessIdentity = {
  pid: 4242,
  startTime: 98868,
  pidNamespace: 4026531836,
  bootId: 'boot-1',
  presence: '9f86d081884c7d65',
  presenceDevice: 27,
};
const instance = '4be1c0ffee0ddba1';
const checked = checkAdvertisement(makeAdvertisement());
const name = registryFileName('md.AAPL', checked.advertisement.publisherId);
const encode = (text: string) => new TextEncoder().encode(text);
const valid = JSON.parse(encodeRegistryEntry(owner, instance, 5000, checked)) as Record<string, unknown>;

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
  it('round-trips owner, instance, lease and advertisement', () => {
    const decoded = decodeRegistryEntry(name, encode(encodeRegistryEntry(owner, instance, 5000, checked)));
    expect(decoded).toEqual({ entry: { owner, instance, leaseMs: 5000, checked } });
    // Where /proc is missing and no presence pipe exists, the unknown fields are 0 and ''.
    const unknownOwner = { ...owner, startTime: 0, bootId: '', pidNamespace: 0, presence: '', presenceDevice: 0 };
    expect(decodeRegistryEntry(name, encode(encodeRegistryEntry(unknownOwner, instance, 1, checked)))).toEqual({
      entry: { owner: unknownOwner, instance, leaseMs: 1, checked },
    });
  });

  it('writes only the identity fields of the owner', () => {
    const text = encodeRegistryEntry({ ...owner, extra: 'x' } as ProcessIdentity, instance, 5000, checked);
    expect(Object.keys((JSON.parse(text) as { owner: object }).owner)).toEqual([
      'pid',
      'startTime',
      'pidNamespace',
      'bootId',
      'presence',
      'presenceDevice',
    ]);
  });

  it.each([
    [{ ...valid, format: 'other' }, 'format is not seamless-registry-entry'],
    [{ ...valid, version: 1 }, 'version 1 is not supported (this reader knows 2)'],
    [{ ...valid, leaseMs: 0 }, 'leaseMs must be an integer'],
    [{ ...valid, owner: { ...owner, pid: 0 } }, 'owner.pid must be a positive integer'],
    [{ ...valid, owner: { ...owner, startTime: '98868' } }, 'owner.startTime must be a non-negative integer'],
    [{ ...valid, owner: { ...owner, pidNamespace: -1 } }, 'owner.pidNamespace must be a non-negative integer'],
    [{ ...valid, owner: { ...owner, presenceDevice: 1.5 } }, 'owner.presenceDevice must be a non-negative integer'],
    [{ ...valid, owner: { ...owner, bootId: 'b'.repeat(129) } }, 'owner.bootId must be a string'],
    [{ ...valid, owner: { ...owner, presence: '../../etc' } }, 'owner.presence must be empty or 16 hex digits'],
    [{ ...valid, instance: 'ABC' }, 'instance must be 16 hex digits'],
    [{ ...valid, instance: undefined }, 'instance must be 16 hex digits'],
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
    expect(problemOf(encode(encodeRegistryEntry(owner, instance, 5000, checked)), 'x.json')).toContain('not a registry entry name');
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
