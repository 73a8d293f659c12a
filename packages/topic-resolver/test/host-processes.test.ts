import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeDeadPresence } from '@seamless/local-addrs';
import { containerSkipReason, containerWrapper, namespaceSkipReason } from '@seamless/test-support';
import { HostResolver } from '../src/host/host-resolver.js';
import { registryFileName } from '../src/host/registry-file.js';
import { Agent } from './support/agent.js';
import { EventRecorder, makeAdvertisement, watchTopics } from './support/advertisements.js';

// Real processes sharing one registry directory; each test has its own directory, in /dev/shm
// where there is one (as in production), removed afterwards.
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
let root: string;
let directory: string;
const resolvers: HostResolver[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(base, 'seamless-test-host-'));
  directory = join(root, 'registry');
});

afterEach(async () => {
  await Agent.killAll();
  await Promise.all(resolvers.splice(0).map((resolver) => resolver.close()));
  await rm(root, { recursive: true, force: true });
});

function subscriber(): HostResolver {
  const resolver = new HostResolver({ directory });
  resolvers.push(resolver);
  return resolver;
}

describe('HostResolver between processes', () => {
  it('shows a publisher process’s advertisement to another process, and its revocation', async () => {
    const publisher = new Agent({
      kind: 'host',
      options: { directory },
      advertise: [makeAdvertisement({ publisherId: 'pub-1' })],
      stdin: true,
    });
    await publisher.waitForEvent('ready');
    const watcher = new Agent({ kind: 'host', options: { directory }, watch: true, resolveAtStart: true, stdin: true });
    expect((await watcher.waitForEvent('resolved')).publisherIds).toEqual(['pub-1']);
    await watcher.waitForEvent('added', 'pub-1');
    publisher.send({ command: 'revoke', publisherId: 'pub-1' });
    await watcher.waitForEvent('removed', 'pub-1');
    expect(watcher.events).toEqual(['added pub-1', 'removed pub-1 revoked']);
  });

  it('removes the entry of a publisher killed with SIGKILL, through the liveness check', async () => {
    const watcher = new EventRecorder(subscriber().watch('md.AAPL'));
    // A lease of a minute: only the owner check can explain a removal within the test.
    const publisher = new Agent({
      kind: 'host',
      options: { directory, leaseMs: 60_000 },
      advertise: [makeAdvertisement({ publisherId: 'victim' })],
      stdin: true,
    });
    await publisher.waitForEvent('ready');
    await watcher.until(1);
    publisher.kill('SIGKILL');
    await publisher.exited;
    expect(await watcher.until(2)).toEqual(['added victim', 'removed victim owner-exited']);
    expect(await readdir(directory)).toEqual([]);
  });

  it('reports a publisher that appears after the watch started', async () => {
    const watcher = new Agent({ kind: 'host', options: { directory }, watch: true, stdin: true });
    await watcher.waitForEvent('ready');
    const publisher = new Agent({
      kind: 'host',
      options: { directory },
      advertise: [makeAdvertisement({ publisherId: 'late' })],
      stdin: true,
    });
    await publisher.waitForEvent('ready');
    await watcher.waitForEvent('added', 'late');
    publisher.send({ command: 'close' });
    await publisher.waitForEvent('closed');
    await watcher.waitForEvent('removed', 'late');
    expect(watcher.events).toEqual(['added late', 'removed late revoked']);
  });

  it('does not keep a process alive for an advertisement, and withdraws it when the process exits', async () => {
    const watcher = new EventRecorder(subscriber().watch('md.AAPL'));
    const publisher = new Agent({ kind: 'host', options: { directory }, advertise: [makeAdvertisement({ publisherId: 'brief' })] });
    expect(await publisher.exited).toEqual({ code: 0, signal: null });
    expect(publisher.records.map((record) => record.event)).toEqual(['ready']);
    expect(await readdir(directory)).not.toContain(registryFileName('md.AAPL', 'brief'));
    // It may have come and gone before the watch's first scan; if it was seen, it was withdrawn.
    if (watcher.events.length > 0) expect(await watcher.until(2)).toEqual(['added brief', 'removed brief revoked']);
  });

  it('keeps a process alive while a watch is iterated, and lets it exit once the watch ends', async () => {
    const watcher = new Agent({ kind: 'host', options: { directory }, watch: true, abortWatchAfterMs: 300 });
    expect(await watcher.exited).toEqual({ code: 0, signal: null });
    expect(watcher.records.map((record) => record.event)).toEqual(['ready', 'watch-ended']);
    expect(watcher.stderr).toBe('');
  });
});

