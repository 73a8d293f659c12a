import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SeamlessError } from '@seamless/transport';
import { HostResolver, StaticResolver } from '@seamless/topic-resolver';
import type { Message } from '@seamless/transport';
import { createSeamless } from './create-seamless.js';
import type { Seamless } from './seamless.js';
import type { SeamlessOptions } from './seamless-options.js';
import type { Route, Subscriber } from './subscriber.js';
import { errorOf, freePort } from '@seamless/test-support';

const buses: Seamless[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

// Every bus of one test shares a private registry directory and never uses multicast: test
// traffic stays on this host.
function registry(): string {
  const directory = mkdtempSync(join(tmpdir(), 'seamless-facade-'));
  directories.push(directory);
  return directory;
}

async function bus(directory: string, options: SeamlessOptions = {}): Promise<Seamless> {
  const created = await createSeamless({ multicast: false, hostResolver: { directory }, tcp: { host: '127.0.0.1' }, ...options });
  buses.push(created);
  return created;
}

function firstRoute(subscriber: Subscriber): Promise<Route> {
  const [existing] = subscriber.routes();
  if (existing !== undefined) return Promise.resolve(existing);
  return new Promise((resolve) => subscriber.once('publisher-added', resolve));
}

function collect(subscriber: Subscriber, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  return new Promise((resolve) => {
    subscriber.on('message', (message) => {
      messages.push({ ...message, data: message.data.slice() });
      if (messages.length === count) resolve(messages);
    });
  });
}

describe('createSeamless', () => {
  it('delivers over shared memory between a publisher and a subscriber of one host, sequence from 0', async () => {
    const directory = registry();
    const subscriberBus = await bus(directory);
    const publisherBus = await bus(directory);
    expect(subscriberBus.transports).toEqual(['shm', 'tcp']);
    const subscriber = await subscriberBus.subscriber('facade.shm');
    const publisher = await publisherBus.publisher('facade.shm');
    const route = await firstRoute(subscriber);
    expect(route).toMatchObject({ publisherId: publisher.publisherId, transport: 'shm' });
    await publisher.waitForSubscribers(1, { timeoutMs: 10_000 });
    const received = collect(subscriber, 3);
    expect(publisher.send('héllo')).toBe(true);
    expect(publisher.send(new Uint8Array([1, 2, 3]))).toBe(true);
    expect(publisher.send(new Uint8Array(0))).toBe(true);
    const messages = await received;
    expect(messages.map((message) => [message.seq, message.transport, message.topic, message.publisherId])).toEqual([
      [0, 'shm', 'facade.shm', publisher.publisherId],
      [1, 'shm', 'facade.shm', publisher.publisherId],
      [2, 'shm', 'facade.shm', publisher.publisherId],
    ]);
    expect(new TextDecoder().decode(messages[0]?.data)).toBe('héllo');
    expect([...(messages[1]?.data ?? [])]).toEqual([1, 2, 3]);
    expect(subscriber.routes()).toEqual([route]);
  });

  it('with shared memory disabled everything flows over TCP', async () => {
    const directory = registry();
    const subscriberBus = await bus(directory, { shm: false });
    const publisherBus = await bus(directory, { shm: false });
    expect(publisherBus.transports).toEqual(['tcp']);
    const subscriber = await subscriberBus.subscriber('facade.tcp');
    const publisher = await publisherBus.publisher('facade.tcp');
    expect((await firstRoute(subscriber)).transport).toBe('tcp');
    await publisher.waitForSubscribers(1, { timeoutMs: 10_000 });
    const received = collect(subscriber, 2);
    publisher.send('a');
    publisher.send('b');
    expect((await received).map((message) => [message.seq, message.transport])).toEqual([
      [0, 'tcp'],
      [1, 'tcp'],
    ]);
  });

  it.each([
    ['shm', {}],
    ['tcp', { shm: false }],
  ] as const)("over %s a publisher's first message never precedes its 'publisher-added' or its route", async (transport, options) => {
    const directory = registry();
    const subscriberBus = await bus(directory, options);
    const publisherBus = await bus(directory, options);
    const subscriber = await subscriberBus.subscriber('facade.order');
    const events: string[] = [];
    subscriber.on('publisher-added', (route) => events.push(`added ${route.transport}`));
    const received = new Promise<void>((resolve) => {
      subscriber.on('message', (message) => {
        events.push(`message ${message.transport} with ${String(subscriber.routes().length)} route`);
        resolve();
      });
    });
    const publisher = await publisherBus.publisher('facade.order');
    // Sent the moment the publisher sees the subscriber, which over TCP is before the
    // subscriber's side of the connection has finished opening.
    await publisher.waitForSubscribers(1, { timeoutMs: 10_000 });
    publisher.send('first');
    await received;
    expect(events).toEqual([`added ${transport}`, `message ${transport} with 1 route`]);
  });

  it("events carry a SeamlessError: 'publisher-removed' when the publisher closes, 'discovery-stopped' when the resolver closes", async () => {
    const directory = registry();
    const resolver = new HostResolver({ directory });
    const subscriberBus = await bus(directory, { resolver });
    const publisherBus = await bus(directory);
    const subscriber = await subscriberBus.subscriber('facade.events');
    const publisher = await publisherBus.publisher('facade.events');
    const route = await firstRoute(subscriber);
    const removed = new Promise<[Route, string, SeamlessError]>((resolve) =>
      subscriber.once('publisher-removed', (...args) => {
        resolve(args);
      }),
    );
    await publisher.close();
    const [removedRoute, reason, error] = await removed;
    expect(removedRoute).toEqual(route);
    expect(SeamlessError.isInstance(error, 'ERR_PUBLISHER_GONE')).toBe(true);
    expect(error.message).toContain(reason);

    const stopped = new Promise<SeamlessError>((resolve) => subscriber.once('discovery-stopped', resolve));
    await resolver.close();
    const stop = await stopped;
    expect(SeamlessError.isInstance(stop)).toBe(true);
    expect(stop.message).toContain('topic resolution of "facade.events" stopped');
  });

  it("'publisher-unreachable' carries the transport's error as the cause", async () => {
    const port = await freePort(); // nothing listens there
    const resolver = new StaticResolver({ 'facade.unreachable': [{ address: '127.0.0.1', port, publisherId: 'nobody' }] });
    const one = await bus(registry(), { resolver, shm: false });
    const subscriber = await one.subscriber('facade.unreachable');
    const [publisherId, reason, error] = await new Promise<[string, string, SeamlessError]>((resolve) =>
      subscriber.once('publisher-unreachable', (...args) => {
        resolve(args);
      }),
    );
    expect(publisherId).toBe('nobody');
    expect(reason).toContain('tcp:');
    expect(SeamlessError.isInstance(error, 'ERR_CONNECTION')).toBe(true);
    expect(SeamlessError.isInstance(error.cause)).toBe(true);
    await resolver.close();
  });

  it('a subscriber without shared memory reaches a local publisher over TCP while another uses shm', async () => {
    const directory = registry();
    const publisherBus = await bus(directory);
    const shmBus = await bus(directory);
    const tcpBus = await bus(directory, { shm: false });
    const publisher = await publisherBus.publisher('facade.both');
    const viaShm = await shmBus.subscriber('facade.both');
    const viaTcp = await tcpBus.subscriber('facade.both');
    expect((await firstRoute(viaShm)).transport).toBe('shm');
    expect((await firstRoute(viaTcp)).transport).toBe('tcp');
    await publisher.waitForSubscribers(2, { timeoutMs: 10_000 });
    const both = Promise.all([collect(viaShm, 100), collect(viaTcp, 100)]);
    for (let index = 0; index < 100; index++) {
      while (!publisher.send(String(index))) await publisher.drained();
    }
    const [shmMessages, tcpMessages] = await both;
    expect(shmMessages.map((message) => message.seq)).toEqual(tcpMessages.map((message) => message.seq));
    expect(new Set(shmMessages.map((message) => message.transport))).toEqual(new Set(['shm']));
    expect(new Set(tcpMessages.map((message) => message.transport))).toEqual(new Set(['tcp']));
  });

  it("the paper's send(DataBuffer, TopicName) form, and for await on the subscriber", async () => {
    const directory = registry();
    const one = await bus(directory);
    const subscriber = await one.subscriber('facade.send');
    const done = (async () => {
      const seen: string[] = [];
      for await (const message of subscriber) {
        const text = new TextDecoder().decode(message.data);
        if (text !== 'warm-up') seen.push(text);
        if (seen.length === 2) break;
      }
      return seen;
    })();
    // The first send creates the publisher; a message sent before the subscriber attached is
    // not received (as in any pub/sub), so wait until it has.
    const attached = new Promise<void>((resolve) =>
      subscriber.once('publisher-added', () => {
        resolve();
      }),
    );
    await one.send('facade.send', 'warm-up');
    await attached;
    await one.send('facade.send', 'one');
    await one.send('facade.send', 'two');
    expect(await done).toEqual(['one', 'two']);
  });

  it('poll() hands over what is ready, synchronously', async () => {
    const directory = registry();
    const one = await bus(directory);
    const subscriber = await one.subscriber('facade.poll', { idle: 'spin' });
    const publisher = await one.publisher('facade.poll');
    await firstRoute(subscriber);
    await publisher.waitForSubscribers(1, { timeoutMs: 10_000 });
    for (let index = 0; index < 10; index++) publisher.send(String(index));
    const seen: number[] = [];
    expect(subscriber.poll((message) => seen.push(message.seq), 4)).toBe(4);
    expect(subscriber.poll((message) => seen.push(message.seq))).toBe(6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses misuse with stable codes', async () => {
    const directory = registry();
    const one = await bus(directory);
    await expect(one.publisher('/bad')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    await expect(one.subscriber('a b')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    await expect(one.publisher('ok', { policy: 'sometimes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(one.publisher('ok', { maxMessageSize: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(one.publisher('ok', 'reliable' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    // Subscriber options are checked when subscribing, not when the first publisher appears.
    await expect(one.subscriber('ok', { idle: 'doze' as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: `subscriber(): idle must be 'park', 'spin' or { spinMicros: number >= 0 }, got "doze"`,
    });
    await expect(one.subscriber('ok', { copy: 1 as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(one.subscriber('ok', { maxMessageSize: -5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const publisher = await one.publisher('facade.errors', { maxMessageSize: 8 });
    expect(
      SeamlessError.isInstance(
        errorOf(() => publisher.send(new Uint8Array(9))),
        'ERR_MESSAGE_TOO_LARGE',
      ),
    ).toBe(true);
    expect(
      SeamlessError.isInstance(
        errorOf(() => publisher.send(42 as never)),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
    expect(
      SeamlessError.isInstance(
        errorOf(() => publisher.send([1, 2] as never)),
        'ERR_INVALID_ARGUMENT',
      ),
    ).toBe(true);
    await expect(publisher.waitForSubscribers(1, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    const controller = new AbortController();
    const waiting = publisher.waitForSubscribers(1, { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await publisher.close();
    expect(
      SeamlessError.isInstance(
        errorOf(() => publisher.send('x')),
        'ERR_CLOSED',
      ),
    ).toBe(true);
    await one.close();
    await expect(one.publisher('late')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(one.send('late', 'x')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(createSeamless({ transports: [{ specificationVersion: 'v0' } as never] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('falls back to TCP with one warning per process when shared memory cannot be used', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    const directory = registry();
    const one = await bus(directory, { shm: { capacity: 3 }, logger });
    const two = await bus(directory, { shm: { capacity: 3 }, logger });
    expect(one.transports).toEqual(['tcp']);
    expect(two.transports).toEqual(['tcp']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Seamless: shared memory is unavailable, using TCP only: capacity must be a power of two/);
  });

  it('await using closes everything', async () => {
    const directory = registry();
    let publisher;
    {
      await using scoped = await createSeamless({ multicast: false, hostResolver: { directory }, tcp: { host: '127.0.0.1' } });
      publisher = await scoped.publisher('facade.dispose');
    }
    expect(publisher.closed).toBe(true);
  });
});
