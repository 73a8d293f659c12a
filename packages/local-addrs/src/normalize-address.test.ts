import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { isLoopbackAddress, isUnspecifiedAddress, normalizeAddress, parseAddress } from './normalize-address.js';

describe('normalizeAddress', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['fe80::1%eth0', 'fe80::1'],
    ['fe80::1%2', 'fe80::1'],
    ['FE80::ABCD%enp0s3', 'fe80::abcd'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['::ffff:a01:203', '10.1.2.3'],
    ['0:0:0:0:0:ffff:192.168.1.7', '192.168.1.7'],
    ['::', '::'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    '',
    'localhost',
    'example.com',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.4 ',
    ':::1',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8', // "::" must stand for at least one group
    '12345::1',
    'fe80::1%',
    'fe80::1%eth 0',
    '1.2.3.4::1',
    '::ffff:1.2.3.256',
    '[::1',
    'x'.repeat(100),
  ])('refuses %j', (input) => {
    expect(normalizeAddress(input)).toBeUndefined();
    expect(() => parseAddress(input)).toThrowError(/is not an IPv4 or IPv6 address/);
  });

  it('parseAddress throws ERR_ADDRESS_INVALID', () => {
    let caught: unknown;
    try {
      parseAddress('nope');
    } catch (error) {
      caught = error;
    }
    expect(SeamlessError.isInstance(caught, 'ERR_ADDRESS_INVALID')).toBe(true);
  });

  it('never throws, and agrees with node:net on what is an address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.ipV4Extended()), (text) => {
        const normalized = normalizeAddress(text);
        if (isIP(text) !== 0) {
          expect(normalized).toBeTypeOf('string');
          expect(isIP(normalized ?? '')).not.toBe(0);
          // Normalising is idempotent.
          expect(normalizeAddress(normalized ?? '')).toBe(normalized);
        }
        if (normalized !== undefined) expect(isIP(normalized)).not.toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the WHATWG URL serialiser on IPv6 compression', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const normalized = normalizeAddress(text) ?? '';
        if (normalized.includes(':')) {
          expect(normalized).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1));
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['10.127.0.1', false],
    ['::2', false],
    ['127.example', false],
    // Any spelling, as advertised by a peer:
    ['0:0:0:0:0:0:0:1', true],
    ['::0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:7f00:1', true],
    ['::1%lo', true],
    ['[::1]', true],
    ['::ffff:10.0.0.1', false],
    ['fe80::1%eth0', false],
    ['::', false],
    ['localhost', false],
    ['', false],
    ['127.0.0.256', false],
  ])('%s -> %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});

describe('isUnspecifiedAddress', () => {
  it.each([
    ['0.0.0.0', true],
    ['::', true],
    ['0:0::0', true],
    ['::ffff:0.0.0.0', true],
    ['0.0.0.1', false],
    ['::1', false],
    ['nothing', false],
  ])('%s -> %s', (address, expected) => {
    expect(isUnspecifiedAddress(address)).toBe(expected);
  });
});
