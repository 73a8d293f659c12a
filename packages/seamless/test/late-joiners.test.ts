import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, SubscriberInfo } from '@seamless/transport';
import { createSeamless } from '../src/index.js';
import type { Seamless, Subscriber } from '../src/index.js';
import { createMemoryTransport } from './memory-transport.js';

// History, the audience events and the option checks of the facade, over the in-process
// transport of ./memory-transport (what the facade itself does with them: which options reach
// the transports, what it advertises, the events it relays). The real transports and processes
// are in late-joiners-processes.test.ts.
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoBuses(): Promise<{ publisherBus: Seamless; subscriberBus: Seamless }> {
  const directory = mkdtempSync(join(tmpdir(), 'seamless-late-'));
  cleanups.push(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  const transport = createMemoryTransport();
  cleanups.push(() => transport.close());
  const open = async (): Promise<Seamless> => {
    const created = await createSeamless({ multicast: false, hostResolver: { directory }, transports: [transport] });
    cleanups.push(() => created.close());
    return created;
  };
  return { publisherBus: await open(), subscriberBus: await open() };
}

function collect(subscriber: Subscriber): Message[] {
  const messages: Message[] = [];
  subscriber.on('message', (message) => messages.push({ ...message, data: message.data.slice() }));
  return messages;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}

const text = (message: Message): string => new TextDecoder().decode(message.data);

describe('late joiners', () => {
  it('a late subscriber gets the last 10 of 100 first, with their seq, then the live stream', async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const publisher = await publisherBus.publisher('late.history', { history: 10 });
    expect(publisher.history).toBe(10);
    for (let index = 0; index < 100; index++) expect(publisher.send(`m${index}`)).toBe(true);
    const advertised = await subscriberBus.resolver.resolve('late.history');
    expect(advertised.map((advertisement) => advertisement.history)).toEqual([10]);
    const subscriber = await subscriberBus.subscriber('late.history');
    const messages = collect(subscriber);
    await until(() => messages.length === 10);
    for (let index = 100; index < 110; index++) expect(publisher.send(`m${index}`)).toBe(true);
    await until(() => messages.length === 20);
    expect(messages.map((message) => message.seq)).toEqual([...Array(20).keys()].map((index) => 90 + index));
    expect(messages.map(text)).toEqual([...Array(20).keys()].map((index) => `m${90 + index}`));
  });

  it('history: false on the subscriber means live only', async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const publisher = await publisherBus.publisher('late.live', { history: 10 });
    for (let index = 0; index < 5; index++) publisher.send(`old${index}`);
    const subscriber = await subscriberBus.subscriber('late.live', { history: false });
    const messages = collect(subscriber);
    await publisher.waitForSubscribers(1, { timeoutMs: 20_000 });
    publisher.send('new');
    await until(() => messages.length === 1);
    expect(messages.map((message) => [message.seq, text(message)])).toEqual([[5, 'new']]);
  });

  it("with 'latest' and history 1, a late joiner gets the current value at once", async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const publisher = await publisherBus.publisher('late.value', { policy: 'latest', history: 1 });
    for (const price of ['100.1', '100.2', '100.3']) publisher.send(price);
    const subscriber = await subscriberBus.subscriber('late.value');
    const messages = collect(subscriber);
    await until(() => messages.length === 1);
    expect(messages.map((message) => [message.seq, text(message)])).toEqual([[2, '100.3']]);
  });

  it('a publisher without history gives a late joiner nothing of the past', async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const publisher = await publisherBus.publisher('late.none');
    expect(publisher.history).toBe(0);
    publisher.send('before');
    const subscriber = await subscriberBus.subscriber('late.none');
    const messages = collect(subscriber);
    await publisher.waitForSubscribers(1, { timeoutMs: 20_000 });
    publisher.send('after');
    await until(() => messages.length === 1);
    expect(messages.map(text)).toEqual(['after']);
    const [advertisement] = await subscriberBus.resolver.resolve('late.none');
    expect(advertisement !== undefined && 'history' in advertisement).toBe(false);
  });
});

