import net from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import type { Advertisement, HostIdentity, PublicationOptions, SubscriberInfo } from '@seamless/transport';
import fc from 'fast-check';
import {
  advertisementFor,
  Collector,
  helloOfVersion1,
  identity,
  sameBytes,
  tick,
  until,
  versionRejectOfVersion1,
} from '../test/support.js';
import { createSocketTransport } from './create-socket-transport.js';
import type { SocketTransport } from './create-socket-transport.js';
import { nodeNetwork } from './socket-network.js';
import type { SocketTransportOptions } from './socket-transport-options.js';

const transports: SocketTransport[] = [];

type TestOptions = Omit<SocketTransportOptions, 'identity'> & { readonly identity?: HostIdentity | undefined };

/** A transport on loopback with the test identity (`identity: undefined` for none), closed after each test. */
function transport(options: TestOptions = {}): SocketTransport {
  const { identity: chosen, ...rest } = 'identity' in options ? options : { ...options, identity };
  const created = createSocketTransport({ host: '127.0.0.1', ...rest, ...(chosen === undefined ? {} : { identity: chosen }) });
  transports.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((created) => created.close()));
});

function publicationOptions(overrides: Partial<PublicationOptions> = {}): PublicationOptions {
  return { topic: 'md.AAPL', publisherId: 'p1', policy: 'reliable', maxMessageSize: 65_536, ...overrides };
}

async function subscribe(
  subscriber: SocketTransport,
  advertisement: Advertisement,
  options: Parameters<SocketTransport['openSubscription']>[1] = {},
): Promise<Collector> {
  const collector = new Collector();
  collector.subscription = await subscriber.openSubscription(advertisement, options, collector);
  return collector;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return SeamlessError.isInstance(error) ? error.code : `not a SeamlessError: ${String(error)}`;
  }
  return 'resolved';
}

async function failureOf(promise: Promise<unknown>): Promise<SeamlessError> {
  try {
    await promise;
  } catch (error) {
    if (SeamlessError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SeamlessError');
}

function syncCodeOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return SeamlessError.isInstance(error) ? error.code : `not a SeamlessError: ${String(error)}`;
  }
  return 'returned';
}

const ramp = Uint8Array.from({ length: 70_000 }, (_, position) => position & 0xff);

/** Message `index` of `size` bytes: (index * 31 + position) & 0xff, as a view of a shared ramp. */
function payload(index: number, size: number): Uint8Array {
  const start = (index * 31) & 0xff;
  return ramp.subarray(start, start + size);
}

