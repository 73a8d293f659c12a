import { describe, expect, it } from 'vitest';
import type { Message, MessageHandler } from './message.js';
import { MessageFeed } from './message-feed.js';
import { SeamlessError } from './seamless-error.js';
import type { Subscription, SubscriptionListener } from './subscription.js';

// A subscription over an in-memory queue whose payload views are reused, like a ring's.
class FakeSubscription implements Subscription {
  readonly kind = 'shm' as const;
  readonly topic = 't';
  readonly lost = 0;
  readonly queue: number[] = [];
  readonly limits: number[] = [];
  readonly scratch = new Uint8Array(1);
  listener: SubscriptionListener | undefined;
  constructor(readonly publisherId: string) {}

  push(...values: number[]): void {
    this.queue.push(...values);
    this.listener?.readable();
  }

  poll(handler: MessageHandler, limit = Number.POSITIVE_INFINITY): number {
    this.limits.push(limit);
    let count = 0;
    while (count < limit && this.queue.length > 0) {
      const value = this.queue.shift() ?? 0;
      this.scratch[0] = value;
      const message: Message = { topic: 't', data: this.scratch, seq: value, publisherId: this.publisherId, transport: 'shm', lost: 0 };
      count++;
      handler(message);
    }
    return count;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function attached(feed: MessageFeed, id = 'p'): Promise<FakeSubscription> {
  const fake = new FakeSubscription(id);
  await feed.attach((listener) => {
    fake.listener = listener;
    return Promise.resolve(fake);
  });
  return fake;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MessageFeed', () => {
  it("calls attach's admit before delivering any message of the subscription, and refuses it when admit says no", async () => {
    const feed = new MessageFeed();
    const events: string[] = [];
    feed.on('message', (message) => events.push(`message ${message.publisherId} ${String(message.seq)}`));
    for (const [id, verdict] of [
      ['yes', true],
      ['no', false],
    ] as const) {
      const fake = new FakeSubscription(id);
      const opened = await feed.attach(
        (listener) => {
          fake.listener = listener;
          fake.push(1, 2); // ready before open resolves, as a fast publisher's messages are
          return Promise.resolve(fake);
        },
        (subscription) => {
          events.push(`admit ${subscription.publisherId}`);
          return verdict;
        },
      );
      expect(opened).toBe(fake);
    }
    await tick();
    expect(events.filter((event) => event.endsWith('yes') || event.startsWith('message yes'))).toEqual([
      'admit yes',
      'message yes 1',
      'message yes 2',
    ]);
    expect(events.filter((event) => event.includes('no'))).toEqual(['admit no']);
    expect(feed.subscriptions.map((subscription) => subscription.publisherId)).toEqual(['yes']);
  });

  it('pushes every message to message listeners, in order, as zero-copy views', async () => {
    const feed = new MessageFeed();
    const fake = await attached(feed);
    const seen: number[] = [];
    const views = new Set<Uint8Array>();
    feed.on('message', (message) => {
      seen.push(message.data[0] ?? -1);
      views.add(message.data);
    });
    fake.push(1, 2, 3);
    await tick();
    fake.push(4);
    await tick();
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(views.size).toBe(1); // the same reused view: no copy
  });

  it('delivers what was already waiting when a listener is added later', async () => {
    const feed = new MessageFeed();
    const fake = await attached(feed);
    fake.push(7, 8);
    await tick();
    const seen: number[] = [];
    feed.on('message', (message) => seen.push(message.seq));
    await tick();
    expect(seen).toEqual([7, 8]);
  });

  it('iterators get owned copies, and only as many messages are polled as are asked for', async () => {
    const feed = new MessageFeed();
    const fake = await attached(feed);
    fake.push(...Array.from({ length: 100 }, (_, index) => index));
    const iterator = feed[Symbol.asyncIterator]();
    const first = (await iterator.next()).value as Message;
    const second = (await iterator.next()).value as Message;
    expect([first.seq, second.seq]).toEqual([0, 1]);
    expect(first.data).not.toBe(second.data);
    expect(first.data[0]).toBe(0); // a copy survives later messages
    // Back-pressure: the rest stays in the subscription, not in a queue of the feed.
    expect(fake.queue.length).toBe(98);
    expect(Math.max(...fake.limits)).toBe(1);
    await iterator.return?.();
  });

  it('merges several subscriptions, keeping each one in order', async () => {
    const feed = new MessageFeed();
    const a = await attached(feed, 'a');
    const b = await attached(feed, 'b');
    const seen: string[] = [];
    feed.on('message', (message) => seen.push(`${message.publisherId}${message.seq}`));
    a.push(1, 2);
    b.push(1);
    a.push(3);
    b.push(2, 3);
    await tick();
    expect(seen.filter((entry) => entry.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(seen.filter((entry) => entry.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
  });

  it('for await ends cleanly when the feed closes', async () => {
    const feed = new MessageFeed();
    const fake = await attached(feed);
    const received: number[] = [];
    const done = (async () => {
      for await (const message of feed) {
        received.push(message.seq);
        if (received.length === 2) {
          setImmediate(() => {
            void feed.close();
          });
        }
      }
    })();
    fake.push(1, 2);
    await done;
    expect(received).toEqual([1, 2]);
    expect(feed.closed).toBe(true);
  });

  it('reports a subscription that ended and stops polling it', async () => {
    const feed = new MessageFeed();
    const fake = await attached(feed);
    const ended: string[] = [];
    feed.on('subscription-ended', (subscription, reason) => ended.push(`${subscription.publisherId}:${reason.code}`));
    fake.listener?.ended(new SeamlessError('ERR_PUBLISHER_GONE', 'gone'));
    expect(ended).toEqual(['p:ERR_PUBLISHER_GONE']);
    expect(feed.subscriptions).toEqual([]);
  });

  it('remembers readable() that fires before attach resolves', async () => {
    const feed = new MessageFeed();
    const fake = new FakeSubscription('early');
    fake.queue.push(5);
    await feed.attach((listener) => {
      listener.readable();
      return Promise.resolve(fake);
    });
    const seen: number[] = [];
    feed.on('message', (message) => seen.push(message.seq));
    await tick();
    expect(seen).toEqual([5]);
  });

  it('lets a listener exception propagate and resumes delivery afterwards', async () => {
    const feed = new MessageFeed();
    const fake = await attached(feed);
    const seen: number[] = [];
    const failures: unknown[] = [];
    const onUncaught = (error: unknown) => failures.push(error);
    process.prependListener('uncaughtException', onUncaught);
    const vitestListeners = process.listeners('uncaughtException').filter((listener) => listener !== onUncaught);
    for (const listener of vitestListeners) process.removeListener('uncaughtException', listener);
    try {
      feed.on('message', (message) => {
        seen.push(message.seq);
        if (message.seq === 2) throw new Error('listener bug');
      });
      fake.push(1, 2, 3);
      await tick();
      await tick();
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      for (const listener of vitestListeners) process.on('uncaughtException', listener);
    }
    expect(failures).toHaveLength(1);
    expect(seen).toEqual([1, 2, 3]);
  });
});