describe('pattern subscribers', () => {
  it('md.* and md.> get exactly the matching topics, later publishers included, each message with its concrete topic', async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const early = await Promise.all(['md.AAPL', 'md.us.AAPL', 'mdx.AAPL', 'md', 'md/AAPL'].map((topic) => publisherBus.publisher(topic)));
    const one = await subscriberBus.subscriber('md.*');
    const rest = await subscriberBus.subscriber('md.>');
    const ones = collect(one);
    const rests = collect(rest);
    const late = await publisherBus.publisher('md.MSFT');
    const everyone = [...early, late];
    await until(() => one.routes().length === 2 && rest.routes().length === 3);
    for (const publisher of everyone) {
      await publisher.waitForSubscribers(publisher.topic === 'md.us.AAPL' ? 1 : publisher.topic.startsWith('md.') ? 2 : 0, {
        timeoutMs: 20_000,
      });
      publisher.send(publisher.topic);
    }
    await until(() => ones.length === 2 && rests.length === 3);
    expect(
      one
        .routes()
        .map((route) => route.topic)
        .sort(),
    ).toEqual(['md.AAPL', 'md.MSFT']);
    expect(ones.map((message) => [message.topic, text(message)]).sort()).toEqual([
      ['md.AAPL', 'md.AAPL'],
      ['md.MSFT', 'md.MSFT'],
    ]);
    expect(rests.map((message) => message.topic).sort()).toEqual(['md.AAPL', 'md.MSFT', 'md.us.AAPL']);
    // Nothing else on its way: the non-matching publishers have no subscriber at all.
    for (const publisher of everyone.filter((each) => !each.topic.startsWith('md.'))) expect(publisher.subscriberCount).toBe(0);
  });

  it('a pattern subscriber with history gets the last value of every matching topic at once', async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const symbols = ['AAPL', 'MSFT', 'IBM'];
    for (const symbol of symbols) {
      const publisher = await publisherBus.publisher(`px.${symbol}`, { policy: 'latest', history: 1 });
      publisher.send(`${symbol} old`);
      publisher.send(`${symbol} now`);
    }
    const prices = collect(await subscriberBus.subscriber('px.*'));
    await until(() => prices.length === 3);
    expect(prices.map((message) => [message.topic, message.seq, text(message)]).sort()).toEqual(
      symbols.map((symbol) => [`px.${symbol}`, 1, `${symbol} now`]).sort(),
    );
  });
});

describe('the audience of a publisher', () => {
  it("emits 'subscriber-added' and 'subscriber-removed' with the subscriber's transport", async () => {
    const { publisherBus, subscriberBus } = await twoBuses();
    const publisher = await publisherBus.publisher('late.audience');
    const events: string[] = [];
    const added: SubscriberInfo[] = [];
    publisher.on('subscriber-added', (info) => {
      added.push(info);
      events.push(`added ${info.transport}`);
    });
    publisher.on('subscriber-removed', (info) => {
      expect(info).toEqual(added[0]);
      events.push(`removed ${info.transport}`);
    });
    const subscriber = await subscriberBus.subscriber('late.audience');
    await until(() => events.length === 1);
    expect(added[0]).toMatchObject({ transport: 'memory', pid: process.pid });
    await subscriber.close();
    await until(() => events.length === 2);
    expect(events).toEqual(['added memory', 'removed memory']);
  });
});

describe('what publisher() and subscriber() accept', () => {
  it('publisher() and send() refuse a pattern with ERR_TOPIC_INVALID, saying where patterns go', async () => {
    const { publisherBus } = await twoBuses();
    for (const pattern of ['md.*', 'md.>', '*']) {
      await expect(publisherBus.publisher(pattern)).rejects.toMatchObject({
        code: 'ERR_TOPIC_INVALID',
        message: `publisher() takes a concrete topic, not the pattern ${JSON.stringify(pattern)}: patterns are for subscriber()`,
      });
      await expect(publisherBus.send(pattern, 'x')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
    }
    await expect(publisherBus.publisher('md.>.x')).rejects.toMatchObject({ code: 'ERR_TOPIC_INVALID' });
  });

  it('refuses a bad history or pattern with a clear error', async () => {
    const { publisherBus } = await twoBuses();
    await expect(publisherBus.publisher('t', { history: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: 'publisher(): history must be an integer from 0 to 65536, got -1',
    });
    await expect(publisherBus.publisher('t', { history: 2.5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(publisherBus.subscriber('t', { history: 10 as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: 'subscriber(): history must be a boolean, got 10',
    });
    await expect(publisherBus.subscriber('md.>.x')).rejects.toMatchObject({
      code: 'ERR_TOPIC_INVALID',
      message: expect.stringContaining('">" must be the last level') as unknown,
    });
  });
});
