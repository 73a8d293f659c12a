// History over TCP, end to end on loopback: a publication with `history` and subscribers that
// join late, join while it sends, reconnect, or stall while they catch up.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryPolicy, PublicationListener, PublicationOptions, SubscriberInfo, SubscriptionOptions } from '@seamless/transport';
import { advertisementFor, Collector, identity, sameBytes, tick, until } from '../test/support.js';
import type { Received } from '../test/support.js';
import { createSocketTransport } from './create-socket-transport.js';
import type { SocketTransport } from './create-socket-transport.js';
import type { SocketPublication } from './socket-publication.js';
import { nodeNetwork } from './socket-network.js';
import type { SocketTransportOptions } from './socket-transport-options.js';

const transports: SocketTransport[] = [];

function transport(options: SocketTransportOptions = {}): SocketTransport {
  const created = createSocketTransport({ host: '127.0.0.1', identity, ...options });
  transports.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((created) => created.close()));
});

function publicationOptions(overrides: Partial<PublicationOptions> = {}): PublicationOptions {
  return { topic: 'md.AAPL', publisherId: 'p1', policy: 'reliable', maxMessageSize: 65_536, ...overrides };
}

/** Message `sequence`: `size` bytes, (sequence * 31 + position) & 0xff, so that any mix-up shows. */
function payload(sequence: number, size = 20): Uint8Array {
  return Uint8Array.from({ length: size }, (_, position) => (sequence * 31 + position) & 0xff);
}

async function subscribe(
  subscriber: SocketTransport,
  publication: SocketPublication,
  options: SubscriptionOptions = {},
): Promise<Collector> {
  const collector = new Collector();
  collector.subscription = await subscriber.openSubscription(advertisementFor(publication), options, collector);
  return collector;
}

/** Sends `from..to-1`, waiting for room under 'reliable'. */
async function sendRange(publication: SocketPublication, from: number, to: number, size = 20): Promise<void> {
  for (let sequence = from; sequence < to; sequence++) {
    while (!publication.send(payload(sequence, size), sequence)) await publication.drained(size);
  }
}

/** Checks that `messages` are `first, first + 1, ...` without a gap, each intact and with nothing lost. */
function expectContiguous(messages: readonly Received[], first: number, size = 20): void {
  messages.forEach((message, index) => {
    expect(message.seq).toBe(first + index);
    expect(message.lost).toBe(0);
    expect(sameBytes(message.data, payload(message.seq, size))).toBe(true);
  });
}

/** A listener that records the subscriber events and counts. */
function recorder(): PublicationListener & { added: SubscriberInfo[]; removed: SubscriberInfo[]; counts: number[] } {
  const added: SubscriberInfo[] = [];
  const removed: SubscriberInfo[] = [];
  const counts: number[] = [];
  return {
    added,
    removed,
    counts,
    subscriberAdded: (info) => added.push(info),
    subscriberRemoved: (info) => removed.push(info),
    subscribersChanged: (count) => counts.push(count),
  };
}

/** A subscriber transport whose client sockets the test can break. */
function breakableSubscriber(): { transport: SocketTransport; sockets: Socket[] } {
  const sockets: Socket[] = [];
  const created = transport({
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    network: {
      createServer: nodeNetwork.createServer,
      connect: (target) => {
        const socket = nodeNetwork.connect(target);
        sockets.push(socket);
        return socket;
      },
    },
  });
  return { transport: created, sockets };
}

const policies: DeliveryPolicy[] = ['reliable', 'latest'];