describe('createSocketTransport', () => {
  it('is a v2 transport of kind tcp and checks its options', () => {
    const created = transport();
    expect(created.specificationVersion).toBe('v2');
    expect(created.kind).toBe('tcp');
    expect(syncCodeOf(() => createSocketTransport({ port: -1 }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('listens lazily on one port shared by all publications', async () => {
    const created = transport();
    expect(created.port).toBeUndefined();
    expect(created.address).toBeUndefined();
    const first = await created.openPublication(publicationOptions());
    const second = await created.openPublication(publicationOptions({ topic: 'md.MSFT', publisherId: 'p2' }));
    expect(created.port).toBeGreaterThan(0);
    expect(created.address).toBe('127.0.0.1');
    expect(first.endpoint).toEqual({ port: created.port, tls: false });
    expect(second.endpoint).toEqual(first.endpoint);
    expect(first.exactSubscriberCount).toBe(true);
    expect(created.reach).toBe('network');
    expect(first.kind).toBe('tcp');
  });

  it('listens on all interfaces by default, reachable over IPv4 and (where available) IPv6 loopback', async () => {
    const publisher = createSocketTransport({ identity });
    transports.push(publisher);
    const publication = await publisher.openPublication(publicationOptions());
    expect(['::', '0.0.0.0']).toContain(publisher.address);
    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = net.createServer().once('error', () => {
        resolve(false);
      });
      probe.listen(0, '::1', () =>
        probe.close(() => {
          resolve(true);
        }),
      );
    });
    const addresses = ipv6 ? ['::1', '127.0.0.1'] : ['127.0.0.1'];
    for (const [index, address] of addresses.entries()) {
      const collector = await subscribe(transport(), { ...advertisementFor(publication), addresses: [address] });
      await until(() => publication.subscriberCount === index + 1, `the subscriber over ${address}`);
      expect(collector.subscription?.remote).toBe(
        address.includes(':') ? `[${address}]:${String(publisher.port)}` : `${address}:${String(publisher.port)}`,
      );
    }
    publication.send(Uint8Array.of(7), 0);
  });

  it('reports a port already in use, and can try again', async () => {
    const first = await transport().openPublication(publicationOptions());
    const port = first.endpoint.port;
    const second = transport({ port });
    const error = await failureOf(second.openPublication(publicationOptions()));
    expect(error.code).toBe('ERR_CONNECTION');
    expect(error.message).toBe(`cannot listen on 127.0.0.1 port ${String(port)}: EADDRINUSE`);
    await transports[0]?.close();
    const retried = await second.openPublication(publicationOptions());
    expect(retried.endpoint.port).toBe(port);
  });

  it('delivers messages complete and in order, with seq, topic, publisher id and transport', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const collector = await subscribe(transport(), advertisementFor(publication));
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    const sizes = Array.from({ length: 2000 }, (_, index) => (index * 977) % 3000);
    sizes.forEach((size, index) => {
      expect(publication.send(payload(index, size), index)).toBe(true);
    });
    await until(() => collector.messages.length === sizes.length, 'all messages');
    collector.messages.forEach((message, index) => {
      expect(message.seq).toBe(index);
      expect(message.lost).toBe(0);
      expect(sameBytes(message.data, payload(index, sizes[index] ?? 0))).toBe(true);
    });
    expect(collector.messages[0]).toMatchObject({ topic: 'md.AAPL', publisherId: 'p1', transport: 'tcp' });
  });

  it('serves several publications on one listener, each to its own subscribers', async () => {
    const publisher = transport();
    const apple = await publisher.openPublication(publicationOptions());
    const microsoft = await publisher.openPublication(publicationOptions({ topic: 'md.MSFT', publisherId: 'p2' }));
    const subscriber = transport();
    const forApple = await subscribe(subscriber, advertisementFor(apple));
    const forMicrosoft = await subscribe(subscriber, advertisementFor(microsoft));
    await until(() => apple.subscriberCount === 1 && microsoft.subscriberCount === 1, 'both subscribers');
    apple.send(Uint8Array.of(1), 0);
    microsoft.send(Uint8Array.of(2), 0);
    await until(() => forApple.messages.length === 1 && forMicrosoft.messages.length === 1, 'one message each');
    expect(forApple.messages[0]).toMatchObject({ topic: 'md.AAPL', data: Uint8Array.of(1) });
    expect(forMicrosoft.messages[0]).toMatchObject({ topic: 'md.MSFT', data: Uint8Array.of(2) });
  });

  it('counts connected subscribers and tells the listener', async () => {
    const counts: number[] = [];
    const publication = await transport().openPublication(publicationOptions(), {
      subscribersChanged: (count) => counts.push(count),
    });
    const subscriber = transport();
    const first = await subscribe(subscriber, advertisementFor(publication));
    await subscribe(subscriber, advertisementFor(publication));
    await until(() => publication.subscriberCount === 2, 'two subscribers');
    await first.subscription?.close();
    await until(() => publication.subscriberCount === 1, 'one subscriber left');
    expect(counts).toEqual([1, 2, 1]);
  });

  it('reports each subscriber added once and, after it, removed once, with its pid and host name', async () => {
    const log: string[] = [];
    const added: SubscriberInfo[] = [];
    const removed: SubscriberInfo[] = [];
    const publication = await transport().openPublication(publicationOptions(), {
      subscriberAdded: (info) => {
        added.push(info);
        log.push(`added ${info.id}`);
      },
      subscriberRemoved: (info) => {
        removed.push(info);
        log.push(`removed ${info.id}`);
      },
    });
    const clientSockets: Socket[] = [];
    const subscriber = transport({
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
      network: {
        createServer: nodeNetwork.createServer,
        connect: (target) => {
          const socket = nodeNetwork.connect(target);
          clientSockets.push(socket);
          return socket;
        },
      },
    });
    const first = await subscribe(subscriber, advertisementFor(publication));
    const second = await subscribe(subscriber, advertisementFor(publication));
    await until(() => added.length === 2, 'both subscribers');
    for (const info of added) {
      expect(info).toEqual({
        transport: 'tcp',
        id: expect.stringMatching(/^\d+@127\.0\.0\.1:\d+$/) as string,
        pid: process.pid,
        hostname: 'test-host',
      });
    }
    // A subscription that closes, and one whose connection breaks (it reconnects: a new attachment).
    await first.subscription?.close();
    await until(() => removed.length === 1, 'the closed one');
    expect(removed[0]).toBe(added[0]);
    clientSockets[1]?.destroy();
    // The publisher reports the new attachment before the subscriber has read its WELCOME.
    await until(
      () => removed.length === 2 && added.length === 3 && second.subscription?.reconnects === 1,
      'the broken one to go and come back',
    );
    expect(removed[1]).toBe(added[1]);
    expect(new Set(added.map((info) => info.id)).size).toBe(3);
    for (const info of removed) expect(log.indexOf(`added ${info.id}`)).toBeLessThan(log.indexOf(`removed ${info.id}`));
    expect(publication.subscriberCount).toBe(1);
    // close() of the publication reports no removal, even once the connection is gone.
    await publication.close();
    await until(() => second.ended_ !== undefined, 'the subscription to end');
    expect(removed).toHaveLength(2);
  });

  it('accepts and drops sends while nobody subscribes; a late subscriber starts without a loss', async () => {
    const publication = await transport().openPublication(publicationOptions());
    for (let sequence = 0; sequence < 100; sequence++) expect(publication.send(payload(sequence, 100), sequence)).toBe(true);
    expect(publication.queuedBytes).toBe(0);
    const collector = await subscribe(transport(), advertisementFor(publication));
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    publication.send(payload(100, 10), 100);
    await until(() => collector.messages.length === 1, 'the message');
    expect(collector.messages[0]).toMatchObject({ seq: 100, lost: 0 });
  });

  it('validates the arguments of every call', async () => {
    const publisher = transport({ maxMessageSize: 1000 });
    expect(await codeOf(publisher.openPublication(publicationOptions({ topic: '/bad' })))).toBe('ERR_TOPIC_INVALID');
    expect(await codeOf(publisher.openPublication(publicationOptions({ publisherId: 'has space' })))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions({ policy: 'best' as 'latest' })))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions({ maxMessageSize: 1001 })))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions({ maxMessageSize: 100 }), 5 as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions(), { subscriberAdded: 'yes' as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions(), { subscriberRemoved: 1 as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions({ history: -1 })))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(publisher.openPublication(publicationOptions({ history: 65_537 })))).toBe('ERR_INVALID_ARGUMENT');
    const publication = await publisher.openPublication(publicationOptions({ maxMessageSize: 100 }));
    expect(await codeOf(publisher.openPublication(publicationOptions({ maxMessageSize: 100 })))).toBe('ERR_INVALID_ARGUMENT');
    expect(syncCodeOf(() => publication.send(new Uint8Array(101), 0))).toBe('ERR_MESSAGE_TOO_LARGE');
    expect(syncCodeOf(() => publication.send('text' as unknown as Uint8Array, 0))).toBe('ERR_INVALID_ARGUMENT');
    expect(syncCodeOf(() => publication.send(new Uint8Array(1), -1))).toBe('ERR_INVALID_ARGUMENT');
    expect(syncCodeOf(() => publication.send(new Uint8Array(1), 2 ** 53))).toBe('ERR_INVALID_ARGUMENT');
    expect(syncCodeOf(() => publication.canSend(-1))).toBe('ERR_INVALID_ARGUMENT');
    expect(publication.canSend(101)).toBe(false);
    expect(publication.canSend(100)).toBe(true);
    expect(await codeOf(publication.drained(101))).toBe('ERR_MESSAGE_TOO_LARGE');
    expect(await codeOf(publication.drained(1.5))).toBe('ERR_INVALID_ARGUMENT');

    const subscriber = transport();
    const advertisement = advertisementFor(publication);
    expect(await codeOf(subscriber.openSubscription({ ...advertisement, version: 2 } as never, {}, new Collector()))).toBe(
      'ERR_ADVERTISEMENT_INVALID',
    );
    // No tcp endpoint: what every transport says for a publisher it cannot serve.
    expect(await codeOf(subscriber.openSubscription({ ...advertisement, endpoints: {} }, {}, new Collector()))).toBe(
      'ERR_ADVERTISEMENT_INVALID',
    );
    expect(await codeOf(subscriber.openSubscription(advertisement, { copy: 'yes' as never }, new Collector()))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(await codeOf(subscriber.openSubscription(advertisement, { idle: 'nap' as never }, new Collector()))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(await codeOf(subscriber.openSubscription(advertisement, { history: 'no' as never }, new Collector()))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(await codeOf(subscriber.openSubscription(advertisement, {}, {} as never))).toBe('ERR_INVALID_ARGUMENT');
    const collector = await subscribe(subscriber, advertisement);
    const subscription = collector.subscription;
    expect(syncCodeOf(() => subscription?.poll(() => undefined, 0))).toBe('ERR_INVALID_ARGUMENT');
    expect(syncCodeOf(() => subscription?.poll('handler' as never))).toBe('ERR_INVALID_ARGUMENT');
    await subscription?.close();
    await subscription?.close();
    expect(syncCodeOf(() => subscription?.poll(() => undefined))).toBe('ERR_CLOSED');
    await publication.close();
    await publication.close();
    expect(syncCodeOf(() => publication.send(new Uint8Array(1), 0))).toBe('ERR_CLOSED');
    expect(await codeOf(publication.drained())).toBe('ERR_CLOSED');
    expect(publication.canSend(1)).toBe(false);
  });

  it('refuses everything after close, and close is idempotent', async () => {
    const created = transport();
    const publication = await created.openPublication(publicationOptions());
    await Promise.all([created.close(), created.close()]);
    expect(await codeOf(created.openPublication(publicationOptions({ publisherId: 'p9' })))).toBe('ERR_CLOSED');
    expect(await codeOf(created.openSubscription(advertisementFor(publication), {}, new Collector()))).toBe('ERR_CLOSED');
    expect(await created.canReach(advertisementFor(publication))).toBe(false);
  });

  it('answers canReach without ever throwing', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const advertisement = advertisementFor(publication);
    expect(await transport().canReach(advertisement)).toBe(true);
    expect(await transport({ identity: undefined }).canReach(advertisement)).toBe(false);
    expect(await transport().canReach({ ...advertisement, addresses: ['192.0.2.7', '127.0.0.1'] })).toBe(true);
    expect(await transport().canReach({ ...advertisement, endpoints: {} })).toBe(false);
    expect(await transport().canReach({ ...advertisement, host: { ...identity, netNamespace: 'net:[9]' } })).toBe(false);
    expect(await transport({ tls: { client: {} } }).canReach(advertisement)).toBe(false);
    expect(await transport().canReach(null as never)).toBe(false);
    expect(await transport().canReach({ nonsense: true } as never)).toBe(false);
  });

  it('explains why an advertisement has no usable address', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const subscriber = transport({ identity: undefined });
    await expect(subscriber.openSubscription(advertisementFor(publication), {}, new Collector())).rejects.toThrow(
      /no usable address: skipped 127\.0\.0\.1 \(loopback of another network namespace\); loopback addresses are used only with the identity option/,
    );
  });

  it('refuses with ERR_PUBLISHER_GONE when the listener does not know the publisher', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const advertisement = { ...advertisementFor(publication), publisherId: 'p-unknown' };
    const error = await transport()
      .openSubscription(advertisement, {}, new Collector())
      .catch((caught: unknown) => caught);
    expect(SeamlessError.isInstance(error, 'ERR_PUBLISHER_GONE')).toBe(true);
    expect((error as SeamlessError).message).toContain('refused the subscription: no publisher "p-unknown" here');
  });

  it('refuses with ERR_PROTOCOL when the publisher id serves another topic', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const error = await transport()
      .openSubscription({ ...advertisementFor(publication), topic: 'md.IBM' }, {}, new Collector())
      .catch((caught: unknown) => caught);
    expect(SeamlessError.isInstance(error, 'ERR_PROTOCOL')).toBe(true);
    expect((error as SeamlessError).message).toContain('serves topic "md.AAPL", not "md.IBM"');
  });

  it('tries the addresses in order: loopback first, past refusals and foreign listeners', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const stranger = await transport({ host: '127.0.0.3', port: publication.endpoint.port }).openPublication(
      publicationOptions({ publisherId: 'someone-else' }),
    );
    expect(stranger.endpoint).toEqual(publication.endpoint);
    const tried: string[] = [];
    const subscriber = transport({
      network: {
        createServer: nodeNetwork.createServer,
        connect: (target) => {
          tried.push(target.host);
          return nodeNetwork.connect(target);
        },
      },
    });
    // 192.0.2.1 is not loopback, so it comes after the loopback addresses; 127.0.0.2 refuses
    // the connection, 127.0.0.3 is another transport's listener that does not know "p1".
    const collector = await subscribe(subscriber, {
      ...advertisementFor(publication),
      addresses: ['192.0.2.1', '127.0.0.2', '127.0.0.3', '127.0.0.1'],
    });
    expect(tried).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.1']);
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    publication.send(Uint8Array.of(42), 0);
    await until(() => collector.messages.length === 1, 'the message');
  });

  it('reports every failed address when none works', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const error = await failureOf(
      transport({ connectTimeoutMs: 200 }).openSubscription(
        { ...advertisementFor(publication), addresses: ['127.0.0.2', '127.0.0.4'] },
        {},
        new Collector(),
      ),
    );
    expect(error.code).toBe('ERR_CONNECTION');
    expect(error.message).toMatch(/cannot reach publisher "p1" of topic "md\.AAPL": 127\.0\.0\.2:\d+: .*ECONNREFUSED.*; 127\.0\.0\.4:\d+/);
    expect(error.details).toMatchObject({ attempts: [{ code: 'ERR_CONNECTION' }, { code: 'ERR_CONNECTION' }] });
  });

  it('hands each handler a view, or an owned copy with copy: true, and honours the limit', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const subscriber = transport();
    const views: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    const viewSubscription = await subscriber.openSubscription(
      advertisementFor(publication),
      {},
      {
        readable: () => undefined,
        ended: () => undefined,
      },
    );
    const copySubscription = await subscriber.openSubscription(
      advertisementFor(publication),
      { copy: true },
      {
        readable: () => undefined,
        ended: () => undefined,
      },
    );
    await until(() => publication.subscriberCount === 2, 'two subscribers');
    for (let sequence = 0; sequence < 10; sequence++) publication.send(payload(sequence, 50), sequence);
    await until(() => viewSubscription.queuedBytes >= 10 * 63 && copySubscription.queuedBytes >= 10 * 63, 'the bytes');
    expect(viewSubscription.poll((message) => views.push(message.data), 3)).toBe(3);
    expect(viewSubscription.poll((message) => views.push(message.data))).toBe(7);
    expect(viewSubscription.poll((message) => views.push(message.data))).toBe(0);
    expect(copySubscription.poll((message) => copies.push(message.data))).toBe(10);
    // Views share the received chunk; copies own exactly their bytes.
    expect(views[0]?.buffer).toBe(views[1]?.buffer);
    expect(views[0]?.buffer.byteLength).toBeGreaterThan(50);
    for (const [index, copy] of copies.entries()) {
      expect(copy.buffer.byteLength).toBe(50);
      expect(copy).toEqual(payload(index, 50));
    }
  });

  it('calls readable once per transition from nothing to something', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const collector = await subscribe(transport(), advertisementFor(publication));
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    for (let sequence = 0; sequence < 50; sequence++) {
      publication.send(payload(sequence, 10), sequence);
      await tick(1);
    }
    await until(() => collector.subscription?.poll(() => undefined, 1) === 1, 'a message');
    expect(collector.readableCalls).toBe(1);
    collector.drain();
    publication.send(payload(50, 10), 50);
    await until(() => collector.readableCalls === 2, 'the second call');
  });

  it('lets an exception from the handler propagate, counting that message as delivered', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const subscription = await transport().openSubscription(
      advertisementFor(publication),
      {},
      {
        readable: () => undefined,
        ended: () => undefined,
      },
    );
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    publication.send(Uint8Array.of(0), 0);
    publication.send(Uint8Array.of(1), 1);
    await until(() => subscription.queuedBytes === 28, 'both messages');
    expect(() =>
      subscription.poll(() => {
        throw new Error('handler failed');
      }),
    ).toThrow('handler failed');
    const sequences: number[] = [];
    expect(subscription.poll((message) => sequences.push(message.seq))).toBe(1);
    expect(sequences).toEqual([1]);
  });

  it('lets a handler close the subscription in the middle of a poll', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const subscription = await transport().openSubscription(
      advertisementFor(publication),
      {},
      {
        readable: () => undefined,
        ended: () => undefined,
      },
    );
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    for (let sequence = 0; sequence < 5; sequence++) publication.send(Uint8Array.of(sequence), sequence);
    await until(() => subscription.queuedBytes === 5 * 14, 'the messages');
    let closing: Promise<void> | undefined;
    expect(
      subscription.poll(() => {
        closing = subscription.close();
      }),
    ).toBe(1);
    await closing;
    await until(() => publication.subscriberCount === 0, 'the publisher to notice');
  });

  it('ends subscriptions with ERR_PUBLISHER_GONE after delivering everything when the publication closes', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const collector = await subscribe(transport(), advertisementFor(publication));
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    for (let sequence = 0; sequence < 1000; sequence++) publication.send(payload(sequence, 500), sequence);
    await publication.close();
    await until(() => collector.ended_ !== undefined, 'the end');
    expect(collector.messages).toHaveLength(1000);
    expect(collector.ended_?.code).toBe('ERR_PUBLISHER_GONE');
    expect(collector.ended_?.message).toContain('closed the publication');
  });

  it('closes without leaving sockets, servers or timers behind', async () => {
    const count = (): number => process.getActiveResourcesInfo().filter((name) => /TCP|Timeout|Immediate/.test(name)).length;
    await tick(50);
    const before = count();
    const publisher = createSocketTransport({ identity, host: '127.0.0.1' });
    const subscriber = createSocketTransport({ identity });
    const publication = await publisher.openPublication(publicationOptions());
    const collector = new Collector();
    collector.subscription = await subscriber.openSubscription(advertisementFor(publication), {}, collector);
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    publication.send(Uint8Array.of(1), 0);
    await until(() => collector.messages.length === 1, 'the message');
    expect(count()).toBeGreaterThan(before);
    await Promise.all([subscriber.close(), publisher.close()]);
    await Promise.all([subscriber.close(), publisher.close()]);
    await until(() => count() <= before, 'the handles to go', 2000);
  });
});

