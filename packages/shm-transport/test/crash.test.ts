import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { advertisementOf, Child, killChildren } from '@seamless/test-support';
import { createShmTransport } from '../src/index.js';
import { parseShmEndpoint } from '../src/shm-endpoint.js';
import type { ShmEndpoint } from '../src/shm-endpoint.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface ReaderResult {
  received: number;
  next: number;
  gone: string | false;
  errors: string[];
}

async function startWriter(config: Record<string, unknown> & { topic: string; publisherId: string; maxMessageSize: number }) {
  const child = Child.start(`${fixtures}ring-writer.mjs`, [
    JSON.stringify({ policy: 'reliable', abortEvery: 0, loan: false, seed: 1, ...config }),
  ]);
  const ready = await child.next<{ endpoints: { readonly shm: ShmEndpoint }; pid: number; presence: string }>(
    (message) => message['type'] === 'ready',
  );
  return { child, advertisement: advertisementOf({ ...config, endpoints: ready.endpoints }), pid: ready.pid, presence: ready.presence };
}

async function startParkReader(config: Record<string, unknown>): Promise<Child & { presence?: string }> {
  const child: Child & { presence?: string } = Child.start(`${fixtures}park-reader.mjs`, [
    JSON.stringify({ seed: 1, livenessIntervalMs: 100, ...config }),
  ]);
  child.presence = (await child.next<{ presence: string }>((message) => message['type'] === 'attached')).presence;
  return child;
}

// What a process of this presence has in /dev/shm: segments, doorbells, its presence pipe.
const leftovers = (presence: string | undefined) =>
  presence === undefined ? ['no presence reported'] : readdirSync('/dev/shm').filter((name) => name.includes(presence));

