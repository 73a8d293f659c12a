// Acceptance tests over loopback with real child processes (fixtures import the BUILT package).
import { afterEach, describe, expect, it } from 'vitest';
import type { Advertisement } from '@seamless/transport';
import { createSocketTransport } from '../src/index.js';
import type { SocketTransport } from '../src/index.js';
import { killFixtures, startFixture } from './children.js';
import type { Fixture } from './children.js';
import { Collector, until } from './support.js';

// The fixtures' identity (test/fixtures/payloads.mjs): loopback counts between them and us.
const identity = { bootId: 'fixture-boot', ipcNamespace: 'ipc:[1]', netNamespace: 'net:[1]', hostname: 'fixture' };
const transports: SocketTransport[] = [];

afterEach(async () => {
  await killFixtures();
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

function transport(options: Parameters<typeof createSocketTransport>[0] = {}): SocketTransport {
  const created = createSocketTransport({ identity, host: '127.0.0.1', ...options });
  transports.push(created);
  return created;
}

interface Sent {
  readonly count: number;
  readonly checksum: number;
}
interface Done {
  readonly received: number;
  readonly lost: number;
  readonly checksum: number;
  readonly problems: readonly string[];
}
interface Flooded {
  readonly offered: number;
  readonly refused: number;
  readonly maxQueuedBytes: number;
  readonly rssBefore: number;
  readonly maxRss: number;
  readonly droppedMessages: number;
}
interface SubscriberStats {
  readonly queuedBytes: number;
}

function advertisement(port: number, overrides: Partial<Advertisement> = {}): Advertisement {
  return {
    version: 1,
    topic: 'test.topic',
    publisherId: 'fixture-publisher',
    policy: 'reliable',
    maxMessageSize: 65_536,
    host: identity,
    addresses: ['127.0.0.1'],
    endpoints: { tcp: { port, tls: false } },
    ...overrides,
  };
}

async function portOf(publisher: Fixture): Promise<number> {
  return (await publisher.next<{ port: number }>('ready')).port;
}

describe('between processes over loopback', () => {
  it('delivers 1,000,000 messages of random sizes complete and in order (index + checksum)', async () => {
    const count = 1_000_000;
    const publisher = startFixture('publisher', { count, maxSize: 256 });
    const port = await portOf(publisher);
    const subscriber = startFixture('subscriber', { advertisement: advertisement(port), count, maxSize: 256 });
    await subscriber.next('subscribed');
    const [sent, done] = await Promise.all([publisher.next<Sent>('sent', 50_000), subscriber.next<Done>('done', 50_000)]);
    expect(done.problems).toEqual([]);
    expect(done.received).toBe(count);
    expect(done.lost).toBe(0);
    expect(done.checksum).toBe(sent.checksum);
  }, 60_000);

  it('serves three subscriber processes from one publisher, each complete and in order', async () => {
    const count = 100_000;
    const publisher = startFixture('publisher', { count, maxSize: 1024, waitForSubscribers: 3 });
    const port = await portOf(publisher);
    const subscribers = [0, 1, 2].map(() => startFixture('subscriber', { advertisement: advertisement(port), count, maxSize: 1024 }));
    const sent = await publisher.next<Sent>('sent', 50_000);
    for (const subscriber of subscribers) {
      const done = await subscriber.next<Done>('done', 50_000);
      expect(done.problems).toEqual([]);
      expect(done.received).toBe(count);
      expect(done.checksum).toBe(sent.checksum);
    }
  }, 60_000);

  it('frees the buffers of a subscriber killed with kill -9; the survivor goes on', async () => {
    const bound = 256 * 1024;
    const publication = await transport({ maxSendQueueBytes: bound }).openPublication({
      topic: 'test.topic',
      publisherId: 'fixture-publisher',
      policy: 'reliable',
      maxMessageSize: 65_536,
    });
    const port = publication.endpoint.port;
    const stalled = startFixture('subscriber', { advertisement: advertisement(port), stall: true, maxReceiveQueueBytes: 65_536 });
    await stalled.next('subscribed');
    const survivor = new Collector();
    survivor.subscription = await transport().openSubscription(advertisement(port), {}, survivor);
    await until(() => publication.subscriberCount === 2, 'both subscribers');

    // Fill the stalled subscriber's queue: reliable refuses once it is full.
    const message = new Uint8Array(16_384).fill(3);
    let sequence = 0;
    for (let round = 0; round < 2000 && publication.canSend(message.length); round++) {
      while (publication.send(message, sequence)) sequence++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(publication.send(message, sequence)).toBe(false);
    expect(publication.queuedBytes).toBeGreaterThan(bound / 2);
    await until(() => survivor.messages.length === sequence, 'the survivor to catch up');

    stalled.child.kill('SIGKILL');
    await until(() => publication.subscriberCount === 1, 'the publisher to notice the death');
    expect(publication.queuedBytes).toBe(0);
    expect(publication.canSend(message.length)).toBe(true);
    const before = sequence;
    for (; sequence < before + 100; sequence++) {
      while (!publication.send(message, sequence)) await publication.drained(message.length);
    }
    await until(() => survivor.messages.length === sequence, 'the survivor to get the rest');
    expect(survivor.messages.map((received) => received.seq)).toEqual(Array.from({ length: sequence }, (_, index) => index));
  }, 30_000);

  it('reconnects after the publisher process restarts, reporting the gap as lost', async () => {
    const first = startFixture('publisher', { count: 1000, maxSize: 64 });
    const port = await portOf(first);
    const collector = new Collector();
    const subscriber = transport({ reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
    const subscription = await subscriber.openSubscription(advertisement(port), {}, collector);
    collector.subscription = subscription;
    await first.next<Sent>('sent');
    await until(() => collector.messages.length === 1000, 'the first 1000 messages');

    first.child.kill('SIGKILL');
    await first.exited;
    await until(() => !subscription.connected, 'the subscriber to notice');
    const second = startFixture('publisher', { port, count: 1000, startSequence: 1500, maxSize: 64 });
    expect(await portOf(second)).toBe(port);
    await second.next<Sent>('sent');
    await until(() => collector.messages.length === 2000, 'the next 1000 messages');

    const sequences = collector.messages.map((message) => message.seq);
    expect(sequences.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    expect(sequences.slice(1000)).toEqual(Array.from({ length: 1000 }, (_, index) => 1500 + index));
    expect(collector.messages[1000]?.lost).toBe(500);
    expect(subscription.lost).toBe(500);
    expect(subscription.reconnects).toBe(1);
    expect(collector.ended_).toBeUndefined();
  }, 30_000);

  it.each(['latest', 'reliable'] as const)(
    'keeps the publisher memory bounded when a subscriber stops reading (%s)',
    async (policy) => {
      const bound = 1024 * 1024;
      const publisher = startFixture('publisher', {
        policy,
        mode: 'flood',
        maxSendQueueBytes: bound,
        floodBytes: 512 * 1024 * 1024,
        floodSize: 4096,
        floodMs: 8000,
      });
      const port = await portOf(publisher);
      const subscriber = startFixture('subscriber', {
        advertisement: advertisement(port, { policy }),
        stall: true,
        maxReceiveQueueBytes: 1024 * 1024,
      });
      await subscriber.next('subscribed');
      const flooded = await publisher.next<Flooded>('flooded', 30_000);
      subscriber.send({ type: 'stats' });
      const subscriberStats = await subscriber.next<SubscriberStats>('stats');
      const frame = 4096 + 13;
      // What the publication holds for the stalled subscriber never exceeds the bound (plus,
      // under 'latest', what the socket already took, which can no longer be dropped).
      const ceiling = policy === 'reliable' ? bound : bound + 64 * 1024 + 2 * frame;
      expect(flooded.maxQueuedBytes).toBeLessThanOrEqual(ceiling);
      expect(flooded.maxQueuedBytes).toBeGreaterThan(bound / 2);
      const rssGrowth = flooded.maxRss - flooded.rssBefore;
      // Hundreds of megabytes offered; the resident set grows by a small fraction of it.
      expect(flooded.offered).toBeGreaterThan(64 * 1024 * 1024);
      expect(rssGrowth).toBeLessThan(96 * 1024 * 1024);
      expect(rssGrowth).toBeLessThan(flooded.offered / 4);
      if (policy === 'latest') {
        expect(flooded.refused).toBe(0);
        expect(flooded.droppedMessages).toBeGreaterThan(0);
      } else {
        expect(flooded.refused).toBeGreaterThan(0);
        expect(flooded.droppedMessages).toBe(0);
      }
      // The stalled subscriber stopped reading at its own bound (plus one socket read).
      expect(subscriberStats.queuedBytes).toBeLessThanOrEqual(1024 * 1024 + 2 * 65_536 + frame);
      console.log(
        `${policy}: offered ${(flooded.offered / 2 ** 20).toFixed(0)} MiB, ` +
          `max queued ${(flooded.maxQueuedBytes / 1024).toFixed(0)} KiB (bound ${bound / 1024} KiB), ` +
          `publisher RSS ${(flooded.rssBefore / 2 ** 20).toFixed(1)} -> max ${(flooded.maxRss / 2 ** 20).toFixed(1)} MiB, ` +
          `dropped ${flooded.droppedMessages}, refused ${flooded.refused}; ` +
          `subscriber queue ${(subscriberStats.queuedBytes / 1024).toFixed(0)} KiB`,
      );
    },
    40_000,
  );
});

describe('process lifetime', () => {
  it('exits by itself once everything is closed', async () => {
    const fixture = startFixture('lifecycle', {}, ['self']);
    expect(await fixture.exited).toBe(0);
    expect(fixture.output()).toBe('received 0\nall closed\n');
  }, 20_000);

  it('exits by itself when the transport only has a listener left (all publications closed)', async () => {
    const fixture = startFixture('lifecycle', {}, ['idle-listener']);
    expect(await fixture.exited).toBe(0);
    expect(fixture.output()).toBe('closed the publication; the listener on port P stays\n');
  }, 20_000);

  it('stays alive while a subscription is open, and exits once it ended', async () => {
    const publication = await transport().openPublication({
      topic: 'life',
      publisherId: 'life',
      policy: 'reliable',
      maxMessageSize: 16,
    });
    const fixture = startFixture(
      'lifecycle',
      { advertisement: advertisement(publication.endpoint.port, { topic: 'life', publisherId: 'life' }) },
      ['subscribe'],
    );
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    publication.send(Uint8Array.of(1), 0);
    await until(() => fixture.output().includes('received 0'), 'the message');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fixture.child.exitCode).toBeNull();
    await publication.close();
    expect(await fixture.exited).toBe(0);
    expect(fixture.output()).toBe('subscribed\nreceived 0\nended ERR_PUBLISHER_GONE\n');
  }, 20_000);
});