const skipReason = namespaceSkipReason();
if (skipReason !== undefined) console.log(`skipping the HostResolver network-namespace test: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('HostResolver across network namespaces of one host', () => {
  const namespace = `seamless-test-${Math.random().toString(16).slice(2, 10)}`;
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', namespace]);
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'delete', namespace]);
  });

  it('sees a publisher in another network namespace, and its death', async () => {
    const watcher = new EventRecorder(subscriber().watch('md.AAPL'));
    const publisher = new Agent(
      { kind: 'host', options: { directory, leaseMs: 60_000 }, advertise: [makeAdvertisement({ publisherId: 'netns-pub' })], stdin: true },
      namespace,
    );
    await publisher.waitForEvent('ready');
    await watcher.until(1);
    publisher.kill('SIGKILL');
    expect(await watcher.until(2)).toEqual(['added netns-pub', 'removed netns-pub owner-exited']);
  });
});

const containerSkip = containerSkipReason();
if (containerSkip !== undefined) console.log(`skipping the HostResolver PID-namespace tests: ${containerSkip}`);

describe.skipIf(containerSkip !== undefined)('HostResolver across PID namespaces (containers sharing the directory)', () => {
  /** Waits `ms` while the watcher must see nothing new: a lease would run out in it. */
  const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('without a presence pipe: the instance heartbeat keeps the entry past its lease, and its end retires it within a lease', async () => {
    const watcher = new EventRecorder(subscriber().watch('md.AAPL'));
    const publisher = new Agent(
      {
        kind: 'host',
        options: { directory, leaseMs: 1000, renewIntervalMs: 100 },
        advertise: [makeAdvertisement({ publisherId: 'boxed' })],
        stdin: true,
      },
      containerWrapper({ pid: true }),
    );
    const ready = await publisher.waitForEvent('ready');
    // Its pid means nothing here (it is pid 1 in its namespace): only the heartbeat can tell.
    expect(ready.pid).toBe(1);
    await watcher.until(1);
    await quiet(2500);
    expect(watcher.described).toEqual(['added boxed']);
    publisher.kill('SIGKILL');
    await publisher.exited;
    expect(await watcher.until(2)).toEqual(['added boxed', 'removed boxed expired']);
    expect(await readdir(directory)).toEqual([]);
  }, 30_000);

  it('with a presence pipe: the death is seen through the pipe, long before the lease', async () => {
    const watcher = new EventRecorder(subscriber().watch('md.AAPL'));
    // A lease of a minute: only the presence probe can explain a removal within the test.
    const publisher = new Agent(
      {
        kind: 'host',
        options: { directory, leaseMs: 60_000 },
        advertise: [makeAdvertisement({ publisherId: 'present' })],
        presence: true,
        stdin: true,
      },
      containerWrapper({ pid: true }),
    );
    const ready = await publisher.waitForEvent('ready');
    expect(ready.presence).toMatch(/^[0-9a-f]{16}$/);
    await watcher.until(1);
    publisher.kill('SIGKILL');
    await publisher.exited;
    try {
      expect(await watcher.until(2)).toEqual(['added present', 'removed present owner-exited']);
      expect(await readdir(directory)).toEqual([]);
    } finally {
      // The shared-memory transport would reclaim the dead process's pipe; here the test does.
      removeDeadPresence(ready.presence ?? '');
    }
  }, 30_000);
});

describe('HostResolver at scale', () => {
  it('ten thousand advertisements of one process: all found by a watcher of every topic, none expiring or flapping', async () => {
    const count = 10_000;
    const publisher = new Agent({
      kind: 'host',
      options: { directory },
      advertiseMany: { template: makeAdvertisement({ topic: 'scale' }), count },
      stdin: true,
    });
    const advertised = await publisher.waitForEvent('advertised', undefined, 120_000);
    const resolver = subscriber();
    const started = performance.now();
    const controller = new AbortController();
    const { added, removed, found, watches } = watchTopics(resolver, 'scale', count, controller.signal);
    const deadline = setTimeout(() => {
      controller.abort();
    }, 120_000);
    await Promise.race([found, Promise.all(watches)]);
    clearTimeout(deadline);
    const discoveryMs = performance.now() - started;
    expect(added.size).toBe(count);
    // Stay up: several leases (5 s) with the publisher renewing by its one heartbeat.
    const before = { cpu: process.cpuUsage(), scans: resolver.stats.scans };
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const cpu = process.cpuUsage(before.cpu);
    publisher.send({ command: 'usage' });
    const usage = await publisher.waitForEvent('usage');
    console.log(
      `HostResolver, ${count} entries: advertised in ${((advertised.ms ?? 0) / 1000).toFixed(1)} s, all discovered in ${(discoveryMs / 1000).toFixed(1)} s; ` +
        `steady state: the watcher spent ${((cpu.user + cpu.system) / 1000 / 12).toFixed(0)} ms of CPU per second over ${resolver.stats.scans - before.scans} rescans; ` +
        `the publisher's CPU in all ${(((usage.cpu?.user ?? 0) + (usage.cpu?.system ?? 0)) / 1e6).toFixed(1)} s`,
    );
    expect(removed).toEqual([]);
    expect(resolver.stats.expired).toBe(0);
    expect(usage.stats).toMatchObject({ expired: 0 });
    controller.abort();
    await Promise.all(watches);
    publisher.send({ command: 'close' });
    await publisher.waitForEvent('closed', undefined, 60_000);
  }, 300_000);
});
