import { describe, expect, it } from 'vitest';
import { advertisementOf, errorOf } from '@seamless/test-support';
import { SeamlessError } from '@seamless/transport';
import { parseShmEndpoint, shmEndpointOf } from './shm-endpoint.js';

const valid = { segment: '/seamless-1000-abcdef', nonce: '0123456789abcdef0123456789abcdef' };

function problemOf(value: unknown): string | undefined {
  try {
    parseShmEndpoint(value);
    return undefined;
  } catch (error) {
    if (!SeamlessError.isInstance(error, 'ERR_ADVERTISEMENT_INVALID')) throw error;
    return error.message;
  }
}

describe('parseShmEndpoint', () => {
  it('returns a frozen copy holding only the segment and the nonce', () => {
    const parsed = parseShmEndpoint({ ...valid, extra: 1 });
    expect(parsed).toEqual(valid);
    expect(Object.isFrozen(parsed)).toBe(true);
  });

  it.each([
    ['segment', 'no-slash', 'endpoints.shm.segment must match'],
    ['segment', '/../etc/passwd', 'endpoints.shm.segment must match'],
    ['segment', `/${'a'.repeat(251)}`, 'endpoints.shm.segment must match'],
    ['segment', 7, 'endpoints.shm.segment must match /[A-Za-z0-9._-]+ (at most 251 characters), got 7'],
    ['nonce', 'ABC', 'endpoints.shm.nonce must be 32 lowercase hex digits, got "ABC"'],
    ['nonce', undefined, 'endpoints.shm.nonce must be 32 lowercase hex digits'],
  ])('refuses %s = %j', (field, value, message) => {
    expect(problemOf({ ...valid, [field]: value })).toContain(message);
  });

  it('refuses an entry that is not an object', () => {
    expect(problemOf('/seamless-1')).toBe('invalid advertisement: endpoints.shm must be an object, got "/seamless-1"');
  });

  it('says ERR_ADVERTISEMENT_INVALID when an advertisement offers no shared memory, as every transport does', () => {
    const advertisement = advertisementOf({ topic: 't', publisherId: 'p', maxMessageSize: 1, endpoints: { tcp: { port: 1, tls: false } } });
    expect(errorOf(() => shmEndpointOf(advertisement))).toMatchObject({
      code: 'ERR_ADVERTISEMENT_INVALID',
      message: 'invalid advertisement: endpoints.shm is missing: publisher p offers no shm endpoint',
    });
    expect(shmEndpointOf({ ...advertisement, endpoints: { shm: valid } })).toEqual(valid);
    // A kind named like an Object method reads no prototype.
    expect(
      errorOf(() => shmEndpointOf({ ...advertisement, endpoints: Object.create({ shm: valid }) as Record<string, unknown> })),
    ).toMatchObject({
      code: 'ERR_ADVERTISEMENT_INVALID',
    });
  });
});
