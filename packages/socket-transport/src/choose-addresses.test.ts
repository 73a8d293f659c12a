import { describe, expect, it } from 'vitest';
import type { HostIdentity } from '@seamless/transport';
import { chooseAddresses } from './choose-addresses.js';

const me: HostIdentity = { bootId: 'boot-1', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[1]', hostname: 'a' };

describe('chooseAddresses', () => {
  const advertised = ['10.0.0.5', '127.0.0.1', 'fe80::1%eth0', '::1', '0.0.0.0', 'not-an-ip', '10.0.0.5'];

  it('puts loopback first for a publisher in the same boot and network namespace', () => {
    expect(chooseAddresses(advertised, { ...me, hostname: 'other name' }, me)).toEqual({
      addresses: ['127.0.0.1', '::1', '10.0.0.5', 'fe80::1%eth0'],
      skipped: [
        { address: '0.0.0.0', reason: 'unspecified address' },
        { address: 'not-an-ip', reason: 'not an IP address' },
      ],
    });
  });

  it.each([
    ['another network namespace', { ...me, netNamespace: 'net:[2]' }],
    ['another boot', { ...me, bootId: 'boot-2' }],
  ])('skips loopback for a publisher in %s', (_, host) => {
    const choice = chooseAddresses(advertised, host, me);
    expect(choice.addresses).toEqual(['10.0.0.5', 'fe80::1%eth0']);
    expect(choice.skipped).toContainEqual({ address: '127.0.0.1', reason: 'loopback of another network namespace' });
  });

  it('skips loopback without an identity, and when the namespace is unknown', () => {
    expect(chooseAddresses(advertised, me, undefined).addresses).toEqual(['10.0.0.5', 'fe80::1%eth0']);
    const unknown = { ...me, netNamespace: 'unknown:1234' };
    expect(chooseAddresses(advertised, unknown, unknown).addresses).toEqual(['10.0.0.5', 'fe80::1%eth0']);
  });

  it('returns nothing to try when only loopback is advertised to another namespace', () => {
    expect(chooseAddresses(['127.0.0.1'], { ...me, netNamespace: 'net:[9]' }, me).addresses).toEqual([]);
  });
});