describe('back-pressure', () => {
  it('reliable: refuses a send to a full subscriber (writing nothing), and drained() resolves once it has room', async () => {
    const bound = 64 * 1024;
    const publication = await transport({ maxSendQueueBytes: bound }).openPublication(publicationOptions());
    const collector = await subscribe(transport({ maxReceiveQueueBytes: 64 * 1024 }), advertisementFor(publication));
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    const size = 4096;
    let sequence = 0;
    // The kernel's socket buffers take their share first; keep sending until the queue is full.
    for (let round = 0; round < 2000 && publication.canSend(size); round++) {
      while (publication.send(payload(sequence, size), sequence)) {
        sequence++;
        expect(publication.queuedBytes).toBeLessThanOrEqual(bound);
      }
      await tick(2);
    }
    expect(publication.canSend(size)).toBe(false);
    expect(publication.send(payload(sequence, size), sequence)).toBe(false);
    expect(publication.queuedBytes).toBeLessThanOrEqual(bound);
    expect(publication.queuedBytes).toBeGreaterThan(bound - size - 13 - 1);
    let drained = false;
    const waiting = publication.drained(size).then(() => (drained = true));
    await tick(50);
    expect(drained).toBe(false);
    collector.polling = true;
    collector.drain();
    await waiting;
    expect(publication.canSend(size)).toBe(true);
    const last = sequence;
    while (!publication.send(payload(sequence, size), sequence)) await publication.drained(size);
    await until(() => collector.messages.length === last + 1, 'every message');
    collector.messages.forEach((message, index) => {
      expect(message.seq).toBe(index);
      expect(message.lost).toBe(0);
      expect(sameBytes(message.data, payload(index, size))).toBe(true);
    });
    expect(publication.droppedMessages).toBe(0);
  });

  it('reliable: drained() honours an AbortSignal', async () => {
    const publication = await transport({ maxSendQueueBytes: 1024 }).openPublication(publicationOptions());
    const collector = await subscribe(transport({ maxReceiveQueueBytes: 1024 }), advertisementFor(publication));
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    let sequence = 0;
    for (let round = 0; round < 5000 && publication.canSend(60_000); round++) {
      while (publication.send(new Uint8Array(60_000), sequence)) sequence++;
      await tick(1);
    }
    expect(publication.canSend(60_000)).toBe(false);
    const controller = new AbortController();
    const waiting = publication.drained(60_000, controller.signal);
    controller.abort(new Error('stop waiting'));
    const error = await failureOf(waiting);
    expect(error.code).toBe('ERR_ABORTED');
    expect((error.cause as Error).message).toBe('stop waiting');
    expect(await codeOf(publication.drained(1, controller.signal))).toBe('ERR_ABORTED');
    const closing = publication.drained(60_000);
    void publication.close();
    expect(await codeOf(closing)).toBe('ERR_CLOSED');
  });

  it('latest: never refuses; a stalled subscriber loses the oldest messages and sees the gap as lost', async () => {
    const bound = 32 * 1024;
    const publication = await transport({ maxSendQueueBytes: bound }).openPublication(publicationOptions({ policy: 'latest' }));
    const collector = await subscribe(transport({ maxReceiveQueueBytes: 32 * 1024 }), advertisementFor(publication));
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    const size = 1000;
    const total = 20_000;
    for (let sequence = 0; sequence < total; sequence++) {
      expect(publication.canSend(size)).toBe(true);
      expect(publication.send(payload(sequence, size), sequence)).toBe(true);
      expect(publication.queuedBytes).toBeLessThanOrEqual(bound + 64 * 1024 + size + 13);
      if (sequence % 500 === 0) await tick(1);
    }
    expect(publication.droppedMessages).toBeGreaterThan(0);
    collector.polling = true;
    collector.drain();
    await until(() => collector.messages.at(-1)?.seq === total - 1, 'the newest message');
    const messages = collector.messages;
    let lost = 0;
    for (const [index, message] of messages.entries()) {
      if (index > 0) expect(message.seq).toBe((messages[index - 1]?.seq ?? 0) + 1 + message.lost);
      expect(sameBytes(message.data, payload(message.seq, size))).toBe(true);
      lost += message.lost;
    }
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBe(publication.droppedMessages);
    expect(collector.subscription?.lost).toBe(lost);
    expect(messages.length + lost).toBe(total - (messages[0]?.seq ?? 0));
  });

  it('stops reading when the receive queue is full, so the bytes wait in the kernel and at the publisher', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const bound = 100_000;
    const collector = await subscribe(transport({ maxReceiveQueueBytes: bound }), advertisementFor(publication));
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    let sequence = 0;
    for (let round = 0; round < 3000 && publication.canSend(8000); round++) {
      while (publication.send(payload(sequence, 8000), sequence)) sequence++;
      await tick(1);
    }
    const queued = collector.subscription?.queuedBytes ?? 0;
    expect(queued).toBeGreaterThanOrEqual(bound);
    expect(queued).toBeLessThanOrEqual(bound + 2 * 65_536 + 8013);
    collector.polling = true;
    collector.drain();
    await until(() => collector.messages.length === sequence, 'everything');
  });
  it('resumes reading for a message larger than the receive bound that is only partly here', async () => {
    const publication = await transport().openPublication(publicationOptions({ maxMessageSize: 1_000_000 }));
    const collector = await subscribe(transport({ maxReceiveQueueBytes: 64 * 1024 }), advertisementFor(publication));
    collector.polling = false;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    const size = 300_000;
    // While the consumer stalls, the socket pauses with a message and a part of the next one.
    for (let sequence = 0; sequence < 6; sequence++) publication.send(new Uint8Array(size).fill(sequence), sequence);
    await until(() => (collector.subscription?.queuedBytes ?? 0) > size, 'more than one message');
    await tick(50);
    collector.polling = true;
    collector.drain();
    for (let sequence = 6; sequence < 40; sequence++) {
      while (!publication.send(new Uint8Array(size).fill(sequence), sequence)) await publication.drained(size);
    }
    await until(() => collector.messages.length === 40, 'every message');
    expect(collector.messages.map((message) => message.data[size - 1])).toEqual(Array.from({ length: 40 }, (_, index) => index));
  });
});

