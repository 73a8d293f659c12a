import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, createTwoHosts, killChildren, namespaceSkipReason } from '@seamless/test-support';
import type { TwoHosts } from '@seamless/test-support';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const skipReason = namespaceSkipReason();
if (skipReason !== undefined) console.log(`two-host test skipped: ${skipReason}`);

interface Result {
  perPublisher: Record<string, { received: number; checksum: number; transports: string[] }>;
  errors: string[];
}

describe.skipIf(skipReason !== undefined)('two hosts (Linux network namespaces joined by a veth pair)', () => {
  let hosts: TwoHosts;
  let directory: string;

  beforeAll(() => {
    hosts = createTwoHosts();
    directory = mkdtempSync(join(tmpdir(), 'seamless-two-hosts-'));
  });

  afterAll(async () => {
    await killChildren();
    hosts.remove();
    rmSync(directory, { recursive: true, force: true });
  });

  it('one publisher: a subscriber in its namespace receives over shm, one in the other over tcp, at the same time, every message intact', async () => {
    const inA = ['ip', 'netns', 'exec', hosts.a.namespace];
    const inB = ['ip', 'netns', 'exec', hosts.b.namespace];
    const common = { directory, topic: 'two.hosts', maxMessageSize: 2048 };
    const count = 50_000;
    const local = Child.start(`${fixtures}bus-subscriber.mjs`, [JSON.stringify({ ...common, expected: count })], { wrapper: inA });
    const remote = Child.start(`${fixtures}bus-subscriber.mjs`, [JSON.stringify({ ...common, expected: count })], { wrapper: inB });
    await Promise.all([local, remote].map((child) => child.next((message) => message['type'] === 'subscribed')));
    const publisher = Child.start(
      `${fixtures}bus-publisher.mjs`,
      [JSON.stringify({ ...common, count, waitForSubscribers: 2, autoStart: true })],
      { wrapper: inA },
    );
    const { publisherId } = await publisher.next<{ publisherId: string }>((message) => message['type'] === 'ready');
    const localRoute = await local.next<{ transport: string }>((message) => message['type'] === 'route', 30_000);
    const remoteRoute = await remote.next<{ transport: string; reason: string }>((message) => message['type'] === 'route', 30_000);
    expect(localRoute).toMatchObject({ transport: 'shm' });
    expect(remoteRoute.transport).toBe('tcp');
    const done = await publisher.next<{ checksum: number; subscribers: number }>((message) => message['type'] === 'done', 60_000);
    expect(done.subscribers).toBe(2);
    for (const [child, transport] of [
      [local, 'shm'],
      [remote, 'tcp'],
    ] as const) {
      const result = await child.next<Result>((message) => message['type'] === 'result', 60_000);
      expect(result.errors).toEqual([]);
      expect(result.perPublisher[publisherId]).toEqual({ received: count, next: count, checksum: done.checksum, transports: [transport] });
    }
    for (const child of [publisher, local, remote]) child.send('close');
    await Promise.all([publisher, local, remote].map((child) => child.exited));
  }, 120_000);
});
