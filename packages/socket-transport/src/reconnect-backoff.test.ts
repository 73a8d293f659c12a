import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './reconnect-backoff.js';

describe('reconnectDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const parameters = { initialDelayMs: 100, maxDelayMs: 5000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 100].map((attempt) => reconnectDelay(attempt, parameters))).toEqual([
      100, 200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
  });

  it('takes the random fraction off the top', () => {
    const parameters = { initialDelayMs: 1000, maxDelayMs: 1000, jitter: 0.5 };
    expect(reconnectDelay(0, parameters, () => 0)).toBe(1000);
    expect(reconnectDelay(0, parameters, () => 0.5)).toBe(750);
    expect(reconnectDelay(0, parameters, () => 0.999_999)).toBe(500);
  });

  it('stays within [delay * (1 - jitter), delay] and at least 1 ms', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (attempt, initialDelayMs, extra, jitter, draw) => {
          const maxDelayMs = initialDelayMs + extra;
          const delay = reconnectDelay(attempt, { initialDelayMs, maxDelayMs, jitter }, () => draw);
          const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 40));
          expect(delay).toBeGreaterThanOrEqual(Math.max(1, Math.floor(ceiling * (1 - jitter))));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
