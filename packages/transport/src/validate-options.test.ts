import { describe, expect, it } from 'vitest';
import { errorOf } from '@seamless/test-support';
import {
  validateDeliveryPolicy,
  validateHistory,
  validateIdleStrategy,
  validateMessageSize,
  validateOptionsObject,
  validatePublicationOptions,
  validateSubscriptionOptions,
} from './validate-options.js';

describe('option validation, the same for every package', () => {
  it('accepts what is valid and returns fresh copies', () => {
    expect(validateDeliveryPolicy('latest', 'w')).toBe('latest');
    expect(validateIdleStrategy('spin', 'w')).toBe('spin');
    const idle = { spinMicros: 50, extra: 1 };
    expect(validateIdleStrategy(idle, 'w')).toEqual({ spinMicros: 50 });
    expect(validateMessageSize(0, 'w')).toBe(0);
    expect(validateOptionsObject(undefined, 'w')).toEqual({});
    expect(validatePublicationOptions({ topic: 'a.b', publisherId: 'p-1', policy: 'reliable', maxMessageSize: 10 }, 'w')).toEqual({
      topic: 'a.b',
      publisherId: 'p-1',
      policy: 'reliable',
      maxMessageSize: 10,
      history: 0,
    });
    expect(validateHistory(65_536, 'w')).toBe(65_536);
    expect(validateSubscriptionOptions({ history: false }, 'w')).toEqual({ history: false });
    expect(validateSubscriptionOptions({}, 'w')).toEqual({});
    expect(validateSubscriptionOptions({ idle: 'park', copy: true, maxMessageSize: 5 }, 'w')).toEqual({
      idle: 'park',
      copy: true,
      maxMessageSize: 5,
    });
  });

  it.each([
    [() => validateDeliveryPolicy('best-effort', 'publisher()'), `publisher(): policy must be one of reliable, latest, got "best-effort"`],
    [
      () => validateIdleStrategy({ spinMicros: -1 }, 'subscriber()'),
      `subscriber(): idle must be 'park', 'spin' or { spinMicros: number >= 0 }, got an object`,
    ],
    [
      () => validateIdleStrategy({ spinMicros: Number.POSITIVE_INFINITY }, 'w'),
      `w: idle must be 'park', 'spin' or { spinMicros: number >= 0 }, got an object`,
    ],
    [() => validateIdleStrategy(null, 'w'), `w: idle must be 'park', 'spin' or { spinMicros: number >= 0 }, got null`],
    [() => validateMessageSize(1.5, 'w'), 'w: maxMessageSize must be a non-negative integer, got 1.5'],
    [() => validateMessageSize('10', 'w'), 'w: maxMessageSize must be a non-negative integer, got "10"'],
    [() => validateOptionsObject([], 'w'), 'w: options must be an object, got an array'],
    [() => validateSubscriptionOptions({ copy: 'yes' }, 'w'), 'w: copy must be a boolean, got "yes"'],
    [
      () => validateSubscriptionOptions({ maxMesageSize: 1 }, 'w'),
      'w: unknown option "maxMesageSize"; known are idle, copy, maxMessageSize, history',
    ],
    [
      () => validatePublicationOptions({ topic: 'a', publisherId: 'p', policy: 'reliable', maxMessageSize: 1, histroy: 1 }, 'w'),
      'w: unknown option "histroy"',
    ],
    [
      () => validatePublicationOptions({ topic: 'a', publisherId: 'p', policy: 'reliable', maxMessageSize: 1, history: 65_537 }, 'w'),
      'w: history must be an integer from 0 to 65536, got 65537',
    ],
    [() => validateHistory(-1, 'w'), 'w: history must be an integer from 0 to 65536, got -1'],
    [() => validateSubscriptionOptions({ history: 0 }, 'w'), 'w: history must be a boolean, got 0'],
    [
      () => validatePublicationOptions({ topic: 'a', publisherId: 'x'.repeat(65), policy: 'reliable', maxMessageSize: 1 }, 'w'),
      'w: publisherId must be 1 to 64 characters',
    ],
  ])('refuses with ERR_INVALID_ARGUMENT: %s', (call, message) => {
    const error = errorOf(call) as { code: string; message: string };
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain(message);
  });

  it('refuses a bad topic with ERR_TOPIC_INVALID', () => {
    expect(
      errorOf(() => validatePublicationOptions({ topic: '/x', publisherId: 'p', policy: 'reliable', maxMessageSize: 1 }, 'w')),
    ).toMatchObject({
      code: 'ERR_TOPIC_INVALID',
    });
  });
});
