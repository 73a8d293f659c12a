import { describe, expect, it } from 'vitest';
import { LocalAddressTable } from '@seamless/local-addrs';
import type { Advertisement, HostIdentity } from '@seamless/transport';
import { chooseRoute } from './choose-route.js';

const me: HostIdentity = { bootId: 'boot-1', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[1]', hostname: 'a' };
const table = new LocalAddressTable({ interfaces: () => ({ eth0: [{ address: '10.0.0.5' }], lo: [{ address: '127.0.0.1' }] }) });

function advertisement(change: Partial<Advertisement> = {}, host: Partial<HostIdentity> = {}): Advertisement {
  return {
    version: 1,
    topic: 't',
    publisherId: 'p',
    policy: 'reliable',
    maxMessageSize: 100,
    host: { ...me, ...host },
    addresses: ['10.0.0.5', '127.0.0.1'],
    endpoints: { shm: { segment: '/s', nonce: '0'.repeat(32) }, tcp: { port: 4000, tls: false } },
    ...change,
  };
}

function route(ad: Advertisement, options: { shm?: boolean; tcp?: boolean } = {}) {
  return chooseRoute({
    advertisement: ad,
    identity: me,
    localAddressesIn: (addresses, opts) => table.localAddressesIn(addresses, opts),
    shmAvailable: options.shm ?? true,
    tcpAvailable: options.tcp ?? true,
  });
}

describe('chooseRoute', () => {
  it('the paper rule: an advertised address in the local table, same kernel and IPC namespace -> shm', () => {
    expect(route(advertisement())).toEqual({ transport: 'shm', reason: 'same host (10.0.0.5), same IPC namespace' });
  });

  it('addresses of another host -> tcp', () => {
    expect(route(advertisement({ addresses: ['10.0.0.6'] })).transport).toBe('tcp');
    expect(route(advertisement({ addresses: [] })).transport).toBe('tcp');
  });

  it('loopback counts only inside our network namespace', () => {
    const onlyLoopback = { addresses: ['127.0.0.1', '::1'] };
    expect(route(advertisement(onlyLoopback)).transport).toBe('shm');
    const elsewhere = route(advertisement(onlyLoopback, { netNamespace: 'net:[2]' }));
    expect(elsewhere.transport).toBe('tcp');
    expect(elsewhere.reason).toContain('loopback does not count');
  });

  it('another network namespace of this host, seen through its own addresses -> tcp (as two hosts would)', () => {
    // A subscriber in namespace B never has the publisher's namespace-A addresses in its table.
    expect(route(advertisement({ addresses: ['10.200.0.1', '127.0.0.1'] }, { netNamespace: 'net:[2]' })).transport).toBe('tcp');
  });

  it('a local address but another kernel (a cloned VM, NAT, duplicated private IPs) -> tcp', () => {
    const answer = route(advertisement({}, { bootId: 'boot-2' }));
    expect(answer).toEqual({ transport: 'tcp', reason: 'its address 10.0.0.5 is local but it runs on another kernel (boot id)' });
  });

  it('same kernel, another IPC namespace (a container that may share /dev/shm) -> shm, for the segment probe to decide', () => {
    expect(route(advertisement({}, { ipcNamespace: 'ipc:[9]' }))).toEqual({
      transport: 'shm',
      reason: 'same host (10.0.0.5), another IPC namespace, so the segment probe decides',
    });
  });

  it('no shared-memory endpoint, or no shm transport here -> tcp', () => {
    expect(route(advertisement({ endpoints: { tcp: { port: 1, tls: false } } })).transport).toBe('tcp');
    expect(route(advertisement(), { shm: false })).toEqual({
      transport: 'tcp',
      reason: 'same host (10.0.0.5) but shared memory is not available here',
    });
  });

  it("'none' when the only possible route is missing", () => {
    expect(route(advertisement({ addresses: ['10.9.9.9'], endpoints: { shm: { segment: '/s', nonce: '0'.repeat(32) } } })).transport).toBe(
      'none',
    );
    expect(route(advertisement({ addresses: ['10.9.9.9'] }), { tcp: false }).transport).toBe('none');
    // Still shm when it is local, even without TCP.
    expect(route(advertisement(), { tcp: false }).transport).toBe('shm');
  });

  it('never trusts an unknown identity', () => {
    const unknown = { bootId: 'unknown:x', ipcNamespace: 'unknown:x', netNamespace: 'unknown:x', hostname: 'a' };
    const answer = chooseRoute({
      advertisement: advertisement({}, unknown),
      identity: unknown,
      localAddressesIn: (addresses, options) => table.localAddressesIn(addresses, options),
      shmAvailable: true,
      tcpAvailable: true,
    });
    expect(answer.transport).toBe('tcp');
  });
});
