import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { currentOwner, ownerState, parseProcessStat } from './process-owner.js';
import type { ProcessOwner } from './process-owner.js';

const linux = process.platform === 'linux';
const stat = (comm: string, state = 'S', start = '98868') =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;

describe('parseProcessStat', () => {
  it.each([
    ['node', 'node'],
    ['a b', 'a name with a space'],
    ['x) S 1 (y', 'a name with parentheses'],
    ['))', 'a name of closing parentheses'],
  ])('finds state and start time after the command name %j (%s)', (comm) => {
    expect(parseProcessStat(stat(comm, 'Z', '123456'))).toEqual({ state: 'Z', startTime: '123456' });
  });

  it.each(['', 'garbage', '1 (x)', '1 (x) S 1 2', stat('x', '?')])('refuses %j', (text) => {
    expect(parseProcessStat(text)).toBeUndefined();
  });
});

describe.runIf(linux)('ownerState on Linux', () => {
  const self = currentOwner();

  it('describes this process from /proc', () => {
    expect(self.pid).toBe(process.pid);
    expect(self.startTime).toMatch(/^\d+$/);
    expect(self.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(self.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    expect(ownerState(self)).toBe('alive');
  });

  it('sees a live child as alive and, once it exited, as dead', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      const pid = child.pid ?? 0;
      const text = await import('node:fs/promises').then(({ readFile }) => readFile(`/proc/${pid}/stat`, 'utf8'));
      const childOwner: ProcessOwner = { ...self, pid, startTime: parseProcessStat(text)?.startTime ?? null };
      expect(ownerState(childOwner)).toBe('alive');
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(ownerState(childOwner)).toBe('dead');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes a recycled pid (same pid, other start time) for dead', () => {
    expect(ownerState({ ...self, startTime: String(BigInt(self.startTime ?? '0') + 1n) })).toBe('dead');
  });

  it('takes another boot for dead and another pid namespace for unknown', () => {
    expect(ownerState({ ...self, bootId: 'another-boot' })).toBe('dead');
    expect(ownerState({ ...self, pidNamespace: 'pid:[1]' })).toBe('unknown');
  });
});

describe('ownerState without /proc', () => {
  const observer: ProcessOwner = { pid: process.pid, startTime: null, bootId: null, pidNamespace: null };

  it('falls back to kill(pid, 0)', () => {
    expect(ownerState({ ...observer, pid: process.ppid }, observer)).toBe('alive');
    // pid_max on Linux is at most 2^22, so this pid cannot exist.
    expect(ownerState({ ...observer, pid: 2 ** 22 + 7 }, observer)).toBe('dead');
  });
});
