import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Child, killChildren } from '@seamless/test-support';

// Test runners replace the timer globals: jest's and vitest's fake timers are
// @sinonjs/fake-timers, which fakes setTimeout, setInterval, setImmediate, queueMicrotask,
// performance, hrtime, Date and the exports of `node:timers`. A user's program that fakes time
// must still see its messages delivered: nothing on Seamless's path may depend on those. Each
// case runs in a child process that imports Seamless, then fakes the clock.
//
// Not covered: a faked `process.nextTick` of the real process (sinon's bare `install()` does
// it; vitest refuses to, jest fakes only its sandbox's `process`). Node's own `net` schedules
// with it (a server's 'listening', a socket's first read), so no socket works under it, in any
// library. The jest case, in the release rehearsal, fakes everything jest fakes.

const consumer = fileURLToPath(new URL('./fixtures/fake-timers-consumer.mjs', import.meta.url));

let directory = '';
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'seamless-fake-timers-'));
});
afterEach(async () => {
  await killChildren();
  rmSync(directory, { recursive: true, force: true });
});

interface Result {
  texts: string[];
  transports: string[];
  timers: number;
}

// What the clock leaves real: vi.useFakeTimers()'s default, and everything sinon fakes but
// process.nextTick.
const installs = {
  "vitest's vi.useFakeTimers() default": ['nextTick', 'queueMicrotask'],
  'everything but process.nextTick': ['nextTick'],
};

describe.each(Object.entries(installs))('a program under @sinonjs/fake-timers faking %s', (_name, keepReal) => {
  it.each([
    ['shm', {}],
    ['tcp', { shm: false }],
  ] as const)(
    'creates a bus, exchanges messages over %s and closes, never touching the fake clock',
    async (transport, options) => {
      const child = Child.start(consumer, [JSON.stringify({ directory, keepReal, ...options })]);
      const result = await child.next<Result>((message) => message['type'] === 'result', 60_000);
      expect(result.texts).toEqual(['one', 'two', 'three']);
      expect(result.transports).toEqual([transport]);
      expect(result.timers).toBe(0);
      expect(await child.exited).toEqual({ code: 0, signal: null });
    },
    90_000,
  );
});
