import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, SeamlessError } from '@seamless/transport';
import { createSocketTransport } from '@seamless/socket-transport';
import { hostIdentity } from '@seamless/local-addrs';
import { createSeamless } from '../src/index.js';
import type { Route, Seamless, SeamlessOptions, Subscriber } from '../src/index.js';
import { createMemoryTransport } from './memory-transport.js';
import type { MemoryTransport } from './memory-transport.js';

// The facade with a transport it has never heard of: the in-process one of ./memory-transport,
// alone or beside TCP. The resolver is the default HostResolver, on a private directory.
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function registry(): string {
  const directory = mkdtempSync(join(tmpdir(), 'seamless-third-'));
  cleanups.push(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  return directory;
}

async function bus(directory: string, options: SeamlessOptions): Promise<Seamless> {
  const created = await createSeamless({ multicast: false, hostResolver: { directory }, ...options });
  cleanups.push(() => created.close());
  return created;
}

function memory(options: Parameters<typeof createMemoryTransport>[0] = {}): MemoryTransport {
  const transport = createMemoryTransport(options);
  cleanups.push(() => transport.close());
  return transport;
}

function received(subscriber: Subscriber, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  return new Promise((resolve) => {
    subscriber.on('message', (message) => {
      messages.push({ ...message, data: message.data.slice() });
      if (messages.length === count) resolve(messages);
    });
  });
}

const text = (message: Message): string => new TextDecoder().decode(message.data);

describe('a third transport, unknown to the facade', () => {
  it('publishes, subscribes, keeps order and sequence, and reports the publisher gone on close', async () => {
    const directory = registry();
    const transport = memory();
    const publisherBus = await bus(directory, { transports: [transport] });
    const subscriberBus = await bus(directory, { transports: [transport] });
    expect(subscriberBus.transports).toEqual(['memory']);
    const subscriber = await subscriberBus.subscriber('third.basic');
    const added = new Promise<Route>((resolve) => subscriber.once('publisher-added', resolve));
    const publisher = await publisherBus.publisher('third.basic');
    expect(publisher.transports).toEqual(['memory']);
    await publisher.waitForSubscribers(1, { timeoutMs: 20_000 });
    const route = await added;
    expect(route).toMatchObject({ publisherId: publisher.publisherId, transport: 'memory' });
    expect(route.reason).toMatch(/^same host \(.+\), same IPC namespace$/);

    const messages = received(subscriber, 200);
    for (let index = 0; index < 200; index++) {
      while (!publisher.send(`m${index}`)) await publisher.drained();
    }
    const got = await messages;
    expect(got.map((message) => message.seq)).toEqual([...Array(200).keys()]);
    expect(got.map(text)).toEqual([...Array(200).keys()].map((index) => `m${index}`));
    expect(new Set(got.map((message) => message.transport))).toEqual(new Set(['memory']));
    expect(transport.delivered).toBe(200);

    const removed = new Promise<[Route, string, SeamlessError]>((resolve) =>
      subscriber.once('publisher-removed', (...args) => {
        resolve(args);
      }),
    );
    await publisher.close();
    const [removedRoute, , error] = await removed;
    expect(removedRoute.transport).toBe('memory');
    expect(error.code).toBe('ERR_PUBLISHER_GONE');
    expect(subscriber.routes()).toEqual([]);
  });

  it('holds a reliable publisher back while its queue is full, and loses nothing', async () => {
    const directory = registry();
    const transport = memory({ queueLength: 4 });
    const one = await bus(directory, { transports: [transport] });
    const subscriber = await one.subscriber('third.reliable');
    const publisher = await one.publisher('third.reliable');
    await publisher.waitForSubscribers(1, { timeoutMs: 20_000 });
    let refused = 0;
    const messages = received(subscriber, 50);
    for (let index = 0; index < 50; index++) {
      while (!publisher.send(new Uint8Array([index]))) {
        refused++;
        await publisher.drained();
      }
    }
    const got = await messages;
    expect(got.map((message) => message.data[0])).toEqual([...Array(50).keys()]);
    expect(refused).toBeGreaterThan(0);
  });

  it('ranks a host transport before TCP and serves a TCP-only bus from the same publisher', async () => {
    const directory = registry();
    const transport = memory();
    const identity = hostIdentity();
    const tcp = createSocketTransport({ identity, host: '127.0.0.1' });
    cleanups.push(() => tcp.close());
    // TCP first on purpose: the order given does not outrank reach.
    const publisherBus = await bus(directory, { transports: [tcp, transport], identity, tcp: { host: '127.0.0.1' } });
    const bothBus = await bus(directory, { transports: [tcp, transport], identity });
    const tcpOnly = createSocketTransport({ identity, host: '127.0.0.1' });
    cleanups.push(() => tcpOnly.close());
    const tcpBus = await bus(directory, { transports: [tcpOnly], identity });

    const viaMemory = await bothBus.subscriber('third.mixed');
    const viaTcp = await tcpBus.subscriber('third.mixed');
    const publisher = await publisherBus.publisher('third.mixed');
    expect(publisher.transports).toEqual(['tcp', 'memory']);
    await publisher.waitForSubscribers(2, { timeoutMs: 20_000 });
    const [memoryMessages, tcpMessages] = [received(viaMemory, 3), received(viaTcp, 3)];
    for (const word of ['a', 'b', 'c']) publisher.send(word);
    expect((await memoryMessages).map((message) => [message.transport, message.seq, text(message)])).toEqual([
      ['memory', 0, 'a'],
      ['memory', 1, 'b'],
      ['memory', 2, 'c'],
    ]);
    expect((await tcpMessages).map((message) => [message.transport, message.seq, text(message)])).toEqual([
      ['tcp', 0, 'a'],
      ['tcp', 1, 'b'],
      ['tcp', 2, 'c'],
    ]);
    expect(viaTcp.routes()[0]?.reason).toContain('no memory transport here');
  });

  it('falls through to TCP when the host transport cannot reach the publisher (its probe says no)', async () => {
    const directory = registry();
    const identity = hostIdentity();
    const tcp = createSocketTransport({ identity, host: '127.0.0.1' });
    cleanups.push(() => tcp.close());
    // Two memory transports of one kind but separate tables cannot exist in one process; an
    // advertisement with a memory endpoint no table holds is what another process would send.
    const publisherMemory = memory({ kind: 'elsewhere' });
    const publisherBus = await bus(directory, { transports: [publisherMemory, tcp], identity });
    const probeSaysNo = memory({ kind: 'elsewhere' });
    const originalCanReach = probeSaysNo.canReach.bind(probeSaysNo);
    let asked = 0;
    const subscriberTransport = {
      ...probeSaysNo,
      canReach: async (advertisement: Parameters<typeof originalCanReach>[0]) => {
        asked++;
        await originalCanReach(advertisement);
        return false;
      },
    };
    const tcpHere = createSocketTransport({ identity, host: '127.0.0.1' });
    cleanups.push(() => tcpHere.close());
    const subscriberBus = await bus(directory, { transports: [subscriberTransport, tcpHere], identity });
    const subscriber = await subscriberBus.subscriber('third.fallback');
    const added = new Promise<Route>((resolve) => subscriber.once('publisher-added', resolve));
    await publisherBus.publisher('third.fallback');
    const route = await added;
    expect(route.transport).toBe('tcp');
    expect(route.reason).toContain('elsewhere: cannot reach it from here');
    expect(asked).toBe(1);
  });

  it('refuses a transport that does not speak the contract, with the reason', async () => {
    const good = memory();
    await expect(createSeamless({ transports: [{ ...good, kind: 'Not A Kind' }] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('kind "Not A Kind" must be 1 to 32 characters') as unknown,
    });
    await expect(createSeamless({ transports: [{ ...good, reach: 'galaxy' } as never] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: 'transport memory: reach must be one of host, network, got "galaxy"',
    });
    await expect(createSeamless({ transports: [{ ...good, parseEndpoint: undefined } as never] })).rejects.toMatchObject({
      message: 'transport memory: parseEndpoint must be a function',
    });
    await expect(createSeamless({ transports: [good, memory()] })).rejects.toMatchObject({ message: 'two transports of kind memory' });
  });
});
