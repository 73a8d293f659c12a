import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Advertisement, DeliveryPolicy } from '@seamless/transport';
import { Child, killChildren } from '@seamless/test-support';
import type { ShmEndpoint } from '../src/shm-endpoint.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface WriterConfig {
  topic: string;
  publisherId: string;
  policy: DeliveryPolicy;
  maxMessageSize: number;
  capacity: number;
  count: number;
  seed: number;
  loan?: boolean;
  abortEvery?: number;
}

interface PublisherResult {
  received: number;
  lost: number;
  lostOnMessages: number;
  next: number;
  checksum: number;
  gone: string | false;
  firstSeq: number;
}

interface ReaderResult {
  perPublisher: Record<string, PublisherResult>;
  errors: string[];
}

interface WriterDone {
  sent: number;
  backPressured: number;
  aborted: number;
  checksum: number;
}

// Every segment a writer of this file created; other test files run at the same time and
// create their own, so only these are checked at the end.
const created: string[] = [];

async function startWriter(config: WriterConfig): Promise<{ child: Child; advertisement: Advertisement }> {
  const child = Child.start(`${fixtures}ring-writer.mjs`, [JSON.stringify({ abortEvery: 0, loan: false, ...config })]);
  const ready = await child.next<{ endpoints: { readonly shm: ShmEndpoint } }>((message) => message['type'] === 'ready');
  created.push(ready.endpoints.shm.segment);
  const advertisement: Advertisement = {
    version: 1,
    topic: config.topic,
    publisherId: config.publisherId,
    policy: config.policy,
    maxMessageSize: config.maxMessageSize,
    host: { bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' },
    addresses: [],
    endpoints: ready.endpoints,
  };
  return { child, advertisement };
}

async function closeWriter(writer: Child): Promise<void> {
  writer.send('close');
  await writer.next((message) => message['type'] === 'closed');
}

async function startReader(config: Record<string, unknown>): Promise<Child> {
  const child = Child.start(`${fixtures}ring-reader.mjs`, [JSON.stringify(config)]);
  await child.next((message) => message['type'] === 'attached');
  return child;
}

describe('shared-memory rings across processes', () => {
  afterEach(async () => {
    await killChildren();
  });

  it('1 writer -> 3 readers: 1,000,000 messages of random sizes, each reader gets every one once, in order, intact', async () => {
    const config: WriterConfig = {
      topic: 'test.fanout',
      publisherId: 'w-fanout',
      policy: 'reliable',
      maxMessageSize: 256,
      capacity: 1 << 16, // small, so the ring wraps thousands of times
      count: 1_000_000,
      seed: 7,
    };
    const { child: writer, advertisement } = await startWriter(config);
    const readers = await Promise.all(
      [0, 1, 2].map(() =>
        startReader({
          advertisements: [advertisement],
          expected: config.count,
          maxMessageSize: config.maxMessageSize,
          seeds: { [config.publisherId]: config.seed },
          policy: 'reliable',
        }),
      ),
    );
    writer.send('go');
    const done = await writer.next<WriterDone>((message) => message['type'] === 'done', 170_000);
    expect(done.sent).toBe(config.count);
    for (const reader of readers) {
      const result = await reader.next<ReaderResult>((message) => message['type'] === 'result', 170_000);
      expect(result.errors).toEqual([]);
      const mine = result.perPublisher[config.publisherId];
      expect(mine?.received).toBe(config.count);
      expect(mine?.next).toBe(config.count);
      expect(mine?.lost).toBe(0);
      expect(mine?.checksum).toBe(done.checksum);
    }
    await closeWriter(writer);
  }, 180_000);

  it('3 writers -> 1 reader keeps per-writer order', async () => {
    const writers = await Promise.all(
      [1, 2, 3].map((index) =>
        startWriter({
          topic: 'test.merge',
          publisherId: `w-merge-${index}`,
          policy: 'reliable',
          maxMessageSize: 512,
          capacity: 1 << 15,
          count: 100_000,
          seed: index * 1000,
        }),
      ),
    );
    const reader = await startReader({
      advertisements: writers.map((writer) => writer.advertisement),
      expected: 100_000,
      maxMessageSize: 512,
      seeds: { 'w-merge-1': 1000, 'w-merge-2': 2000, 'w-merge-3': 3000 },
      policy: 'reliable',
    });
    for (const writer of writers) writer.child.send('go');
    const dones = await Promise.all(
      writers.map((writer) => writer.child.next<WriterDone>((message) => message['type'] === 'done', 90_000)),
    );
    const result = await reader.next<ReaderResult>((message) => message['type'] === 'result', 90_000);
    expect(result.errors).toEqual([]);
    writers.forEach((writer, index) => {
      const mine = result.perPublisher[writer.advertisement.publisherId];
      expect(mine?.received).toBe(100_000);
      expect(mine?.checksum).toBe(dones[index]?.checksum);
    });
    await Promise.all(writers.map((writer) => closeWriter(writer.child)));
  }, 120_000);

  it('reliable: a deliberately slow reader loses nothing and the writer sees back-pressure', async () => {
    const config: WriterConfig = {
      topic: 'test.slow',
      publisherId: 'w-slow',
      policy: 'reliable',
      maxMessageSize: 1024,
      capacity: 1 << 14,
      count: 20_000,
      seed: 11,
    };
    const { child: writer, advertisement } = await startWriter(config);
    const reader = await startReader({
      advertisements: [advertisement],
      expected: config.count,
      maxMessageSize: config.maxMessageSize,
      seeds: { [config.publisherId]: config.seed },
      policy: 'reliable',
      slowEvery: 50,
      slowMicros: 1000,
    });
    writer.send('go');
    const done = await writer.next<WriterDone>((message) => message['type'] === 'done', 60_000);
    const result = await reader.next<ReaderResult>((message) => message['type'] === 'result', 60_000);
    expect(result.errors).toEqual([]);
    expect(result.perPublisher[config.publisherId]?.received).toBe(config.count);
    expect(result.perPublisher[config.publisherId]?.checksum).toBe(done.checksum);
    expect(done.backPressured).toBeGreaterThan(0);
    await closeWriter(writer);
  }, 90_000);

  it("latest: a slow reader's loss counter matches what it missed, and what it got is intact", async () => {
    const config: WriterConfig = {
      topic: 'test.latest',
      publisherId: 'w-latest',
      policy: 'latest',
      maxMessageSize: 200,
      capacity: 1 << 13,
      count: 200_000,
      seed: 5,
    };
    const { child: writer, advertisement } = await startWriter(config);
    const reader = await startReader({
      advertisements: [advertisement],
      maxMessageSize: config.maxMessageSize,
      seeds: { [config.publisherId]: config.seed },
      policy: 'latest',
      slowEvery: 20,
      slowMicros: 500,
    });
    writer.send('go');
    const done = await writer.next<WriterDone>((message) => message['type'] === 'done', 60_000);
    expect(done.backPressured).toBe(0); // the latest policy never makes the writer wait
    await closeWriter(writer);
    const result = await reader.next<ReaderResult>((message) => message['type'] === 'result', 60_000);
    expect(result.errors).toEqual([]);
    const mine = result.perPublisher[config.publisherId];
    expect(mine?.gone).toBe('ERR_PUBLISHER_GONE');
    expect(mine?.lost).toBeGreaterThan(0);
    // Every message from the first one it saw to the last one sent is either received or
    // counted lost, and the counter agrees with the `lost` carried on the messages.
    expect(mine?.lost).toBe(mine?.lostOnMessages);
    expect((mine?.received ?? 0) + (mine?.lost ?? 0)).toBe(config.count - (mine?.firstSeq ?? 0));
  }, 90_000);

  it('loan / commit / abort across processes: aborted slots are never delivered', async () => {
    const config: WriterConfig = {
      topic: 'test.loan',
      publisherId: 'w-loan',
      policy: 'reliable',
      maxMessageSize: 300,
      capacity: 1 << 12,
      count: 50_000,
      seed: 3,
      loan: true,
      abortEvery: 7,
    };
    const { child: writer, advertisement } = await startWriter(config);
    const reader = await startReader({
      advertisements: [advertisement],
      expected: config.count,
      maxMessageSize: config.maxMessageSize,
      seeds: { [config.publisherId]: config.seed },
      policy: 'reliable',
      copy: true,
    });
    writer.send('go');
    const done = await writer.next<WriterDone>((message) => message['type'] === 'done', 60_000);
    expect(done.aborted).toBeGreaterThan(1000);
    const result = await reader.next<ReaderResult>((message) => message['type'] === 'result', 60_000);
    expect(result.errors).toEqual([]);
    expect(result.perPublisher[config.publisherId]?.received).toBe(config.count);
    expect(result.perPublisher[config.publisherId]?.checksum).toBe(done.checksum);
    await closeWriter(writer);
  }, 90_000);

  it('leaves no segments behind', () => {
    // Every writer above closed its publication, which unlinks the segment.
    expect(created.length).toBeGreaterThanOrEqual(7);
    expect(created.filter((segment) => existsSync(`/dev/shm${segment}`))).toEqual([]);
  });
});
