import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Advertisement } from '@seamless/transport';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventRecorder, makeAdvertisement, waitUntil } from '../test/support/advertisements.js';
import { settle, trackResources } from '../test/support/live-resources.js';
import { checkAdvertisement } from './checked-advertisement.js';
import { HostResolver } from './host-resolver.js';
import type { HostResolverOptions } from './host-resolver.js';
import { currentOwner, parseProcessStat } from './process-owner.js';
import type { ProcessOwner } from './process-owner.js';
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

/** A sleeping child process and its owner record, to stand for another publisher process. */
async function otherProcess(): Promise<{ child: ChildProcess; owner: ProcessOwner }> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  const pid = child.pid ?? 0;
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  return { child, owner: { ...currentOwner(), pid, startTime: parseProcessStat(text)?.startTime ?? null } };
}

async function plant(advertisement: Advertisement, owner: ProcessOwner, leaseMs = 5000, content?: string): Promise<string> {
  const path = join(directory, registryFileName(advertisement.topic, advertisement.publisherId));
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await writeFile(path, content ?? encodeRegistryEntry(owner, leaseMs, checkAdvertisement(advertisement)), { mode: 0o600 });
  return path;
}

const ids = (advertisements: readonly Advertisement[]) => advertisements.map((advertisement) => advertisement.publisherId).sort();

describe('HostResolver', () => {
  it('shares advertisements through the directory: one file per advertisement, mode 0600, valid content', async () => {
    const publisher = open();
    const subscriber = open();
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const lease = await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    expect(await subscriber.resolve('md.MSFT')).toEqual([]);
    const files = await readdir(directory);
    expect(files).toEqual([registryFileName('md.AAPL', 'p1')]);
    const path = join(directory, files[0] ?? '');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const content = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(content).toMatchObject({ format: 'seamless-registry-entry', version: 1, leaseMs: 5000, owner: { pid: process.pid } });
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
    const self = currentOwner();
    await plant(makeAdvertisement({ publisherId: 'recycled' }), { ...self, startTime: '1' });
    expect(await open().resolve('md.AAPL')).toEqual([]);
    expect(await readdir(directory)).toEqual([]);
  });

  it('expires an entry not renewed within its lease, when its owner cannot be checked', async () => {
    const subscriber = open();
    const foreign = { ...currentOwner(), pid: 1, pidNamespace: 'pid:[1]' };
    const path = await plant(makeAdvertisement({ publisherId: 'container' }), foreign, 1000);
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['container']);
    const old = new Date(Date.now() - 2000);
    await utimes(path, old, old);
    expect(await subscriber.resolve('md.AAPL')).toEqual([]);
    expect(subscriber.stats.expired).toBe(1);
    expect(await readdir(directory)).toEqual([]);
  });

  it('renews its own entries and writes them again when someone deleted them', async () => {
    const publisher = open({ leaseMs: 300, renewIntervalMs: 30 });
    const subscriber = open();
    await publisher.advertise(makeAdvertisement({ publisherId: 'p1' }));
    const path = join(directory, registryFileName('md.AAPL', 'p1'));
    const written = (await stat(path)).mtimeMs;
    await waitUntil(() => Date.now() - written > 400, 5000, 'more than a lease to pass');
    expect(ids(await subscriber.resolve('md.AAPL'))).toEqual(['p1']);
    const watcher = new EventRecorder(subscriber.watch('md.AAPL'));
    await watcher.until(1);
    await rm(path);
    expect(await watcher.until(3)).toEqual(['added p1', 'removed p1 revoked', 'added p1']);
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
    const { owner } = linux ? await otherProcess() : { owner: { ...currentOwner(), pid: process.ppid } };
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
    await writeFile(join(directory, name('mismatch')), encodeRegistryEntry(currentOwner(), 5000, checkAdvertisement(makeAdvertisement({ publisherId: 'else' }))));
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
          fc.record({ format: fc.constant('seamless-registry-entry'), version: fc.constant(1), owner: fc.anything(), leaseMs: fc.anything(), advertisement: fc.anything() })
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
    expect(() => resolver.watch('*')).toThrow(expect.objectContaining({ code: 'ERR_TOPIC_INVALID' }) as Error);
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
      await settle();
      expect(resources.live(), resources.details()).toEqual([]);
    } finally {
      resources.stop();
    }
  });
});