describe('connection loss', () => {
  it('reconnects after a broken connection and reports the missed messages as lost', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const clientSockets: Socket[] = [];
    const subscriber = transport({
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      network: {
        createServer: nodeNetwork.createServer,
        connect: (target) => {
          const socket = nodeNetwork.connect(target);
          clientSockets.push(socket);
          return socket;
        },
      },
    });
    const collector = await subscribe(subscriber, advertisementFor(publication));
    const subscription = collector.subscription;
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    expect(subscription?.remote).toBe(`127.0.0.1:${String(publication.endpoint.port)}`);
    for (let sequence = 0; sequence < 10; sequence++) publication.send(payload(sequence, 10), sequence);
    await until(() => collector.messages.length === 10, 'the first ten');
    clientSockets[0]?.destroy();
    await until(() => publication.subscriberCount === 0, 'the publisher to notice');
    for (let sequence = 10; sequence < 15; sequence++) publication.send(payload(sequence, 10), sequence);
    await until(() => publication.subscriberCount === 1, 'the reconnection');
    // The publisher counts the subscriber when its hello arrives; the subscriber is connected
    // once the publisher's answer arrives, a moment later (much later on a busy machine).
    await until(() => subscription?.connected === true, 'the subscriber to hear the answer');
    expect(subscription?.reconnects).toBe(1);
    publication.send(payload(15, 10), 15);
    await until(() => collector.messages.length === 11, 'the next message');
    expect(collector.messages[10]).toMatchObject({ seq: 15, lost: 5 });
    expect(collector.subscription?.lost).toBe(5);
    expect(collector.ended_).toBeUndefined();
  });

  it('gives up with ERR_CONNECTION after giveUpAfterMs when the publisher does not come back', async () => {
    const publisher = await fakePublisher((socket) => {
      socket.destroy();
    });
    const collector = await subscribe(
      transport({ reconnect: { initialDelayMs: 10, maxDelayMs: 20, giveUpAfterMs: 200 } }),
      publisher.advertisement,
    );
    await publisher.close();
    await until(() => collector.ended_ !== undefined, 'the end');
    expect(collector.ended_?.code).toBe('ERR_CONNECTION');
    expect(collector.ended_?.message).toMatch(
      /gave up reconnecting to publisher "p1" of topic "md\.AAPL" after \d+ ms; last error: .*ECONNREFUSED/,
    );
    expect(syncCodeOf(() => collector.subscription?.poll(() => undefined))).toBe('returned');
  });

  it('ends with ERR_PUBLISHER_GONE when the publisher answers a reconnection with "unknown publisher"', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const clientSockets: Socket[] = [];
    const subscriber = transport({
      reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
      network: {
        createServer: nodeNetwork.createServer,
        connect: (target) => {
          const socket = nodeNetwork.connect(target);
          clientSockets.push(socket);
          return socket;
        },
      },
    });
    const collector = await subscribe(subscriber, advertisementFor(publication));
    await until(() => publication.subscriberCount === 1, 'the subscriber');
    // Another publication on the same listener keeps it open; "p1" itself disappears.
    await transports[0]?.openPublication(publicationOptions({ publisherId: 'p2' }));
    clientSockets[0]?.destroy();
    await publication.close();
    await until(() => collector.ended_ !== undefined, 'the end');
    expect(collector.ended_?.code).toBe('ERR_PUBLISHER_GONE');
  });
});

