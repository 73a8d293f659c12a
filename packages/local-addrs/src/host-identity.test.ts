import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { HostIdentity } from '@seamless/transport';
import { canShareMemory, hostIdentity, sameNetworkNamespace } from './host-identity.js';

const onLinux = process.platform === 'linux';

describe('hostIdentity', () => {
  it.runIf(onLinux)('reads the boot id and the namespace links on Linux', () => {
    const identity = hostIdentity();
    expect(identity.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(identity.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(identity.ipcNamespace).toBe(readlinkSync('/proc/self/ns/ipc'));
    expect(identity.ipcNamespace).toMatch(/^ipc:\[\d+\]$/);
    expect(identity.netNamespace).toBe(readlinkSync('/proc/self/ns/net'));
    expect(identity.netNamespace).toMatch(/^net:\[\d+\]$/);
    expect(identity.hostname).toBe(hostname());
  });

  it('uses the injected Linux sources', () => {
    const identity = hostIdentity({
      platform: () => 'linux',
      hostname: () => 'box',
      readFile: () => 'b00t\n',
      readLink: (path) => (path.endsWith('ipc') ? 'ipc:[11]' : 'net:[22]'),
    });
    expect(identity).toEqual({ bootId: 'b00t', ipcNamespace: 'ipc:[11]', netNamespace: 'net:[22]', hostname: 'box' });
  });

  it('falls back to a per-process unknown value when /proc cannot be read', () => {
    const denied = () => {
      throw new Error('EACCES');
    };
    const identity = hostIdentity({ platform: () => 'linux', hostname: () => 'box', readFile: denied, readLink: denied });
    expect(identity.bootId).toMatch(/^unknown:[0-9a-f-]{36}$/);
    expect(identity.ipcNamespace).toBe(identity.bootId);
    expect(identity.netNamespace).toBe(identity.bootId);
    // An unknown identity never proves anything, not even against itself.
    expect(canShareMemory(identity, identity)).toBe(false);
    expect(sameNetworkNamespace(identity, identity)).toBe(false);
  });

  it('derives a boot id from the boot time on other platforms', () => {
    const at = (now: number) => hostIdentity({ platform: () => 'darwin', hostname: () => 'mac', uptime: () => 1000, now: () => now });
    const identity = at(1_700_000_000_000);
    expect(identity).toEqual({ bootId: 'boot:mac:1699999000', ipcNamespace: 'host', netNamespace: 'host', hostname: 'mac' });
    // Later readings in the same boot agree (uptime grows with the clock).
    const later = hostIdentity({ platform: () => 'darwin', hostname: () => 'mac', uptime: () => 1003, now: () => 1_700_000_003_000 });
    expect(later.bootId).toBe(identity.bootId);
    expect(canShareMemory(identity, later)).toBe(true);
  });

  it('survives a throwing hostname()', () => {
    const identity = hostIdentity({
      platform: () => 'linux',
      hostname: () => {
        throw new Error('uv_os_gethostname');
      },
      readFile: () => 'b',
      readLink: () => 'ns',
    });
    expect(identity.hostname).toBe('unknown-host');
  });
});

describe('canShareMemory and sameNetworkNamespace', () => {
  const base: HostIdentity = { bootId: 'b', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[1]', hostname: 'h' };

  it.each([
    [{}, true, true],
    [{ hostname: 'other-name' }, true, true], // host names are labels, not proof
    [{ netNamespace: 'net:[2]' }, true, false], // another network namespace, same IPC
    [{ ipcNamespace: 'ipc:[2]' }, true, true], // a container sharing /dev/shm: the segment probe decides
    [{ bootId: 'b2' }, false, false], // another kernel: namespace ids may repeat across boots
  ])('%j -> shm %s, net %s', (change, shm, net) => {
    const other = { ...base, ...change };
    expect(canShareMemory(base, other)).toBe(shm);
    expect(sameNetworkNamespace(base, other)).toBe(net);
  });
});
