import { describe, expect, it } from 'vitest';
import { ownProcessIdentity } from './process-identity.js';
import { processLiveness } from './process-liveness.js';

describe.runIf(process.platform === 'linux')('processLiveness by pid', () => {
  const self = ownProcessIdentity();

  it('describes this process from /proc and finds it alive', () => {
    expect(self.pid).toBe(process.pid);
    expect(self.startTime).toBeGreaterThan(0);
    expect(self.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(self.pidNamespace).toBeGreaterThan(0);
    expect(processLiveness(self)).toBe('alive');
  });

  it('takes a recycled pid (same pid, another start time), a missing pid and nonsense for dead', () => {
    expect(processLiveness({ ...self, startTime: self.startTime + 1 })).toBe('dead');
    expect(processLiveness({ ...self, pid: 2 ** 22 + 7 })).toBe('dead');
    expect(processLiveness({ ...self, pid: -1 })).toBe('dead');
    expect(processLiveness({ ...self, pid: Number.NaN })).toBe('dead');
  });

  it('takes another boot for dead and another PID namespace for unknown', () => {
    expect(processLiveness({ ...self, bootId: 'another-boot' })).toBe('dead');
    expect(processLiveness({ ...self, pidNamespace: 1 })).toBe('unknown');
    expect(processLiveness({ ...self, pidNamespace: 0 })).toBe('unknown');
  });

  it('takes a presence token that is not one for dead', () => {
    expect(processLiveness({ ...self, presence: '../../etc/passwd' })).toBe('dead');
  });
});
