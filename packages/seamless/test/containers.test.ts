import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Child, SmallShm, containerSkipReason, containerWrapper, killChildren } from '@seamless/test-support';

// The bus where users deploy it: in containers. `unshare` stands in for Docker: a mount
// namespace with a 64 MB tmpfs on /dev/shm (Docker's default), and an IPC namespace of its own
// that still shares /dev/shm (a /dev/shm volume, `--ipc=host` style sharing of the mount).
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const skipReason = containerSkipReason();
if (skipReason !== undefined) console.log(`skipping the facade's container tests: ${skipReason}`);

interface Resources {
  rss: number;
  fds: number;
  shmUsed: number | null;
}

let directory = '';
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'seamless-containers-'));
});
afterEach(async () => {
  await killChildren();
  rmSync(directory, { recursive: true, force: true });
});

describe.skipIf(skipReason !== undefined)('Seamless in containers', () => {
  let shm: SmallShm | undefined;
  afterEach(async () => {
    await shm?.remove();
    shm = undefined;
  });

  it('300 publishers in a 64 MB /dev/shm: those that find no room run over TCP, one warning names the space, every message arrives in order, no process dies of a signal', async () => {
    shm = await SmallShm.create(64 * 1024 * 1024);
    const topics = 300;
    const messages = 20;
    const bus = { multicast: false, hostResolver: { directory } };
    const config = { topics, prefix: 'small.shm', bus, messages, size: 1024 };
    const publisher = Child.start(`${fixtures}topics-publisher.mjs`, [JSON.stringify(config)], { wrapper: shm.wrapper() });
    const ready = await publisher.next<{ transports: { shm: number; tcpOnly: number }; warnings: string[] }>(
      (message) => message['type'] === 'ready',
      120_000,
    );
    console.log(`64 MB /dev/shm: ${ready.transports.shm} publishers over shm and tcp, ${ready.transports.tcpOnly} over tcp only`);
    expect(ready.transports.shm).toBeGreaterThanOrEqual(200);
    expect(ready.transports.tcpOnly).toBeGreaterThan(0);
    expect(ready.warnings).toHaveLength(1);
    expect(ready.warnings[0]).toMatch(/without their shm transport: .*\/dev\/shm: 64\.0 MiB, [\d.]+ (KiB|MiB) free/);

    const subscriber = Child.start(`${fixtures}topics-subscriber.mjs`, [JSON.stringify(config)], { wrapper: shm.wrapper() });
    const discovered = await subscriber.next<{ transports: { shm: number; tcp: number } }>(
      (message) => message['type'] === 'discovered',
      120_000,
    );
    expect(discovered.transports).toEqual({ shm: ready.transports.shm, tcp: ready.transports.tcpOnly });
    publisher.send('go');
    const result = await subscriber.next<{ received: number; errors: string[]; removed: number }>(
      (message) => message['type'] === 'result',
      120_000,
    );
    expect(result).toEqual({ type: 'result', received: topics * messages, errors: [], removed: 0 });
    publisher.send('report');
    const resources = await publisher.next<Resources>((message) => message['type'] === 'resources');
    expect(resources.shmUsed).toBeLessThanOrEqual(64 * 1024 * 1024);

    for (const child of [subscriber, publisher]) {
      child.send('close');
      await child.next((message) => message['type'] === 'closed', 60_000);
      expect(await child.exited).toEqual({ code: 0, signal: null });
    }
    // Both closed: their segments and doorbells are gone; presence pipes go at exit.
    expect(shm.run('ls /dev/shm')).toBe('');
  }, 300_000);

  it('a subscriber in another IPC namespace that shares /dev/shm opens the segment, reads the nonce and gets shared memory', async () => {
    const count = 5000;
    const subscriber = Child.start(
      `${fixtures}bus-subscriber.mjs`,
      [JSON.stringify({ directory, topic: 'ipc.test', maxMessageSize: 1024, expected: count })],
      {
        wrapper: containerWrapper({ pid: true, ipc: true }),
      },
    );
    await subscriber.next((message) => message['type'] === 'subscribed');
    const publisher = Child.start(`${fixtures}bus-publisher.mjs`, [
      JSON.stringify({ directory, topic: 'ipc.test', maxMessageSize: 1024, count, waitForSubscribers: 1, autoStart: true }),
    ]);
    const route = await subscriber.next<{ transport: string; reason: string }>((message) => message['type'] === 'route');
    expect(route).toMatchObject({ transport: 'shm', reason: expect.stringContaining('another IPC namespace') as unknown });
    const result = await subscriber.next<{ errors: string[]; perPublisher: Record<string, { received: number; transports: string[] }> }>(
      (message) => message['type'] === 'result',
      60_000,
    );
    expect(result.errors).toEqual([]);
    expect(Object.values(result.perPublisher)).toEqual([expect.objectContaining({ received: count, transports: ['shm'] })]);
    await publisher.next((message) => message['type'] === 'done');
  }, 120_000);
});
