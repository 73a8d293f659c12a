import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Child, createTwoHosts, killChildren, namespaceSkipReason } from '@seamless/test-support';
import type { TwoHosts } from '@seamless/test-support';

// Late joiners and patterns across processes and "hosts": the publishers run in network
// namespace a, one subscriber beside them (shared memory) and one in namespace b (TCP over a
// veth pair), all on one registry directory.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const skipReason = namespaceSkipReason();
if (skipReason !== undefined) console.log(`late-joiner process tests skipped: ${skipReason}`);

interface Joined {
  topic: string;
  first: number;
  last: number;
  received: number;
  lost: number;
  transports: string[];
  head: number[];
}
interface Result {
  perPublisher: Record<string, Joined>;
  errors: string[];
  attachments: string[];
}
interface Ready {
  publisherId: string;
  next: number;
}

const maxMessageSize = 1024;
const isResult = (message: Record<string, unknown>) => message['type'] === 'result';
const isRoute = (message: Record<string, unknown>) => message['type'] === 'route';

describe.skipIf(skipReason !== undefined)('late joiners and patterns, on shared memory and over TCP', () => {
  let hosts: TwoHosts;
  let directory: string;
  let inA: string[];
  let inB: string[];

  beforeAll(() => {
    hosts = createTwoHosts();
    inA = ['ip', 'netns', 'exec', hosts.a.namespace];
    inB = ['ip', 'netns', 'exec', hosts.b.namespace];
  });
  afterAll(() => {
    hosts.remove();
  });
  afterEach(async () => {
    await killChildren();
    rmSync(directory, { recursive: true, force: true });
  });

  async function publisher(config: Record<string, unknown>): Promise<{ child: Child } & Ready> {
    directory ||= mkdtempSync(join(tmpdir(), 'seamless-late-'));
    const child = Child.start(`${fixtures}history-publisher.mjs`, [JSON.stringify({ directory, maxMessageSize, ...config })], {
      wrapper: inA,
    });
    return { child, ...(await child.next<Ready>((message) => message['type'] === 'ready')) };
  }

  async function subscriber(wrapper: string[], config: Record<string, unknown>): Promise<Child> {
    const child = Child.start(`${fixtures}join-subscriber.mjs`, [JSON.stringify({ directory, maxMessageSize, ...config })], { wrapper });
    await child.next((message) => message['type'] === 'subscribed');
    return child;
  }

  async function resultUntil(child: Child, publishers: Record<string, number>): Promise<Result> {
    child.send(`until ${Object.entries(publishers).flat().join(' ')}`);
    return child.next<Result>(isResult, 60_000);
  }

  it.each(['reliable', 'latest'] as const)(
    '%s, history 10, 100 sent before anyone subscribed: a local and a remote late joiner get 90…99, then the live stream in order',
    async (policy) => {
      directory = '';
      const source = await publisher({ topic: 'late.acceptance', policy, history: 10, before: 100 });
      expect(source.next).toBe(100);
      const local = await subscriber(inA, { topic: 'late.acceptance' });
      const remote = await subscriber(inB, { topic: 'late.acceptance' });
      expect(await local.next(isRoute)).toMatchObject({ transport: 'shm', topic: 'late.acceptance' });
      expect(await remote.next(isRoute)).toMatchObject({ transport: 'tcp', topic: 'late.acceptance' });
      // The publisher sees its audience, each over its transport.
      const isAdded = (message: Record<string, unknown>) => message['type'] === 'subscriber-added';
      const added = [await source.child.next(isAdded), await source.child.next(isAdded)];
      expect(added.map((message) => message['transport']).sort()).toEqual(['shm', 'tcp']);
      for (const child of [local, remote]) {
        const { perPublisher, errors } = await resultUntil(child, { [source.publisherId]: 99 });
        expect(errors).toEqual([]);
        expect(perPublisher[source.publisherId]).toMatchObject({ first: 90, last: 99, received: 10, lost: 0 });
      }
      source.child.send('send 1000');
      await source.child.next((message) => message['type'] === 'sent');
      for (const [child, transport] of [
        [local, 'shm'],
        [remote, 'tcp'],
      ] as const) {
        const { perPublisher, errors } = await resultUntil(child, { [source.publisherId]: 1099 });
        expect(errors).toEqual([]);
        const joined = perPublisher[source.publisherId];
        expect(joined).toMatchObject({ first: 90, last: 1099, transports: [transport] });
        expect(joined?.head).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101]);
        // Nothing duplicated, and under 'reliable' nothing lost: every one of 90…1099 once.
        expect((joined?.received ?? 0) + (joined?.lost ?? 0)).toBe(1010);
        if (policy === 'reliable') expect(joined?.lost).toBe(0);
      }
      remote.send('close');
      const removed = await source.child.next((message) => message['type'] === 'subscriber-removed', 30_000);
      expect(removed).toMatchObject({ transport: 'tcp', id: added.find((message) => message['transport'] === 'tcp')?.['id'] });
    },
    120_000,
  );

  it.each(['reliable', 'latest'] as const)(
    '%s: subscribers that attach while the publisher keeps sending join without a gap or a duplicate',
    async (policy) => {
      directory = '';
      const source = await publisher({ topic: 'late.stream', policy, history: 64, before: 0 });
      source.child.send('stream');
      await source.child.next((message) => message['type'] === 'streaming');
      const joiners = [
        await subscriber(inA, { topic: 'late.stream' }),
        await subscriber(inB, { topic: 'late.stream' }),
        await subscriber(inA, { topic: 'late.stream' }),
        await subscriber(inB, { topic: 'late.stream', history: false }),
      ];
      for (const child of joiners) await child.next(isRoute);
      source.child.send('stop');
      const { next } = await source.child.next<{ next: number }>((message) => message['type'] === 'sent', 60_000);
      expect(next).toBeGreaterThan(0);
      for (const [index, child] of joiners.entries()) {
        const { perPublisher, errors, attachments } = await resultUntil(child, { [source.publisherId]: next - 1 });
        expect(errors, attachments.join('; ')).toEqual([]);
        const joined = perPublisher[source.publisherId];
        expect(joined?.transports).toEqual([index % 2 === 0 ? 'shm' : 'tcp']);
        expect(joined?.last).toBe(next - 1);
        expect((joined?.received ?? 0) + (joined?.lost ?? 0)).toBe(next - (joined?.first ?? 0));
        if (policy === 'reliable') expect(joined?.lost).toBe(0);
      }
    },
    120_000,
  );

  it('md.* and md.> receive exactly the matching topics, local and remote, a publisher started after them included', async () => {
    directory = '';
    const early = {
      'md.AAPL': await publisher({ topic: 'md.AAPL', history: 5, before: 5 }),
      'md.us.AAPL': await publisher({ topic: 'md.us.AAPL', history: 5, before: 5 }),
      'mdx.AAPL': await publisher({ topic: 'mdx.AAPL', history: 5, before: 5 }),
      md: await publisher({ topic: 'md', history: 5, before: 5 }),
    };
    const subscribers = {
      'local md.*': await subscriber(inA, { topic: 'md.*' }),
      'remote md.*': await subscriber(inB, { topic: 'md.*' }),
      'local md.>': await subscriber(inA, { topic: 'md.>' }),
      'remote md.>': await subscriber(inB, { topic: 'md.>' }),
    };
    const late = await publisher({ topic: 'md.MSFT', history: 5, before: 5 });
    const matching = {
      'md.*': ['md.AAPL', 'md.MSFT'],
      'md.>': ['md.AAPL', 'md.MSFT', 'md.us.AAPL'],
    };
    const idOf = (topic: string): string => (topic === 'md.MSFT' ? late : early[topic as keyof typeof early]).publisherId;
    for (const [name, child] of Object.entries(subscribers)) {
      const [where, pattern] = name.split(' ') as ['local' | 'remote', keyof typeof matching];
      const expected = matching[pattern];
      const { perPublisher, errors } = await resultUntil(child, Object.fromEntries(expected.map((topic) => [idOf(topic), 4])));
      expect(errors).toEqual([]);
      const topics = Object.values(perPublisher).map((joined) => joined.topic);
      expect(topics.sort(), name).toEqual(expected);
      for (const joined of Object.values(perPublisher)) {
        expect(joined, name).toMatchObject({ first: 0, last: 4, received: 5, transports: [where === 'local' ? 'shm' : 'tcp'] });
      }
    }
    // A second look after every publisher was certainly found: still nothing that does not match.
    for (const [name, child] of Object.entries(subscribers)) {
      child.send('report');
      const { perPublisher } = await child.next<Result>(isResult);
      const pattern = name.split(' ')[1] as keyof typeof matching;
      expect(
        Object.values(perPublisher)
          .map((joined) => joined.topic)
          .sort(),
        name,
      ).toEqual(matching[pattern]);
    }
  }, 120_000);
});