describe('heartbeats', () => {
  it('the subscriber drops a silent publisher and sends heartbeats itself', async () => {
    let heartbeatsReceived = 0;
    const publisher = await fakePublisher(
      (socket) => {
        socket.on('data', (chunk: Buffer) => {
          for (let index = 0; index + 5 <= chunk.length; index += 5) if (chunk[index + 4] === 5) heartbeatsReceived++;
        });
      },
      { heartbeatTimeoutMs: 90 },
    );
    const collector = await subscribe(
      transport({ heartbeat: { intervalMs: 50, timeoutMs: 150 }, reconnect: { initialDelayMs: 10, maxDelayMs: 20 } }),
      publisher.advertisement,
    );
    await until(() => publisher.connections >= 2, 'a reconnection after the silence');
    expect(heartbeatsReceived).toBeGreaterThan(0);
    expect(collector.ended_).toBeUndefined();
    await publisher.close();
  });

  it('the publisher drops a subscriber that sends nothing, says so, and reports it removed', async () => {
    const problems: SeamlessError[] = [];
    const added: SubscriberInfo[] = [];
    const removed: SubscriberInfo[] = [];
    const publication = await transport({
      heartbeat: { intervalMs: 20, timeoutMs: 100 },
      onConnectionError: (error) => problems.push(error),
    }).openPublication(publicationOptions(), {
      subscriberAdded: (info) => added.push(info),
      subscriberRemoved: (info) => removed.push(info),
    });
    const socket = await rawSubscriber(publication.endpoint.port, 'p1');
    await until(() => publication.subscriberCount === 1, 'the raw subscriber');
    await until(() => publication.subscriberCount === 0, 'the drop');
    expect(problems.map((problem) => problem.message)).toContainEqual(
      expect.stringMatching(/^subscriber 127\.0\.0\.1:\d+ sent nothing for \d+ ms; dropped$/),
    );
    // The raw subscriber gave no pid and no host name.
    expect(added).toEqual([{ transport: 'tcp', id: expect.stringMatching(/^1@127\.0\.0\.1:\d+$/) as string }]);
    await until(() => removed.length === 1, 'the removal');
    expect(removed).toEqual(added);
    socket.destroy();
  });
});

