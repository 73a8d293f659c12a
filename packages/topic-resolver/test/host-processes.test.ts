import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HostResolver } from '../src/host-resolver.js';
import { registryFileName } from '../src/registry-file.js';
import { Agent } from './support/agent.js';
import { namespaceSkipReason } from '@seamless/test-support';
import { EventRecorder, makeAdvertisement } from './support/advertisements.js';

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
