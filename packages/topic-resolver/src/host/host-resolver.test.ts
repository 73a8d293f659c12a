import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownProcessIdentity, readProcessStat } from '@seamless/local-addrs';
import type { ProcessIdentity } from '@seamless/local-addrs';
import type { Advertisement } from '@seamless/transport';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventRecorder, makeAdvertisement, waitUntil } from '../../test/support/advertisements.js';
import { trackResources } from '../../test/support/live-resources.js';
import { checkAdvertisement } from '../checked-advertisement.js';
import { HostResolver } from './host-resolver.js';
import type { HostResolverOptions } from './host-resolver-options.js';
import { heartbeatFileName } from './instance-heartbeat.js';
import { encodeRegistryEntry, registryFileName } from './registry-file.js';

const linux = process.platform === 'linux';
let root: string;
let directory: string;
const resolvers: HostResolver[] = [];
const children: ChildProcess[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'seamless-host-'));
  directory = join(root, 'registry');
});

afterEach(async () => {
  await Promise.all(resolvers.splice(0).map((resolver) => resolver.close()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

function open(options: HostResolverOptions = {}): HostResolver {
  const resolver = new HostResolver({ directory, rescanIntervalMs: 50, ...options });
  resolvers.push(resolver);
  return resolver;
}

/** This process, as an entry's owner (without a presence pipe: the resolver makes none). */
const self = (): ProcessIdentity => ({ ...ownProcessIdentity(), presence: '', presenceDevice: 0 });
/** An owner nobody here can check: another PID namespace, no presence pipe. */
const foreign = (): ProcessIdentity => ({ ...self(), pid: 1, pidNamespace: 1 });
/** The instance id planted entries claim, with its heartbeat file. */
const plantedInstance = '00112233445566ff';

/** A sleeping child process and its identity, to stand for another publisher process. */
async function otherProcess(): Promise<{ child: ChildProcess; owner: ProcessIdentity }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  const pid = child.pid ?? 0;
  const reading = readProcessStat(pid);
  return { child, owner: { ...self(), pid, startTime: reading.found ? reading.stat.startTime : 0 } };
}

async function plant(advertisement: Advertisement, owner: ProcessIdentity, leaseMs = 5000, content?: string): Promise<string> {
  const path = join(directory, registryFileName(advertisement.topic, advertisement.publisherId));
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await writeFile(path, content ?? encodeRegistryEntry(owner, plantedInstance, leaseMs, checkAdvertisement(advertisement)), {
    mode: 0o600,
  });
  return path;
}

/** Sets the planted instance's heartbeat `ageMs` in the past (creating it). */
async function heartbeat(ageMs: number): Promise<string> {
  const path = join(directory, heartbeatFileName(plantedInstance));
  await writeFile(path, '', { mode: 0o600 });
  const at = new Date(Date.now() - ageMs);
  await utimes(path, at, at);
  return path;
}

const ids = (advertisements: readonly Advertisement[]) => advertisements.map((advertisement) => advertisement.publisherId).sort();

describe('HostResolver', () => {
  it('shares advertisements through the directory: one file per advertisement and one heartbeat, mode 0600, valid content', async () => {
    const publisher = open();
    const subscriber = open();
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const lease = await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    expect(await subscriber.resolve('md.MSFT')).toEqual([]);
    const files = (await readdir(directory)).sort();
    const path = join(directory, registryFileName('md.AAPL', 'p1'));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const content = JSON.parse(await readFile(path, 'utf8')) as { instance: string };
    expect(content).toMatchObject({
      format: 'seamless-registry-entry',
      version: 2,
      leaseMs: 5000,
      owner: { pid: process.pid, startTime: ownProcessIdentity().startTime },
    });
    expect(files).toEqual([heartbeatFileName(content.instance), registryFileName('md.AAPL', 'p1')].sort());
    expect((await stat(join(directory, heartbeatFileName(content.instance)))).mode & 0o777).toBe(0o600);
    await lease.revoke();
    expect(await readdir(directory)).toEqual([]);
    expect(await subscriber.resolve('md.AAPL')).toEqual([]);
  });

  it('watches: snapshot first, then additions, changes (removed + added) and revocations', async () => {
    const publisher = open();
    const subscriber = open();
    const first = await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    expect(await watcher.until(1)).toEqual(['added p1']);
    const second = await publisher.advertise(makeAdvertisement({ publisherId: 'p2' }));
    await watcher.until(2);
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1', maxMessageSize: 7 }));
    await watcher.until(4);
    await second.revoke();
    expect(await watcher.until(5)).toEqual(['added p1', 'added p2', 'removed p1 replaced', 'added p1', 'removed p2 revoked']);
    expect(watcher.events[3]?.advertisement.maxMessageSize).toBe(7);
    await first.revoke(); // superseded by the re-advertisement: nothing happens
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    await subscriber.close();
    await watcher.done;
  });

  it.runIf(linux)('ignores and deletes the entry of a dead owner, and reports a live one that dies', async () => {
    const subscriber = open();
    const { child, owner } = await otherProcess();
    await plant(makeAdvertisement({ publisherId: 'doomed' }), owner);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    expect(await watcher.until(1)).toEqual(['added doomed']);
    child.kill('SIGKILL');
    expect(await watcher.until(2)).toEqual(['added doomed', 'removed doomed owner-exited']);
    expect(await readdir(directory)).toEqual([]);
    expect(subscriber.stats.ownerExited).toBe(1);

    await plant(makeAdvertisement({ publisherId: 'already-dead' }), owner);
    expect(await subscriber.resolve('md.AAPL')).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
    expect(watcher.described).toHaveLength(2);
  });

  it.runIf(linux)('takes a recycled pid for a dead owner', async () => {
    await plant(makeAdvertisement({ publisherId: 'recycled' }), { ...self(), startTime: 1 });
    expect(await open().resolve('md.AAPL')).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
  });

  it('keeps the entry of a live owner whatever its age: liveness, not renewal, decides', async () => {
    const { owner } = linux ? await otherProcess() : { owner: self() };
    const path = await plant(makeAdvertisement({ publisherId: 'old-but-alive' }), owner, 1000);
    const ancient = new Date(Date.now() - 3_600_000);
    await utimes(path, ancient, ancient);
    const subscriber = open();
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['old-but-alive']);
    expect(subscriber.stats.expired).toBe(0);
  });

  it('keeps the entry of an owner it cannot check while its instance renews the heartbeat, and expires it after', async () => {
    const subscriber = open();
    const path = await plant(makeAdvertisement({ publisherId: 'container' }), foreign(), 1000);
    const ancient = new Date(Date.now() - 3_600_000);
    await utimes(path, ancient, ancient);
    const beat = await heartbeat(100);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['container']);
    await heartbeat(2000);
    expect(await subscriber.resolve('md.AAPL')).toEqual([]);
    expect(subscriber.stats.expired).toBe(1);
    // Entry and stale heartbeat are both gone.
    expect(await readdir(directory)).toEqual([]);
    expect(beat).toContain(plantedInstance);
  });

  it("without a heartbeat, judges an owner it cannot check by the entry's own age", async () => {
    const subscriber = open();
    const path = await plant(makeAdvertisement({ publisherId: 'container' }), foreign(), 1000);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['container']);
    const old = new Date(Date.now() - 2000);
    await utimes(path, old, old);
    expect(await subscriber.resolve('md.AAPL')).toEqual([]);
    expect(subscriber.stats.expired).toBe(1);
  });

  it('judges all the entries of one instance by its one heartbeat', async () => {
    const subscriber = open();
    for (let index = 0; index < 50; index++) await plant(makeAdvertisement({ publisherId: `p${index}` }), foreign(), 1000);
    await heartbeat(0);
    const heartbeatPath = join(directory, heartbeatFileName(plantedInstance));
    expect(await subscriber.resolve('md.AAPL')).toHaveLength(50);
    // Make the heartbeat stale and all fifty expire together.
    const old = new Date(Date.now() - 5000);
    await utimes(heartbeatPath, old, old);
    expect(await subscriber.resolve('md.AAPL')).toEqual([]);
    expect(subscriber.stats.expired).toBe(50);
  });

  it('renews with one heartbeat, never touching its entries, and writes again what someone deleted', async () => {
    const publisher = open({ leaseMs: 300, renewIntervalMs: 30 });
    const subscriber = open();
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    const path = join(directory, registryFileName('md.AAPL', 'p1'));
    const { instance } = JSON.parse(await readFile(path, 'utf8')) as { instance: string };
    const written = (await stat(path)).mtimeMs;
    const beat = join(directory, heartbeatFileName(instance));
    const firstBeat = (await stat(beat)).mtimeMs;
    await waitUntil(
      async () => (await stat(beat)).mtimeMs > firstBeat && Date.now() - written > 400,
      5000,
      'renewals for more than a lease',
    );
    expect((await stat(path)).mtimeMs).toBe(written);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    await watcher.until(1);
    await rm(path);
    expect(await watcher.until(3)).toEqual(['added p1', 'removed p1 revoked', 'added p1']);
    await rm(beat);
    await waitUntil(async () => (await readdir(directory)).includes(heartbeatFileName(instance)), 5000, 'the heartbeat to come back');
  });

  it('recovers when the registry directory is deleted under it', async () => {
    const publisher = open({ leaseMs: 1000, renewIntervalMs: 20 });
    const subscriber = open();
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    await watcher.until(1);
    await rm(directory, { recursive: true });
    // The publisher's next renewal re-creates directory and entry; the watcher follows.
    expect(await watcher.until(3)).toEqual(['added p1', 'removed p1 revoked', 'added p1']);
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    await publisher.advertise(makeAdvertisement({ publisherId: 'p2' }));
    expect(await watcher.until(4)).toEqual(['added p1', 'removed p1 revoked', 'added p1', 'added p2']);
  });

  it('uses $XDG_RUNTIME_DIR/seamless when no directory is given', async () => {
    const saved = process.env['XDG_RUNTIME_DIR'];
    process.env['XDG_RUNTIME_DIR'] = root;
    try {
      const resolver = new HostResolver();
      resolvers.push(resolver);
      expect(resolver.directory).toBe(join(root, 'seamless'));
      expect((await stat(resolver.directory)).mode & 0o777).toBe(0o700);
    } finally {
      if (saved === undefined) delete process.env['XDG_RUNTIME_DIR'];
      else process.env['XDG_RUNTIME_DIR'] = saved;
    }
  });

  it('refuses to advertise a publisher id another live process advertises', async () => {
    const { owner } = linux ? await otherProcess() : { owner: { ...self(), pid: process.ppid } };
    await plant(makeAdvertisement({ publisherId: 'taken' }), owner);
    await expect(open().advertise(makeAdvertisement({ publisherId: 'taken' }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining(`already advertised by process ${owner.pid}`) as string,
    });
  });

  it('ignores and counts garbage files once per version, never reporting or throwing', async () => {
    const subscriber = open();
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    const live = await subscriber.advertise(makeAdvertisement({ publisherId: 'good' }));
    await watcher.until(1);
    const name = (publisherId: string) => registryFileName('md.AAPL', publisherId);
    await writeFile(join(directory, name('text')), 'not json');
    await writeFile(join(directory, name('huge')), Buffer.alloc(20_000, 0x20));
    await writeFile(
      join(directory, name('mismatch')),
      encodeRegistryEntry(self(), plantedInstance, 5000, checkAdvertisement(makeAdvertisement({ publisherId: 'else' }))),
    );
    await writeFile(join(directory, 'unrelated.txt'), 'ignored without being read');
    await waitUntil(() => subscriber.stats.invalid === 3, 5000, 'three invalid files');
    const scans = subscriber.stats.scans;
    await waitUntil(() => subscriber.stats.scans > scans + 2, 5000, 'more scans');
    expect(subscriber.stats.invalid).toBe(3);
    expect(subscriber.stats.lastInvalid).toMatch(/\.json: /);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['good']);
    expect(watcher.described).toEqual(['added good']);
    await live.revoke();
  });

  it('survives fuzzed registry files: each is ignored and counted', async () => {
    const subscriber = open();
    let counted = 0;
    let index = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 1500 }),
          fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
          fc
            .record({
              format: fc.constant('seamless-registry-entry'),
              version: fc.constant(2),
              owner: fc.anything(),
              instance: fc.anything(),
              leaseMs: fc.anything(),
              advertisement: fc.anything(),
            })
            .map((value) => new TextEncoder().encode(JSON.stringify(value))),
        ),
        async (bytes) => {
          index += 1;
          await writeFile(join(directory, registryFileName('md.AAPL', `fuzz-${index}`)), bytes);
          expect(await subscriber.resolve('md.AAPL')).toEqual([]);
          counted += 1;
          expect(subscriber.stats.invalid).toBe(counted);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('removes temporary files left behind by a writer that died mid-write, and only old ones', async () => {
    const subscriber = open();
    const stale = join(directory, '.x.json.99.abc.tmp');
    const fresh = join(directory, '.y.json.99.abc.tmp');
    await writeFile(stale, '{');
    await writeFile(fresh, '{');
    const old = new Date(Date.now() - 60_000);
    await utimes(stale, old, old);
    await subscriber.resolve('md.AAPL');
    expect(await readdir(directory)).toEqual(['.y.json.99.abc.tmp']);
  });

  it('refuses unsafe directories and bad options with clear errors', async () => {
    const refusal = (options: HostResolverOptions) => {
      try {
        open(options);
      } catch (error) {
        return error as { code: string; message: string };
      }
      throw new Error('expected the options to be refused');
    };
    expect(refusal({ directory: 'relative' }).code).toBe('ERR_CONFIG_INVALID');
    open();
    await chmod(directory, 0o770);
    expect(refusal({})).toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('has mode 0770') as string });
    await chmod(directory, 0o700);
    expect(refusal({ leaseMs: 50 }).code).toBe('ERR_INVALID_ARGUMENT');
    expect(refusal({ leaseMs: 1000, renewIntervalMs: 1000 })).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('renewIntervalMs must be an integer from 10 to 999') as string,
    });
  });

  it('validates input and refuses everything after close, which deletes its entries', async () => {
    const resolver = open();
    await expect(resolver.advertise({ ...makeAdvertisement(), addresses: ['nowhere'] })).rejects.toMatchObject({
      code: 'ERR_ADVERTISEMENT_INVALID',
    });
    // The largest advertisement the schema allows still fits the size limit, and reads back.
    const largest = makeAdvertisement({
      publisherId: 'x'.repeat(64),
      addresses: Array<string>(64).fill('1234:5678:9abc:def0:1234:5678:9abc:def0%abcdefghijklmnopqrst'),
      host: { bootId: 'b'.repeat(128), ipcNamespace: 'i'.repeat(128), netNamespace: 'n'.repeat(128), hostname: 'h'.repeat(255) },
    });
    await resolver.advertise(largest);
    expect(await resolver.resolve('md.AAPL')).toEqual([largest]);
    await expect(resolver.resolve('a//b')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    expect(() => resolver.watch('md.>.x')).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
    await resolver.advertise(makeAdvertisement({ publisherId: 'p2' }));
    await resolver.close();
    await resolver.close();
    expect(await readdir(directory)).toEqual([]);
    await expect(resolver.resolve('md.AAPL')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(resolver.advertise(makeAdvertisement())).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('revokes, on close, a lease whose advertise() was still running', async () => {
    const resolver = new HostResolver({ directory });
    const advertising = resolver.advertise(makeAdvertisement({ publisherId: 'racing' }));
    // Let the advertisement get past its closed-check and into its file I/O.
    for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
    await resolver.close();
    const lease = await advertising.catch((error: unknown) => error);
    // Either it completed before close (and close withdrew it) or close refused it.
    if (lease instanceof Error) expect(lease).toMatchObject({ code: 'ERR_CLOSED' });
    expect(await readdir(directory)).toEqual([]);
  });

  it('leaves no timers or file watchers behind after close', async () => {
    const resources = trackResources();
    try {
      const resolver = new HostResolver({ directory, rescanIntervalMs: 20, renewIntervalMs: 20, leaseMs: 100 });
      await resolver.advertise(makeAdvertisement());
      const watcher = new EventRecorder(resolver.watch('md.AAPL'));
      await watcher.until(1);
      expect(resources.live()).toEqual(expect.arrayContaining(['FSEVENTWRAP', 'Timeout', 'Timeout']));
      await resolver.close();
      await watcher.done;
      expect(await resources.settledLive(), resources.details()).toEqual([]);
    } finally {
      resources.stop();
    }
  });
});

describe('HostResolver patterns', () => {
  const topicsOf = (advertisements: readonly Advertisement[]) =>
    advertisements.map((advertisement) => `${advertisement.topic} ${advertisement.publisherId}`).sort();

  it('watches a pattern: a snapshot of the matching topics, then later ones, changes and removals, with concrete topics', async () => {
    const publisher = open();
    const subscriber = open();
    await publisher.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'aapl' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md.us.IBM', publisherId: 'ibm' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md/MSFT', publisherId: 'slash' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md', publisherId: 'bare' }));
    await publisher.advertise(makeAdvertisement({ topic: 'fx.EUR', publisherId: 'fx' }));
    const controller = new AbortController();
    const oneLevel = new EventRecorder(subscriber.watch('md.*', controller.signal));
    const rest = new EventRecorder(subscriber.watch('md.>', controller.signal));
    expect(await oneLevel.until(1)).toEqual(['added aapl']);
    expect((await rest.until(2)).sort()).toEqual(['added aapl', 'added ibm']);
    const later = await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later' }));
    await oneLevel.until(2);
    await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later', maxMessageSize: 9 }));
    await publisher.advertise(makeAdvertisement({ topic: 'md.eu.SAP', publisherId: 'deep' }));
    await publisher.advertise(makeAdvertisement({ topic: 'fx.USD', publisherId: 'never' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md/AAPL', publisherId: 'never-slash' }));
    await rest.until(6);
    await oneLevel.until(4);
    await later.revoke(); // superseded by the re-advertisement: nothing
    const changed = await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'later', maxMessageSize: 10 }));
    await oneLevel.until(6);
    await changed.revoke();
    expect(await oneLevel.until(7)).toEqual([
      'added aapl',
      'added later',
      'removed later replaced',
      'added later',
      'removed later replaced',
      'added later',
      'removed later revoked',
    ]);
    expect(oneLevel.events.map((event) => event.advertisement.topic)).toEqual(['md.AAPL', ...Array<string>(6).fill('md.MSFT')]);
    const restEvents = await rest.until(9);
    expect(restEvents.slice(2).filter((event) => event.endsWith(' deep'))).toEqual(['added deep']);
    expect(restEvents.slice(2).filter((event) => !event.endsWith(' deep'))).toEqual(oneLevel.described.slice(1));
    expect(new Set(rest.events.map((event) => event.advertisement.topic))).toEqual(
      new Set(['md.AAPL', 'md.us.IBM', 'md.MSFT', 'md.eu.SAP']),
    );
    expect(topicsOf(await subscriber.resolve('md.*'))).toEqual(['md.AAPL aapl']);
    expect(topicsOf(await subscriber.resolve('md.>'))).toEqual(['md.AAPL aapl', 'md.eu.SAP deep', 'md.us.IBM ibm']);
    expect(topicsOf(await subscriber.resolve('md/*'))).toEqual(['md/AAPL never-slash', 'md/MSFT slash']);
    expect(topicsOf(await subscriber.resolve('*'))).toEqual(['md bare']);
    controller.abort();
    await Promise.all([oneLevel.done, rest.done]);
    expect(oneLevel.described).toHaveLength(7);
  });

  it.runIf(linux)('reports the death of a matching owner, and a deleted file, as a topic watch does', async () => {
    const subscriber = open();
    const { child, owner } = await otherProcess();
    await plant(makeAdvertisement({ topic: 'md.us.IBM', publisherId: 'doomed' }), owner);
    const deleted = await plant(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'deleted' }), owner);
    const watcher = new EventRecorder(subscriber.watch('md.>'));
    expect((await watcher.until(2)).sort()).toEqual(['added deleted', 'added doomed']);
    await rm(deleted);
    expect(await watcher.until(3)).toContain('removed deleted revoked');
    child.kill('SIGKILL');
    expect((await watcher.until(4)).at(-1)).toBe('removed doomed owner-exited');
    expect(subscriber.stats.ownerExited).toBe(1);
    await subscriber.close();
    await watcher.done;
  });

  it('reads the file of a topic it has not met once, and never again when it matches nothing', async () => {
    const subscriber = open({ rescanIntervalMs: 10 });
    const elsewhere = await plant(makeAdvertisement({ topic: 'fx.EUR', publisherId: 'fx' }), self());
    const watcher = new EventRecorder(subscriber.watch('md.>'));
    await subscriber.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'aapl' }));
    await watcher.until(1);
    // Known now to be of a topic nobody watches: garbage written over it is never read...
    await writeFile(elsewhere, 'not json, and a different size and mtime');
    const scans = subscriber.stats.scans;
    await waitUntil(() => subscriber.stats.scans > scans + 7, 10_000, 'full scans, one of them checking every file');
    expect(subscriber.stats.invalid).toBe(0);
    // ...while a file of a topic not met yet is read, to learn its topic.
    await writeFile(join(directory, registryFileName('md.NEW', 'garbage')), 'not json');
    await waitUntil(() => subscriber.stats.invalid === 1, 5000, 'the new file read');
    expect(watcher.described).toEqual(['added aapl']);
    expect(topicsOf(await subscriber.resolve('fx.*'))).toEqual([]);
    await rm(elsewhere);
    await plant(makeAdvertisement({ topic: 'fx.EUR', publisherId: 'fx' }), self());
    expect(topicsOf(await subscriber.resolve('fx.*'))).toEqual(['fx.EUR fx']);
  });

  it('keeps what a topic watch follows when a pattern watch ends, and the reverse', async () => {
    const publisher = open();
    const subscriber = open();
    await publisher.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'aapl' }));
    await publisher.advertise(makeAdvertisement({ topic: 'md.MSFT', publisherId: 'msft' }));
    const topicController = new AbortController();
    const patternController = new AbortController();
    const topicWatch = new EventRecorder(subscriber.watch('md.AAPL', topicController.signal));
    const patternWatch = new EventRecorder(subscriber.watch('md.*', patternController.signal));
    await topicWatch.until(1);
    await patternWatch.until(2);
    patternController.abort();
    await patternWatch.done;
    await publisher.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'aapl-2' }));
    expect(await topicWatch.until(2)).toEqual(['added aapl', 'added aapl-2']);
    const again = new EventRecorder(subscriber.watch('md.*', patternController.signal.aborted ? undefined : patternController.signal));
    expect((await again.until(3)).sort()).toEqual(['added aapl', 'added aapl-2', 'added msft']);
    topicController.abort();
    await topicWatch.done;
    await publisher.advertise(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'aapl-3' }));
    expect((await again.until(4)).at(-1)).toBe('added aapl-3');
    await subscriber.close();
    await again.done;
  });

  it('refuses invalid patterns and pattern advertisements, and ends pattern watches on abort and close without leaving anything behind', async () => {
    const resources = trackResources();
    try {
      const resolver = new HostResolver({ directory, rescanIntervalMs: 20 });
      for (const invalid of ['md.>.x', 'md.A*', 'md..*', '/md.*', 'md.#', '']) {
        expect(() => resolver.watch(invalid)).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
        await expect(resolver.resolve(invalid)).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
      }
      await expect(resolver.advertise(makeAdvertisement({ topic: 'md.*' }))).rejects.toMatchObject({ code: 'ERR_ADVERTISEMENT_INVALID' });
      await expect(resolver.advertise(makeAdvertisement({ topic: 'md.>' }))).rejects.toMatchObject({ code: 'ERR_ADVERTISEMENT_INVALID' });
      await plant(makeAdvertisement({ topic: 'md.AAPL', publisherId: 'planted' }), self());
      const controller = new AbortController();
      const aborted = new EventRecorder(resolver.watch('md.>', controller.signal));
      await aborted.until(1);
      expect(resources.live()).toEqual(expect.arrayContaining(['FSEVENTWRAP', 'Timeout']));
      controller.abort();
      await aborted.done;
      // The last watch ended: no file watcher, rescan timer or keep-alive timer is left.
      expect(await resources.settledLive(), resources.details()).toEqual([]);
      const closed = new EventRecorder(resolver.watch('*.AAPL'));
      await closed.until(1);
      await resolver.close();
      await closed.done;
      expect(closed.described).toEqual(['added planted']);
      expect(await resources.settledLive(), resources.details()).toEqual([]);
      expect(() => resolver.watch('md.>')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }) as Error);
    } finally {
      resources.stop();
    }
  });
});
