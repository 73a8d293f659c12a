import { afterEach, describe, expect, it, vi } from 'vitest';
import { realTimers } from './real-timers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('realTimers', () => {
  it('keep running while the globals are faked', async () => {
    // The fake clock starts at 0, far from the real one: by default it starts at the real time,
    // and a test that compared the two then failed whenever both read the same millisecond.
    vi.useFakeTimers({
      now: 0,
      toFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'clearImmediate',
        'queueMicrotask',
        'performance',
        'Date',
      ],
    });
    const startedAt = realTimers.now();
    const epoch = realTimers.dateNow();
    expect(Date.now()).toBe(0); // the global clock is the fake one
    expect(epoch).toBeGreaterThan(1_600_000_000_000);
    await new Promise((resolve) => realTimers.setTimeout(resolve, 5));
    await new Promise((resolve) => realTimers.setImmediate(resolve));
    await new Promise<void>((resolve) => {
      realTimers.queueMicrotask(resolve);
    });
    await new Promise<void>((resolve) => {
      const interval = realTimers.setInterval(() => {
        realTimers.clearInterval(interval);
        resolve();
      }, 1);
    });
    expect(realTimers.now() - startedAt).toBeGreaterThanOrEqual(4);
    expect(realTimers.dateNow()).toBeGreaterThanOrEqual(epoch);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('queueMicrotask runs in the current turn, in order, before any macrotask', async () => {
    const order: string[] = [];
    realTimers.setImmediate(() => order.push('immediate'));
    realTimers.queueMicrotask(() => order.push('first'));
    queueMicrotask(() => order.push('global'));
    realTimers.queueMicrotask(() => order.push('second'));
    order.push('sync');
    await new Promise((resolve) => realTimers.setTimeout(resolve, 5));
    expect(order).toEqual(['sync', 'first', 'global', 'second', 'immediate']);
  });

  it("a callback's exception reaches uncaughtException, as a queueMicrotask callback's does", async () => {
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    try {
      const caught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
      realTimers.queueMicrotask(() => {
        throw new Error('from a microtask');
      });
      expect(await caught).toMatchObject({ message: 'from a microtask' });
    } finally {
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
  });

  it('cancels what it scheduled', async () => {
    let fired = 0;
    realTimers.clearTimeout(realTimers.setTimeout(() => fired++, 1));
    realTimers.clearImmediate(realTimers.setImmediate(() => fired++));
    await new Promise((resolve) => realTimers.setTimeout(resolve, 10));
    expect(fired).toBe(0);
  });
});