describe('history over TCP', () => {
  it.each(policies)('%s: retains while nobody subscribes; a late joiner gets the last 10 of 100, then the live stream', async (policy) => {
    const publication = await transport().openPublication(publicationOptions({ policy, history: 10 }));
    expect(publication.history).toBe(10);
    expect(publication.exactSubscriberCount).toBe(true);
    await sendRange(publication, 0, 100);
    expect(publication.subscriberCount).toBe(0);
    expect(publication.queuedBytes).toBe(0);
    const collector = await subscribe(transport(), publication);
    await until(() => collector.messages.length === 10, 'the ten retained messages');
    await sendRange(publication, 100, 150);
    await until(() => collector.messages.length === 60, 'the live messages');
    expectContiguous(collector.messages, 90);
    expect(collector.subscription?.lost).toBe(0);
  });

  it('history: false subscribes to the live stream only', async () => {
    const events = recorder();
    const publication = await transport().openPublication(publicationOptions({ history: 10 }), events);
    await sendRange(publication, 0, 50);
    const collector = await subscribe(transport(), publication, { history: false });
    await until(() => events.added.length === 1, 'the subscriber');
    await sendRange(publication, 50, 52);
    await until(() => collector.messages.length >= 2, 'the live messages');
    expectContiguous(collector.messages, 50);
  });

  it('latest with history 1: a late joiner gets the current value at once', async () => {
    const publication = await transport().openPublication(publicationOptions({ policy: 'latest', history: 1 }));
    await sendRange(publication, 0, 5);
    const collector = await subscribe(transport(), publication);
    await until(() => collector.messages.length === 1, 'the current value');
    expectContiguous(collector.messages, 4);
  });

  it.each(policies)(
    '%s: subscribers that join while the publisher sends without pause each get a contiguous stream from the first retained message',
    async (policy) => {
      const history = 50;
      let sent = 0;
      // subscriberAdded runs in the turn in which the subscriber joins, between two sends: what
      // was sent by then decides where its stream starts.
      const sentAtJoin: number[] = [];
      const publication = await transport().openPublication(publicationOptions({ policy, history }), {
        subscriberAdded: () => sentAtJoin.push(sent),
      });
      let running = true;
      const loop = (): void => {
        if (!running) return;
        for (let burst = 0; burst < 20 && publication.send(payload(sent), sent); burst++) sent++;
        setImmediate(loop);
      };
      loop();
      const subscriber = transport();
      const collectors: Collector[] = [];
      const firsts: number[] = [];
      for (let index = 0; index < 5; index++) {
        const wantsHistory = index !== 3;
        await until(() => sent >= 100 + 40 * index, 'the publisher to go on');
        collectors.push(await subscribe(subscriber, publication, { history: wantsHistory }));
        await until(() => sentAtJoin.length === index + 1, 'the publisher to take the subscriber');
        const atJoin = sentAtJoin[index] ?? 0;
        firsts.push(wantsHistory ? Math.max(0, atJoin - history) : atJoin);
      }
      await until(() => sent >= 600, 'more messages');
      running = false;
      const total = sent;
      await until(() => collectors.every((collector) => collector.messages.at(-1)?.seq === total - 1), 'every subscriber to catch up');
      collectors.forEach((collector, index) => {
        expectContiguous(collector.messages, firsts[index] ?? -1);
        expect(collector.subscription?.lost).toBe(0);
      });
      expect(firsts[0]).toBeGreaterThan(0);
      expect(publication.droppedMessages).toBe(0);
    },
  );

  it('a reconnection within the history loses nothing and duplicates nothing', async () => {
    const events = recorder();
    const publication = await transport().openPublication(publicationOptions({ history: 100 }), events);
    const { transport: subscriber, sockets } = breakableSubscriber();
    const collector = await subscribe(subscriber, publication);
    await until(() => events.added.length === 1, 'the subscriber');
    await sendRange(publication, 0, 10);
    await until(() => collector.messages.length === 10, 'the first ten');
    sockets[0]?.destroy();
    await until(() => events.removed.length === 1, 'the publisher to notice');
    // Retained while nobody is connected.
    await sendRange(publication, 10, 15);
    await until(() => events.added.length === 2 && collector.subscription?.connected === true, 'the reconnection');
    await sendRange(publication, 15, 20);
    await until(() => collector.messages.length === 20, 'the missed and the new messages');
    expectContiguous(collector.messages, 0);
    expect(collector.subscription?.lost).toBe(0);
    expect(collector.subscription?.reconnects).toBe(1);
  });

  it('a reconnection beyond the history gets what was retained and counts exactly the older ones as lost', async () => {
    const events = recorder();
    const publication = await transport().openPublication(publicationOptions({ history: 3 }), events);
    const { transport: subscriber, sockets } = breakableSubscriber();
    const collector = await subscribe(subscriber, publication);
    await until(() => events.added.length === 1, 'the subscriber');
    await sendRange(publication, 0, 10);
    await until(() => collector.messages.length === 10, 'the first ten');
    sockets[0]?.destroy();
    await until(() => events.removed.length === 1, 'the publisher to notice');
    await sendRange(publication, 10, 20);
    await until(() => events.added.length === 2 && collector.subscription?.connected === true, 'the reconnection');
    await sendRange(publication, 20, 21);
    await until(() => collector.messages.length === 14, 'the retained and the new messages');
    expectContiguous(collector.messages.slice(0, 10), 0);
    expect(collector.messages.slice(10).map(({ seq, lost }) => [seq, lost])).toEqual([
      [17, 7],
      [18, 0],
      [19, 0],
      [20, 0],
    ]);
    expect(collector.subscription?.lost).toBe(7);
  });

  it(
    'reliable: a replay larger than the send bound is queued as room comes, holding the publisher back, and nothing is dropped',
    { timeout: 60_000 },
    async () => {
      const size = 16 * 1024;
      const history = 1000; // 16 MiB retained: more than the kernel's socket buffers take
      const bound = 64 * 1024;
      const publication = await transport({ maxSendQueueBytes: bound }).openPublication(publicationOptions({ history }));
      await sendRange(publication, 0, history, size);
      const collector = await subscribe(transport({ maxReceiveQueueBytes: 64 * 1024 }), publication);
      collector.polling = false;
      await until(() => publication.subscriberCount === 1, 'the subscriber');
      // The stalled joiner's replay stops at the send bound, so the ring fills up: sends are refused.
      let sequence = history;
      for (let round = 0; round < 3000 && publication.canSend(size) && sequence < 5 * history; round++) {
        // Bounded, so that a ring that never fills fails the test instead of looping for ever.
        for (let burst = 0; burst < 100 && publication.canSend(size); burst++) {
          expect(publication.send(payload(sequence, size), sequence)).toBe(true);
          sequence++;
        }
        expect(publication.queuedBytes).toBeLessThanOrEqual(bound + size + 13);
        await tick(1);
      }
      expect(publication.canSend(size)).toBe(false);
      expect(publication.send(payload(sequence, size), sequence)).toBe(false);
      expect(publication.queuedBytes).toBeLessThanOrEqual(bound + size + 13);
      collector.polling = true;
      collector.drain();
      const total = sequence + 200;
      await sendRange(publication, sequence, total, size);
      await until(() => collector.messages.length === total, 'every message', 30_000);
      expectContiguous(collector.messages, 0, size);
      expect(publication.droppedMessages).toBe(0);
    },
  );

  it('latest: a stalled joiner loses the oldest of its replay and sees exactly them counted as lost', { timeout: 60_000 }, async () => {
    const size = 16 * 1024;
    const history = 1000;
    const bound = 64 * 1024;
    const publication = await transport({ maxSendQueueBytes: bound }).openPublication(publicationOptions({ policy: 'latest', history }));
    await sendRange(publication, 0, history, size);
    const collector = await subscribe(transport({ maxReceiveQueueBytes: 64 * 1024 }), publication);
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    let sequence = history;
    for (; sequence < 3 * history; sequence++) {
      expect(publication.send(payload(sequence, size), sequence)).toBe(true);
      expect(publication.queuedBytes).toBeLessThanOrEqual(bound + 64 * 1024 + size + 13);
      if (sequence % 100 === 0) await tick(1);
    }
    collector.polling = true;
    collector.drain();
    await until(() => collector.messages.at(-1)?.seq === sequence - 1, 'the newest message', 30_000);
    const messages = collector.messages;
    let lost = 0;
    let expected = 0; // the first retained message when it joined
    for (const message of messages) {
      expect(message.seq).toBe(expected + message.lost);
      expect(sameBytes(message.data, payload(message.seq, size))).toBe(true);
      expected = message.seq + 1;
      lost += message.lost;
    }
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe(publication.droppedMessages);
    expect(collector.subscription?.lost).toBe(lost);
    expect(messages.length + lost).toBe(sequence);
  });

  it('reliable: close() delivers the rest of a replay under way, then GOODBYE', { timeout: 60_000 }, async () => {
    const size = 16 * 1024;
    const history = 1000;
    const publication = await transport({ maxSendQueueBytes: 64 * 1024, lingerMs: 30_000 }).openPublication(
      publicationOptions({ history }),
    );
    await sendRange(publication, 0, history, size);
    const collector = await subscribe(transport({ maxReceiveQueueBytes: 64 * 1024 }), publication);
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    // Fill the ring up to what the stalled replay has not queued: proof that it is under way.
    let sequence = history;
    for (let round = 0; round < 3000 && publication.canSend(size) && sequence < 5 * history; round++) {
      for (let burst = 0; burst < 100 && publication.send(payload(sequence, size), sequence); burst++) sequence++;
      await tick(1);
    }
    expect(publication.canSend(size)).toBe(false);
    const closing = publication.close();
    collector.polling = true;
    collector.drain();
    await closing;
    await until(() => collector.ended_ !== undefined, 'the end', 30_000);
    expect(collector.ended_?.code).toBe('ERR_PUBLISHER_GONE');
    expectContiguous(collector.messages, 0, size);
    expect(collector.messages).toHaveLength(sequence);
  });
});
