import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Child, killChildren } from '@seamless/test-support';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Entry {
  received: number;
  next: number;
  checksum: number;
  transports: string[];
}
interface Result {
  perPublisher: Record<string, Entry>;
  errors: string[];
}
interface Done {
  checksum: number;
  sent: number;
}

let directory = '';
beforeEach(() => {
  // A private registry per test, and no multicast: the test's traffic stays on this host.
  directory = mkdtempSync(join(tmpdir(), 'seamless-bus-'));
});
afterEach(async () => {
  await killChildren();
  rmSync(directory, { recursive: true, force: true });
});

async function subscriber(config: Record<string, unknown>): Promise<Child> {
  const child = Child.start(`${fixtures}bus-subscriber.mjs`, [
    JSON.stringify({ directory, topic: 'bus.test', maxMessageSize: 1024, ...config }),
  ]);
  await child.next((message) => message['type'] === 'subscribed');
  return child;
}

async function publisher(config: Record<string, unknown>): Promise<{ child: Child; publisherId: string; pid: number }> {
  const child = Child.start(`${fixtures}bus-publisher.mjs`, [
    JSON.stringify({ directory, topic: 'bus.test', maxMessageSize: 1024, ...config }),
  ]);
  const ready = await child.next<{ publisherId: string; pid: number }>((message) => message['type'] === 'ready');
  return { child, ...ready };
}

const isResult = (message: Record<string, unknown>) => message['type'] === 'result';
const isDone = (message: Record<string, unknown>) => message['type'] === 'done';

describe('Seamless across processes on one host', () => {
  it('a publisher and two subscribers: every message over shm, none lost, in order', async () => {
    const count = 100_000;
    const subscribers = [await subscriber({ expected: count }), await subscriber({ expected: count })];
    const source = await publisher({ count, waitForSubscribers: 2, autoStart: true });
    const done = await source.child.next<Done>(isDone, 60_000);
    for (const each of subscribers) {
      const result = await each.next<Result>(isResult, 60_000);
      expect(result.errors).toEqual([]);
      expect(result.perPublisher[source.publisherId]).toEqual({
        received: count,
        next: count,
        checksum: done.checksum,
        transports: ['shm'],
      });
    }
  }, 90_000);

  it('three publishers on one topic, found after the subscriber started, each in order', async () => {
    const count = 20_000;
    const merged = await subscriber({ expected: count, publishers: 3 });
    const sources = await Promise.all([1, 2, 3].map(() => publisher({ count, waitForSubscribers: 1, autoStart: true })));
    const dones = await Promise.all(sources.map((source) => source.child.next<Done>(isDone, 60_000)));
    const result = await merged.next<Result>(isResult, 60_000);
    expect(result.errors).toEqual([]);
    sources.forEach((source, index) => {
      expect(result.perPublisher[source.publisherId]).toMatchObject({
        received: count,
        checksum: dones[index]?.checksum,
        transports: ['shm'],
      });
    });
  }, 90_000);

  it('kill -9 of a publisher and of a subscriber: the others carry on', async () => {
    const count = 30_000;
    const survivor = await subscriber({ expected: count, publishers: 2 });
    const victimSubscriber = await subscriber({ expected: count, publishers: 2 });
    const steady = await publisher({ count, waitForSubscribers: 1 });
    const doomed = await publisher({ count: 1_000_000_000, waitForSubscribers: 2, progressEvery: 1000 });
    doomed.child.send('go');
    await doomed.child.next((message) => message['type'] === 'progress');
    await victimSubscriber.kill('SIGKILL');
    await doomed.child.kill('SIGKILL');
    // The survivor hears that the doomed publisher is gone (its process died)...
    const removed = await survivor.next<{ publisherId: string; reason: string }>((message) => message['type'] === 'removed', 30_000);
    expect(removed.publisherId).toBe(doomed.publisherId);
    // ...and the steady publisher, held back by nobody (the dead subscriber is evicted), delivers everything.
    steady.child.send('go');
    const done = await steady.child.next<Done>(isDone, 60_000);
    survivor.send('report');
    const result = await survivor.next<Result>(
      (message) => isResult(message) && ((message['perPublisher'] as Record<string, Entry>)[steady.publisherId]?.received ?? 0) >= count,
      60_000,
    );
    expect(result.errors).toEqual([]);
    expect(result.perPublisher[steady.publisherId]).toMatchObject({ received: count, checksum: done.checksum });
    // What arrived from the killed publisher is an intact prefix.
    const partial = result.perPublisher[doomed.publisherId];
    expect(partial?.received).toBe(partial?.next);
  }, 90_000);

  it('with shared memory disabled by injection, everything flows over TCP', async () => {
    const count = 20_000;
    const receiver = await subscriber({ expected: count, shm: false });
    const source = await publisher({ count, waitForSubscribers: 1, autoStart: true, shm: false });
    const done = await source.child.next<Done>(isDone, 60_000);
    const result = await receiver.next<Result>(isResult, 60_000);
    expect(result.errors).toEqual([]);
    expect(result.perPublisher[source.publisherId]).toEqual({ received: count, next: count, checksum: done.checksum, transports: ['tcp'] });
  }, 90_000);
});
