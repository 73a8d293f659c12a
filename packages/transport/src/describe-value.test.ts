import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value.js';
import { transportKindProblem } from './transport-kind.js';

describe('describeValue', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['best-effort', '"best-effort"'],
    ['x'.repeat(50), `"${'x'.repeat(40)}…"`],
    [1.5, '1.5'],
    [true, 'true'],
    [10n, '10'],
    [[1], 'an array'],
    [{}, 'an object'],
    [Object.create(null), 'an object'],
    [new Map(), 'a Map'],
    [new Uint8Array(1), 'a Uint8Array'],
    [() => 1, 'a function'],
    [Symbol('s'), 'symbol'],
  ])('describes %s as %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});

describe('transportKindProblem', () => {
  it.each(['shm', 'tcp', 'unix-socket', 'a', 'x'.repeat(32), 'rdma2'])('accepts %j', (kind) => {
    expect(transportKindProblem(kind)).toBeUndefined();
  });

  it.each(['', 'Shm', '1tcp', '-x', 'a_b', 'a b', 'x'.repeat(33), 7, undefined])('refuses %j', (kind) => {
    expect(transportKindProblem(kind)).toMatch(/^must be 1 to 32 characters/);
  });
});
