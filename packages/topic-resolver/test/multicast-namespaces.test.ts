import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './support/agent.js';
import { makeAdvertisement } from './support/advertisements.js';
import { createTwoHosts, namespaceSkipReason } from '@seamless/test-support';
import type { TwoHosts } from '@seamless/test-support';

// Two "hosts": network namespaces joined by a veth pair. The agents run the built package in
// child processes inside them (`ip netns exec`). Nothing here touches the host's own network.
const skipReason = namespaceSkipReason();
if (skipReason !== undefined) console.log(`skipping the MulticastResolver network-namespace tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('MulticastResolver across two network namespaces', () => {
  let hosts: TwoHosts;
  // A fresh port per test, so that a straggler of one test can never feed the next.
  let port = 20_000 + Math.floor(Math.random() * 10_000);
  const network = () => ({ group: '239.255.83.77', port });

  beforeAll(() => {
    hosts = createTwoHosts();
  });
  afterEach(async () => {
    await Agent.killAll();
    port += 1;
  });
  afterAll(async () => {
    await Agent.killAll();
    hosts.remove();
  });

  it('discovers publishers both ways; A joins by interface name, B by the multicast route', async () => {
    const a = new Agent(
      {
        kind: 'multicast',
        options: { ...network(), interfaces: [hosts.a.link] },
        advertise: [makeAdvertisement({ publisherId: 'on-a', addresses: [hosts.a.address] })],
        watch: true,
        stdin: true,
      },
      hosts.a.namespace,
    );
    const b = new Agent(
      {
        kind: 'multicast',
        options: network(),
        advertise: [makeAdvertisement({ publisherId: 'on-b', addresses: [hosts.b.address] })],
        watch: true,
        stdin: true,
      },
      hosts.b.namespace,
    );
    await a.waitForEvent('added', 'on-b');
    await b.waitForEvent('added', 'on-a');
    expect(a.events).toEqual(['added on-a', 'added on-b']);
    expect(b.events.sort()).toEqual(['added on-a', 'added on-b']);
    expect([...a.records, ...b.records].filter((record) => record.event === 'warning')).toEqual([]);
  });

  it('lets a resolver started later find an existing publisher at once (start-up query burst)', async () => {
    // Announcements a minute apart: only the answer to the start-up query can explain it.
    const a = new Agent(
      {
        kind: 'multicast',
        options: { ...network(), announceIntervalMs: 60_000, leaseMs: 120_000 },
        advertise: [makeAdvertisement({ publisherId: 'quiet' })],
        stdin: true,
      },
      hosts.a.namespace,
    );
    await a.waitForEvent('ready');
    await new Promise((resolve) => setTimeout(resolve, 500)); // its own announcement burst is over
    const b = new Agent({ kind: 'multicast', options: network(), resolveAtStart: true, stdin: true }, hosts.b.namespace);
    expect((await b.waitForEvent('resolved')).publisherIds).toEqual(['quiet']);
  });

  it('removes a killed announcer when its lease runs out', async () => {
    const b = new Agent({ kind: 'multicast', options: network(), watch: true, stdin: true }, hosts.b.namespace);
    await b.waitForEvent('ready');
    const a = new Agent(
      {
        kind: 'multicast',
        options: { ...network(), announceIntervalMs: 200, leaseMs: 800 },
        advertise: [makeAdvertisement({ publisherId: 'mortal' })],
        stdin: true,
      },
      hosts.a.namespace,
    );
    await b.waitForEvent('added', 'mortal');
    a.kill('SIGKILL');
    await b.waitForEvent('removed', 'mortal');
    expect(b.events).toEqual(['added mortal', 'removed mortal expired']);
  });

  it('sends a goodbye on revoke, so the removal does not wait for the lease', async () => {
    const b = new Agent({ kind: 'multicast', options: network(), watch: true, stdin: true }, hosts.b.namespace);
    await b.waitForEvent('ready');
    // A lease of a minute: only the goodbye can explain a removal within the test.
    const a = new Agent(
      {
        kind: 'multicast',
        options: { ...network(), leaseMs: 60_000 },
        advertise: [makeAdvertisement({ publisherId: 'polite' })],
        stdin: true,
      },
      hosts.a.namespace,
    );
    await b.waitForEvent('added', 'polite');
    a.send({ command: 'revoke', publisherId: 'polite' });
    await b.waitForEvent('removed', 'polite');
    expect(b.events).toEqual(['added polite', 'removed polite revoked']);
  });

  it('warns once where there is no multicast route, and still resolves its own advertisements', async () => {
    const lonely = new Agent(
      {
        kind: 'multicast',
        options: { ...network(), announceIntervalMs: 50, leaseMs: 200 },
        advertise: [makeAdvertisement({ publisherId: 'alone' })],
        watch: true,
        resolveAtStart: true,
        stdin: true,
      },
      hosts.isolated,
    );
    expect((await lonely.waitForEvent('resolved')).publisherIds).toEqual(['alone']);
    await lonely.waitForEvent('added', 'alone');
    // Several announcement periods pass; every send fails, but only one warning is given.
    await new Promise((resolve) => setTimeout(resolve, 400));
    lonely.send({ command: 'resolve' });
    await lonely.waitFor((record) => record.event === 'resolved' && lonely.records.filter((r) => r.event === 'resolved').length === 2);
    const warnings = lonely.records.filter((record) => record.event === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('no usable multicast route');
    expect(warnings[0]?.message).toContain('ip route add 224.0.0.0/4 dev <interface>');
    expect(lonely.stderr).toBe('');
  });
});
