import { describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { errorOf } from '@seamless/test-support';
import type { ProcessIdentity } from './process-identity.js';
import type { Liveness } from './process-liveness.js';
import { ProcessMonitor } from './process-monitor.js';

const identity = (pid: number): ProcessIdentity => ({ pid, startTime: 1, pidNamespace: 1, bootId: '', presence: '', presenceDevice: 0 });

describe('ProcessMonitor', () => {
  it('checks each distinct process once per sweep, however many watch it, and reports a death once', () => {
    const states = new Map<number, Liveness>([
      [1, 'alive'],
      [2, 'alive'],
    ]);
    const checked: number[] = [];
    const monitor = new ProcessMonitor({
      liveness: (watched) => {
        checked.push(watched.pid);
        return states.get(watched.pid) ?? 'unknown';
      },
    });
    const deaths: string[] = [];
    for (let index = 0; index < 1000; index++) monitor.watch(identity(1), () => deaths.push(`one-${index}`));
    monitor.watch(identity(2), () => deaths.push('two'));
    expect(monitor.watchedProcesses).toBe(2);
    expect(monitor.sweep()).toBe(0);
    expect(checked.sort()).toEqual([1, 2]);
    states.set(2, 'dead');
    expect(monitor.sweep()).toBe(1);
    expect(deaths).toEqual(['two']);
    expect(monitor.sweep()).toBe(0);
    expect(deaths).toEqual(['two']);
    expect(monitor.watchedProcesses).toBe(1);
    monitor.close();
  });

  it('stops watching on request and keeps unknown processes watched', () => {
    const monitor = new ProcessMonitor({ liveness: () => 'unknown' });
    const stop = monitor.watch(identity(3), () => {
      throw new Error('must not be called');
    });
    expect(monitor.sweep()).toBe(0);
    expect(monitor.watchedProcesses).toBe(1);
    stop();
    stop();
    expect(monitor.watchedProcesses).toBe(0);
  });

  it('never calls a listener from inside watch(), and one failing listener does not stop the others', () => {
    const monitor = new ProcessMonitor({ liveness: () => 'dead' });
    const calls: string[] = [];
    monitor.watch(identity(4), () => {
      throw new Error('boom');
    });
    monitor.watch(identity(4), () => calls.push('second'));
    expect(calls).toEqual([]);
    expect(monitor.sweep()).toBe(1);
    expect(calls).toEqual(['second']);
  });

  it('refuses an interval it cannot honour', () => {
    expect(
      SeamlessError.isInstance(
        errorOf(() => new ProcessMonitor({ intervalMs: 0 })),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });
});
