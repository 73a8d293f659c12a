import { describe, expect, it } from 'vitest';
import { isOwnProcess, ownProcessIdentity, processKey } from './process-identity.js';

describe('process identity helpers', () => {
  const self = ownProcessIdentity();

  it('recognises this process, and not another with the same pid elsewhere', () => {
    expect(isOwnProcess({ ...self })).toBe(true);
    expect(isOwnProcess({ ...self, pidNamespace: self.pidNamespace + 1 })).toBe(false); // pid 1 of another container
    expect(isOwnProcess({ ...self, startTime: self.startTime + 1 })).toBe(false);
    expect(isOwnProcess({ ...self, bootId: 'another-boot' })).toBe(false);
    expect(isOwnProcess({ ...self, pid: self.pid + 1 })).toBe(false);
  });

  it('keys records of one process alike and any field that differs apart', () => {
    expect(processKey({ ...self })).toBe(processKey(self));
    const variants = [
      { ...self, pid: self.pid + 1 },
      { ...self, startTime: self.startTime + 1 },
      { ...self, pidNamespace: self.pidNamespace + 1 },
      { ...self, bootId: 'b' },
      { ...self, presence: '0123456789abcdef' },
      { ...self, presenceDevice: self.presenceDevice + 1 },
    ];
    expect(new Set([self, ...variants].map(processKey)).size).toBe(variants.length + 1);
  });
});