async function eventually(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const isResult = (message: Record<string, unknown>) => message['type'] === 'result';

describe('crash safety', () => {
  afterEach(async () => {
    await killChildren();
  });

  it('kill -9 of a reader mid-stream: the reliable writer goes on after eviction, the other readers miss nothing', async () => {
    const config = {
      topic: 'crash.reader',
      publisherId: 'w-crash-reader',
      maxMessageSize: 256,
      capacity: 1 << 14,
      count: 100_000,
      drained: true,
      livenessIntervalMs: 100,
    };
    const writer = await startWriter(config);
    const common = { advertisement: writer.advertisement, maxMessageSize: config.maxMessageSize };
    const survivors = [await startParkReader(common), await startParkReader({ ...common, mode: 'iterate' })];
    const victim = await startParkReader({ ...common, stopAfter: 2000 });
    writer.child.send('go');
    await victim.next((message) => message['type'] === 'stopped');
    // The victim holds its slot without reading: the writer is stuck until it is evicted.
    expect(leftovers(victim.presence).length).toBeGreaterThan(0);
    await victim.kill('SIGKILL');
    const done = await writer.child.next<{ sent: number; backPressured: number }>((message) => message['type'] === 'done', 60_000);
    expect(done.sent).toBe(config.count);
    expect(done.backPressured).toBeGreaterThan(0);
    // The survivors removed what the victim left: its doorbell and its presence pipe.
    await eventually(() => leftovers(victim.presence).length === 0);
    writer.child.send('close');
    for (const survivor of survivors) {
      const result = await survivor.next<ReaderResult>(isResult, 30_000);
      expect(result.errors).toEqual([]);
      expect(result.received).toBe(config.count);
      expect(result.gone).toBe('ERR_PUBLISHER_GONE');
    }
  }, 90_000);

  it('kill -9 of a writer mid-stream: readers get an intact prefix, then a "gone" event; they reclaim its segment and doorbell', async () => {
    const config = {
      topic: 'crash.writer',
      publisherId: 'w-crash-writer',
      maxMessageSize: 65_536,
      capacity: 1 << 20,
      count: 1_000_000_000,
      progressEvery: 500,
      drained: true,
    };
    const writer = await startWriter(config);
    const segment = parseShmEndpoint(writer.advertisement.endpoints['shm']).segment;
    const common = { advertisement: writer.advertisement, maxMessageSize: config.maxMessageSize };
    const readers = [await startParkReader(common), await startParkReader({ ...common, mode: 'iterate' })];
    writer.child.send('go');
    await writer.child.next((message) => message['type'] === 'progress' && (message['sent'] as number) >= 2000, 60_000);
    expect(existsSync(`/dev/shm${segment}`)).toBe(true);
    await writer.child.kill('SIGKILL');
    for (const reader of readers) {
      const result = await reader.next<ReaderResult>(isResult, 30_000);
      expect(result.gone).toBe('ERR_PUBLISHER_GONE');
      // Every message from 0 up to where the writer died, each intact; nothing half-written.
      expect(result.errors).toEqual([]);
      expect(result.received).toBe(result.next);
      expect(result.received).toBeGreaterThanOrEqual(2000);
    }
    // The killed writer could not unlink its segment, doorbell and presence: its readers did.
    await eventually(() => leftovers(writer.presence).length === 0);
    expect(existsSync(`/dev/shm${segment}`)).toBe(false);
  }, 90_000);

  it('writers killed before any reader came: the next transport to start reclaims what they left, and so does reclaim()', async () => {
    // A private name prefix: transports that other test files start meanwhile reclaim dead
    // writers' segments too, but only under their own prefix (doorbells and presences they
    // remove whatever the prefix, which is why this test looks only at the segment).
    const namePrefix = 'seamlesscrash';
    const start = async (publisherId: string) => {
      const writer = await startWriter({ topic: 'crash.alone', publisherId, maxMessageSize: 64, capacity: 4096, count: 1, namePrefix });
      await writer.child.kill('SIGKILL');
      const segment = parseShmEndpoint(writer.advertisement.endpoints['shm']).segment;
      expect(existsSync(`/dev/shm${segment}`)).toBe(true);
      return { segment, presence: writer.presence };
    };
    const first = await start('w-alone-1');
    // The first transport of this prefix in this process reclaims in the background.
    const transport = createShmTransport({ namePrefix });
    await eventually(() => !existsSync(`/dev/shm${first.segment}`));
    await eventually(() => leftovers(first.presence).length === 0);
    // Later deaths are reclaimed by whoever notices, or on request.
    const second = await start('w-alone-2');
    const report = await transport.reclaim();
    expect(report.segments).toEqual([second.segment]);
    expect(report.presences).toContain(second.presence); // with those of any other dead process
    expect(leftovers(second.presence)).toEqual([]);
    await transport.close();
  });

  it('a normal exit without close() leaves no segment and no doorbell behind', async () => {
    const writer = await startWriter({ topic: 'exit.unclosed', publisherId: 'w-unclosed', maxMessageSize: 64, capacity: 4096, count: 1 });
    const segment = parseShmEndpoint(writer.advertisement.endpoints['shm']).segment;
    expect(existsSync(`/dev/shm${segment}`)).toBe(true);
    writer.child.send('exit');
    expect(await writer.child.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(`/dev/shm${segment}`)).toBe(false);
    expect(leftovers(writer.presence)).toEqual([]);
  });

  it('a process with an open-then-closed subscriber exits by itself', async () => {
    const writer = await startWriter({ topic: 'exit.test', publisherId: 'w-exit', maxMessageSize: 64, capacity: 4096, count: 10 });
    const reader = await startParkReader({ advertisement: writer.advertisement, maxMessageSize: 64 });
    writer.child.send('go');
    await writer.child.next((message) => message['type'] === 'done');
    reader.send('close');
    await reader.next((message) => message['type'] === 'closed');
    const closedAt = performance.now();
    // Nothing may keep it alive: no parked native thread, no ref'd handle. (The bound here only
    // guards against a hang; the time it took is printed.)
    const exit = await Promise.race([
      reader.exited,
      new Promise<'hung'>((resolve) => {
        setTimeout(() => {
          resolve('hung');
        }, 10_000);
      }),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    console.log(`subscriber process exited ${(performance.now() - closedAt).toFixed(0)} ms after closing`);
    writer.child.send('close');
    await writer.child.next((message) => message['type'] === 'closed');
  }, 30_000);
});
