import { describe, expect, it } from 'vitest';
import { LocalAddressTable } from '@seamless/local-addrs';
import { invalidAdvertisement } from '@seamless/transport';
import type { Advertisement, HostIdentity, TransportReach } from '@seamless/transport';
import { chooseRoute } from './choose-route.js';
import type { RouteAnswer, RouteTransport } from './choose-route.js';

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

// Stand-ins that know only their kind, reach and what a valid endpoint of theirs looks like.
function transport(kind: string, reach: TransportReach): RouteTransport {
  return {
    kind,
    reach,
    parseEndpoint: (value) => {
      if (typeof value !== 'object' || value === null || (value as { bad?: unknown }).bad === true) {
        throw invalidAdvertisement(`endpoints.${kind}`, 'is bad');
      }
      return value;
    },
  };
}
const shm = transport('shm', 'host');
const tcp = transport('tcp', 'network');

function route(ad: Advertisement, transports: readonly RouteTransport[] = [shm, tcp]): RouteAnswer {
  return chooseRoute({
    advertisement: ad,
    identity: me,
    localAddressesIn: (addresses, opts) => table.localAddressesIn(addresses, opts),
    transports,
  });
}

// The kinds to try, best first.
function kinds(answer: RouteAnswer): string[] {
  return answer.candidates.map((candidate) => candidate.kind);
}

describe('chooseRoute', () => {
  it('the paper rule: an advertised address in the local table, same kernel and IPC namespace -> shm, then tcp', () => {
    const answer = route(advertisement());
    expect(kinds(answer)).toEqual(['shm', 'tcp']);
    expect(answer.reason).toBe('same host (10.0.0.5), same IPC namespace');
  });

  it('ranks host transports before network ones, whatever order the bus has them in', () => {
    expect(kinds(route(advertisement(), [tcp, shm]))).toEqual(['shm', 'tcp']);
  });

  it('addresses of another host -> tcp only', () => {
    expect(kinds(route(advertisement({ addresses: ['10.0.0.6'] })))).toEqual(['tcp']);
    expect(route(advertisement({ addresses: [] })).reason).toBe('none of its addresses is on this host');
  });

  it('loopback counts only inside our network namespace', () => {
    const onlyLoopback = { addresses: ['127.0.0.1', '::1'] };
    expect(kinds(route(advertisement(onlyLoopback)))).toEqual(['shm', 'tcp']);
    const elsewhere = route(advertisement(onlyLoopback, { netNamespace: 'net:[2]' }));
    expect(kinds(elsewhere)).toEqual(['tcp']);
    expect(elsewhere.reason).toContain('loopback does not count');
  });

  it('another network namespace of this host, seen through its own addresses -> tcp (as two hosts would)', () => {
    // A subscriber in namespace B never has the publisher's namespace-A addresses in its table.
    expect(kinds(route(advertisement({ addresses: ['10.200.0.1', '127.0.0.1'] }, { netNamespace: 'net:[2]' })))).toEqual(['tcp']);
  });

  it('a local address but another kernel (a cloned VM, NAT, duplicated private IPs) -> tcp', () => {
    const answer = route(advertisement({}, { bootId: 'boot-2' }));
    expect(answer).toEqual({
      candidates: [{ kind: 'tcp', reason: 'its address 10.0.0.5 is local but it runs on another kernel (boot id)' }],
      reason: 'its address 10.0.0.5 is local but it runs on another kernel (boot id)',
    });
  });

  it('same kernel, another IPC namespace (a container that may share /dev/shm) -> shm, for the probe to decide', () => {
    const answer = route(advertisement({}, { ipcNamespace: 'ipc:[9]' }));
    expect(kinds(answer)).toEqual(['shm', 'tcp']);
    expect(answer.reason).toBe('same host (10.0.0.5), another IPC namespace, so the probe decides');
  });

  it('no shared-memory endpoint, or no shm transport here -> tcp, saying why', () => {
    const noEndpoint = route(advertisement({ endpoints: { tcp: { port: 1, tls: false } } }));
    expect(noEndpoint.candidates).toEqual([{ kind: 'tcp', reason: 'same host (10.0.0.5), same IPC namespace; it offers no shm endpoint' }]);
    expect(route(advertisement(), [tcp]).candidates).toEqual([
      { kind: 'tcp', reason: 'same host (10.0.0.5), same IPC namespace; no shm transport here' },
    ]);
  });

  it("skips a transport whose endpoint its own parseEndpoint refuses, with the transport's reason", () => {
    const answer = route(advertisement({ endpoints: { shm: { bad: true }, tcp: { port: 1, tls: false } } }));
    expect(answer.candidates).toEqual([
      { kind: 'tcp', reason: 'same host (10.0.0.5), same IPC namespace; shm: invalid advertisement: endpoints.shm is bad' },
    ]);
  });

  it('no candidate when nothing can reach it, and the reason says why', () => {
    const remoteShmOnly = route(advertisement({ addresses: ['10.9.9.9'], endpoints: { shm: { segment: '/s', nonce: '0'.repeat(32) } } }));
    expect(remoteShmOnly).toEqual({
      candidates: [],
      reason: 'none of its addresses is on this host; it offers no tcp endpoint; no transport here can reach it',
    });
    expect(route(advertisement({ addresses: ['10.9.9.9'] }), [shm]).candidates).toEqual([]);
    // Still shm when it is local, even without TCP.
    expect(kinds(route(advertisement(), [shm]))).toEqual(['shm']);
    expect(route(advertisement(), []).reason).toBe(
      'same host (10.0.0.5), same IPC namespace; no shm transport here; no tcp transport here; no transport here can reach it',
    );
  });

  it('takes a third transport by its reach alone, knowing nothing of its kind', () => {
    const unix = transport('unix-socket', 'host');
    const relay = transport('relay', 'network');
    const endpoints = { tcp: { port: 1, tls: false }, relay: { url: 'r' }, 'unix-socket': { path: '/run/p.sock' } };
    expect(kinds(route(advertisement({ endpoints }), [relay, tcp, unix]))).toEqual(['unix-socket', 'relay', 'tcp']);
    expect(kinds(route(advertisement({ endpoints, addresses: ['10.9.9.9'] }), [relay, tcp, unix]))).toEqual(['relay', 'tcp']);
  });

  it('never trusts an unknown identity', () => {
    const unknown = { bootId: 'unknown:x', ipcNamespace: 'unknown:x', netNamespace: 'unknown:x', hostname: 'a' };
    const answer = chooseRoute({
      advertisement: advertisement({}, unknown),
      identity: unknown,
      localAddressesIn: (addresses, options) => table.localAddressesIn(addresses, options),
      transports: [shm, tcp],
    });
    expect(kinds(answer)).toEqual(['tcp']);
  });
});