describe('defensive decoding', () => {
  it('a subscriber that breaks the protocol loses only its own connection', async () => {
    const problems: SeamlessError[] = [];
    const publication = await transport({ onConnectionError: (error) => problems.push(error) }).openPublication(publicationOptions());
    const good = await subscribe(transport(), advertisementFor(publication));
    const port = publication.endpoint.port;
    const broken = await rawSubscriber(port, 'p1');
    await until(() => publication.subscriberCount === 2, 'both subscribers');
    broken.write(Buffer.from([0, 0, 0, 1, 77]));
    await until(() => publication.subscriberCount === 1, 'the broken one to go');
    const http = net.connect(port, '127.0.0.1');
    http.on('error', () => undefined);
    http.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => problems.length === 2, 'both problems reported');
    expect(problems[0]?.code).toBe('ERR_PROTOCOL');
    expect(problems[0]?.message).toMatch(/^subscriber 127\.0\.0\.1:\d+: unexpected frame type 77$/);
    expect(problems[1]?.code).toBe('ERR_PROTOCOL');
    publication.send(Uint8Array.of(1), 0);
    await until(() => good.messages.length === 1, 'the good subscriber still served');
    http.destroy();
  });

  it('answers a HELLO of protocol version 1 with a REJECT naming both versions', async () => {
    const publication = await transport().openPublication(publicationOptions());
    const reply = await exchange(publication.endpoint.port, helloOfVersion1('md.AAPL', 'p1'));
    expect(reply[4]).toBe(3);
    expect(reply.subarray(11).toString()).toBe('protocol version 1 is not supported; this publisher speaks version 2');
  });

  it('fails with ERR_PROTOCOL naming both versions when the publisher speaks protocol version 1', async () => {
    // What a publisher of version 1 does with a HELLO of version 2: it reads the version byte
    // (the HELLO is within its handshake frame limit) and answers with a REJECT.
    const versions: number[] = [];
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (hello: Buffer) => {
        versions.push(hello[9] ?? -1);
        socket.end(versionRejectOfVersion1(hello[9] ?? 0));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const advertisement = {
        ...advertisementFor(await transport().openPublication(publicationOptions())),
        endpoints: { tcp: { port, tls: false } },
      };
      const error = await failureOf(transport().openSubscription(advertisement, {}, new Collector()));
      expect(versions).toEqual([2]);
      expect(error.code).toBe('ERR_PROTOCOL');
      expect(error.message).toContain('refused the subscription: protocol version 2 is not supported; this publisher speaks version 1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('never lets an untrusted HELLO crash the publisher: a mutated one is refused, hung up on or served', { timeout: 60_000 }, async () => {
    const problems: SeamlessError[] = [];
    const events: SubscriberInfo[] = [];
    const publication = await transport({ connectTimeoutMs: 2000, onConnectionError: (error) => problems.push(error) }).openPublication(
      publicationOptions(),
      { subscriberAdded: (info) => events.push(info) },
    );
    const { encodeHello } = await import('./handshake.js');
    const valid = encodeHello({ topic: 'md.AAPL', publisherId: 'p1', heartbeatTimeoutMs: 0, start: 'oldest', pid: 77, hostname: 'h' });
    const mutated = fc.sample(
      fc.array(fc.record({ at: fc.nat({ max: valid.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      { numRuns: 150, seed: 15 },
    );
    const outcomes = { welcome: 0, reject: 0, hangUp: 0 };
    for (const flips of mutated) {
      const hello = Buffer.from(valid);
      for (const { at, value } of flips) hello[at] = value;
      const reply = await exchange(publication.endpoint.port, hello);
      if (reply[4] === 2) outcomes.welcome++;
      else if (reply[4] === 3) outcomes.reject++;
      else outcomes.hangUp++;
    }
    expect(outcomes.reject).toBeGreaterThan(0);
    expect(outcomes.hangUp).toBeGreaterThan(0);
    expect(outcomes.welcome).toBe(events.length);
    for (const info of events) {
      expect(info.transport).toBe('tcp');
      expect(info.pid === undefined || (Number.isInteger(info.pid) && info.pid > 0 && info.pid <= 0xffff_ffff)).toBe(true);
      expect(info.hostname === undefined || Buffer.byteLength(info.hostname) <= 128).toBe(true);
    }
    expect(problems.every((problem) => SeamlessError.isInstance(problem))).toBe(true);
    await until(() => publication.subscriberCount === 0, 'every raw subscriber to be gone');
    const good = await subscribe(transport(), advertisementFor(publication));
    await until(() => publication.subscriberCount === 1, 'a good subscriber');
    publication.send(Uint8Array.of(1), 0);
    await until(() => good.messages.length === 1, 'the good subscriber served');
  });

  it('a publisher that sends an oversized frame ends the subscription with ERR_MESSAGE_TOO_LARGE, after what came before', async () => {
    const { encodeDataFrame } = await import('./frame-encoder.js');
    const publisher = await fakePublisher((socket) => {
      socket.write(Buffer.concat([encodeDataFrame(Uint8Array.of(1), 0), encodeDataFrame(new Uint8Array(101), 1)]));
    });
    const collector = new Collector();
    const thrown: unknown[] = [];
    collector.subscription = await transport().openSubscription(
      { ...publisher.advertisement, maxMessageSize: 100 },
      {},
      {
        readable: () => {
          try {
            collector.readable();
            collector.drain();
          } catch (error) {
            thrown.push(error);
          }
        },
        ended: collector.ended,
      },
    );
    await until(() => collector.ended_ !== undefined, 'the end');
    expect(collector.messages.map((message) => message.seq)).toEqual([0]);
    expect(collector.ended_?.code).toBe('ERR_MESSAGE_TOO_LARGE');
    expect(collector.ended_?.message).toMatch(/^publisher 127\.0\.0\.1:\d+: message of 101 bytes exceeds maxMessageSize 100$/);
    expect(thrown).toEqual([collector.ended_]);
    await publisher.close();
  });
});

interface FakePublisher {
  readonly advertisement: Advertisement;
  readonly connections: number;
  close(): Promise<void>;
}

/** A listener that answers every HELLO with WELCOME and then does what `behave` says. */
async function fakePublisher(behave: (socket: Socket) => void, options: { heartbeatTimeoutMs?: number } = {}): Promise<FakePublisher> {
  const { encodeWelcome } = await import('./handshake.js');
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write(
        encodeWelcome({
          policy: 'reliable',
          heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 0,
          maxMessageSize: 1000,
          firstSequence: undefined,
        }),
      );
      behave(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    advertisement: {
      version: 1,
      topic: 'md.AAPL',
      publisherId: 'p1',
      policy: 'reliable',
      maxMessageSize: 1000,
      host: identity,
      addresses: ['127.0.0.1'],
      endpoints: { tcp: { port, tls: false } },
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Writes `bytes` to the listener on `port`, ends, and resolves with everything received until the connection closed. */
function exchange(port: number, bytes: Uint8Array): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      resolve(Buffer.concat(chunks));
    });
    socket.end(bytes);
  });
}

/** A bare socket that completes the handshake and then does nothing by itself. */
async function rawSubscriber(port: number, publisherId: string): Promise<Socket> {
  const { encodeHello } = await import('./handshake.js');
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(encodeHello({ topic: 'md.AAPL', publisherId, heartbeatTimeoutMs: 0, start: 'live', pid: 0, hostname: '' }));
  await new Promise((resolve) => socket.once('data', resolve));
  return socket;
}
