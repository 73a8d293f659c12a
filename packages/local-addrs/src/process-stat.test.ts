import { describe, expect, it } from 'vitest';
import { parseProcessStat, readProcessStat } from './process-stat.js';

const stat = (comm: string, state = 'S', start = '98868') =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;

describe('parseProcessStat', () => {
  it.each([
    ['node', 'node'],
    ['a b', 'a name with a space'],
    ['x) S 1 (y', 'a name with parentheses'],
    ['))', 'a name of closing parentheses'],
  ])('finds state and start time after the command name %j (%s)', (comm) => {
    expect(parseProcessStat(stat(comm, 'Z', '123456'))).toEqual({ state: 'Z', startTime: 123456 });
  });

  it.each(['', 'garbage', '1 (x)', '1 (x) S 1 2', stat('x', '?'), stat('x', 'S', '99999999999999999')])('refuses %j', (text) => {
    expect(parseProcessStat(text)).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('readProcessStat', () => {
  it('reads this process and tells a missing one from an unreadable one', () => {
    const own = readProcessStat(process.pid);
    expect(own.found && own.stat.state).toBe('R');
    // pid_max on Linux is at most 2^22, so this pid cannot exist.
    expect(readProcessStat(2 ** 22 + 7)).toEqual({ found: false, reason: 'no-such-process' });
  });
});
