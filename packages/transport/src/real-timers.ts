import * as nodeTimers from 'node:timers';
import { performance as nodePerformance } from 'node:perf_hooks';

const resolved = Promise.resolve();

/**
 * The event loop's timers and clocks as they were when this module loaded, for every Seamless
 * package to schedule and measure with instead of the globals.
 *
 * Test runners replace those globals: jest's and vitest's fake timers
 * (`@sinonjs/fake-timers`) swap `setTimeout`, `setImmediate`, `queueMicrotask`,
 * `process.nextTick`, `performance` and `Date`, and the exports of `node:timers`. A user's test
 * that fakes time must still get its messages, so nothing Seamless does on its own behalf may
 * wait on a faked timer. The functions are taken when this module loads, from `node:timers` and
 * `node:perf_hooks` rather than `globalThis`: jest's sandbox shares those modules with the real
 * process and fakes only its own globals, so there they stay real even when the clock is faked
 * before Seamless loads (`fakeTimers.enableGlobally`); elsewhere, fake the clock after loading
 * Seamless, as a test's `beforeEach` does. `queueMicrotask` is a resolved promise's `then`,
 * which no fake clock can replace; an exception it throws is rethrown on a fresh macrotask, so
 * it reaches `uncaughtException` as a `queueMicrotask` callback's would.
 */
export const realTimers = Object.freeze({
  setTimeout: nodeTimers.setTimeout,
  clearTimeout: nodeTimers.clearTimeout,
  setInterval: nodeTimers.setInterval,
  clearInterval: nodeTimers.clearInterval,
  setImmediate: nodeTimers.setImmediate,
  clearImmediate: nodeTimers.clearImmediate,
  /** Runs `callback` in a microtask of the current turn, like the global `queueMicrotask`. */
  queueMicrotask(callback: () => void): void {
    // One promise per call (this runs once per wake-up of a subscription).
    void resolved.then(() => {
      try {
        callback();
      } catch (error) {
        nodeTimers.setImmediate(() => {
          throw error;
        });
      }
    });
  },
  /** Milliseconds on the monotonic clock, like `performance.now()`. */
  now: nodePerformance.now.bind(nodePerformance),
  /** Milliseconds since the epoch, like `Date.now()`. */
  dateNow: Date.now,
});
