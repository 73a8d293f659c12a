import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, SeamlessError, TopicPattern } from '@seamless/transport';
import type { Advertisement, Message, Subscription, SubscriptionListener, Transport, TransportReach } from '@seamless/transport';
import type { Resolver, ResolverEvent } from '@seamless/topic-resolver';
import { advertisementOf } from '@seamless/test-support';
import type { RouteAnswer } from './choose-route.js';
import { Subscriber } from './subscriber.js';
import type { Route, SubscriberOptions } from './subscriber.js';

// The subscriber alone, between a scripted resolver and scripted transports: the fallback from
// one transport to the next and the races between attaching and removal or close().

/** A resolver whose watch reports exactly what the test pushes. */
class ScriptedResolver {
  readonly #queue: ResolverEvent[] = [];
  #wake: (() => void) | undefined;

  push(event: ResolverEvent): void {
    this.#queue.push(event);
    this.#wake?.();
  }

  async *watch(_topic: string, signal?: AbortSignal): AsyncGenerator<ResolverEvent> {
    const aborted = new Promise<void>((resolve) =>
      signal?.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      ),
    );
    for (;;) {
      const event = this.#queue.shift();
      if (event !== undefined) {
        yield event;
        continue;
      }
      if (signal?.aborted === true) return;
      await Promise.race([new Promise<void>((resolve) => (this.#wake = resolve)), aborted]);
    }
  }
}

/** A subscription that hands out what the test queues and records its close. */
class FakeSubscription implements Subscription {
  readonly topic = 't';
  readonly lost = 0;
  closed = false;
  readonly queue: Message[] = [];

  constructor(
    readonly kind: string,
    readonly publisherId: string,
    readonly listener: SubscriptionListener,
  ) {}

  deliver(seq: number): void {
    this.queue.push({ topic: 't', data: new Uint8Array([seq]), seq, publisherId: this.publisherId, transport: this.kind, lost: 0 });
    this.listener.readable();
  }

  poll(handler: (message: Message) => void): number {
    let count = 0;
    for (let message = this.queue.shift(); message !== undefined; message = this.queue.shift()) {
      handler(message);
      count++;
    }
    return count;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A transport whose canReach and openSubscription the test scripts. */
class ScriptedTransport {
  readonly specificationVersion = 'v2' as const;
  reachable = true;
  failWith: SeamlessError | undefined;
  gate: Deferred<void> | undefined;
  readonly opened: FakeSubscription[] = [];
  readonly options: unknown[] = [];
  canReachCalls = 0;

  constructor(
    readonly kind: string,
    readonly reach: TransportReach,
  ) {}

  parseEndpoint(value: unknown): unknown {
    return value;
  }

  openPublication(): never {
    throw new Error('not used');
  }

  canReach(): Promise<boolean> {
    this.canReachCalls++;
    return Promise.resolve(this.reachable);
  }

  async openSubscription(advertisement: Advertisement, options: unknown, listener: SubscriptionListener): Promise<FakeSubscription> {
    this.options.push(options);
    await this.gate?.promise;
    if (this.failWith !== undefined) throw this.failWith;
    const subscription = new FakeSubscription(this.kind, advertisement.publisherId, listener);
    this.opened.push(subscription);
    return subscription;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const subscribers: Subscriber[] = [];
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.close()));
});

const advertisement = (publisherId = 'p1'): Advertisement =>
  advertisementOf({ topic: 't', publisherId, maxMessageSize: 64, endpoints: { near: {}, far: {} } });

// Both candidates, near first, as chooseRoute would rank a host and a network transport.
const bothCandidates = (): RouteAnswer => ({
  candidates: [
    { kind: 'near', reason: 'same host' },
    { kind: 'far', reason: 'same host' },
  ],
  reason: 'same host',
});

function setUp(route: () => RouteAnswer = bothCandidates, pattern = 't', options: SubscriberOptions = {}) {
  const resolver = new ScriptedResolver();
  const near = new ScriptedTransport('near', 'host');
  const far = new ScriptedTransport('far', 'network');
  const subscriber = new Subscriber({
    pattern: TopicPattern.parse(pattern),
    options,
    resolver: resolver as unknown as Resolver,
    transports: new Map<string, Transport>([
      ['near', near],
      ['far', far],
    ]),
    route,
    onClose: () => undefined,
  });
  subscribers.push(subscriber);
  return { resolver, near, far, subscriber };
}

const nextAdded = (subscriber: Subscriber): Promise<Route> => new Promise((resolve) => subscriber.once('publisher-added', resolve));

function nextUnreachable(subscriber: Subscriber): Promise<[string, string, SeamlessError]> {
  return new Promise((resolve) =>
    subscriber.once('publisher-unreachable', (...args) => {
      resolve(args);
    }),
  );
}

// Lets every pending promise and immediate run.
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Subscriber', () => {
  it('attaches over the first candidate whose canReach says yes', async () => {
    const { resolver, near, far, subscriber } = setUp();
    const added = nextAdded(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    expect(await added).toEqual({ topic: 't', publisherId: 'p1', transport: 'near', reason: 'same host' });
    expect(near.opened).toHaveLength(1);
    expect(far.opened).toHaveLength(0);
    expect(subscriber.routes()).toEqual([{ topic: 't', publisherId: 'p1', transport: 'near', reason: 'same host' }]);
  });

  it('falls through when the probe says no, and says so in the route', async () => {
    const { resolver, near, far, subscriber } = setUp();
    near.reachable = false;
    const added = nextAdded(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    const route = await added;
    expect(route.transport).toBe('far');
    expect(route.reason).toBe('same host; near: cannot reach it from here (its probe failed)');
    expect(near.opened).toHaveLength(0);
    // The last candidate is simply tried: its own error would say more than its probe.
    expect(far.canReachCalls).toBe(0);
    expect(far.opened).toHaveLength(1);
  });

  it('holds a transport whose probe throws to its contract: a "no", with the reason, never a crash', async () => {
    const { resolver, near, subscriber } = setUp();
    near.canReach = () => Promise.reject(new Error('probe exploded'));
    const added = nextAdded(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    expect(await added).toMatchObject({ transport: 'far', reason: 'same host; near: its probe failed: probe exploded' });
  });

  it('falls through when attaching fails, carrying the failure into the route', async () => {
    const { resolver, near, subscriber } = setUp();
    near.failWith = new SeamlessError(ErrorCode.ShmUnavailable, 'segment vanished');
    const added = nextAdded(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    const route = await added;
    expect(route).toMatchObject({ transport: 'far', reason: 'same host; near: segment vanished' });
  });

  it("reports 'publisher-unreachable' with the last transport's error as the cause when all fail", async () => {
    const { resolver, near, far, subscriber } = setUp();
    near.failWith = new SeamlessError(ErrorCode.ShmUnavailable, 'segment vanished');
    far.failWith = new SeamlessError(ErrorCode.Protocol, 'speaks another protocol');
    const unreachable = nextUnreachable(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    const [publisherId, reason, error] = await unreachable;
    expect(publisherId).toBe('p1');
    expect(reason).toBe('same host; near: segment vanished; far: speaks another protocol');
    expect(error.code).toBe('ERR_PROTOCOL');
    expect(error.cause).toBe(far.failWith);
    expect(subscriber.routes()).toEqual([]);
  });

  it("reports 'publisher-unreachable' with ERR_CONNECTION when no transport could even try", async () => {
    const { resolver, subscriber } = setUp(() => ({
      candidates: [],
      reason: 'none of its addresses is on this host; no transport here can reach it',
    }));
    const unreachable = nextUnreachable(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    const [, reason, error] = await unreachable;
    expect(reason).toBe('none of its addresses is on this host; no transport here can reach it');
    expect(error.code).toBe('ERR_CONNECTION');
    expect(error.cause).toBeUndefined();
  });

  it('a removal that arrives while attaching cancels it: the opened subscription is closed, nothing is announced', async () => {
    const { resolver, near, subscriber } = setUp();
    near.gate = deferred();
    const events: string[] = [];
    subscriber.on('publisher-added', () => events.push('added'));
    subscriber.on('publisher-unreachable', () => events.push('unreachable'));
    resolver.push({ type: 'added', advertisement: advertisement() });
    await settle();
    resolver.push({ type: 'removed', advertisement: advertisement(), reason: 'revoked' });
    await settle();
    near.gate.resolve();
    await settle();
    await settle();
    expect(near.opened).toHaveLength(1);
    expect(near.opened[0]?.closed).toBe(true);
    expect(events).toEqual([]);
    expect(subscriber.routes()).toEqual([]);
  });

  it('close() while attaching closes what the attachment opens, and announces nothing', async () => {
    const { resolver, near, far, subscriber } = setUp();
    near.gate = deferred();
    const events: string[] = [];
    subscriber.on('publisher-added', () => events.push('added'));
    subscriber.on('publisher-unreachable', () => events.push('unreachable'));
    resolver.push({ type: 'added', advertisement: advertisement() });
    await settle();
    const closing = subscriber.close();
    near.gate.resolve();
    await closing;
    await settle();
    expect(near.opened[0]?.closed).toBe(true);
    expect(far.opened).toHaveLength(0);
    expect(events).toEqual([]);
  });

  it('attaches once when the resolver reports the same publisher twice while attaching', async () => {
    const { resolver, near, subscriber } = setUp();
    near.gate = deferred();
    const added = nextAdded(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    resolver.push({ type: 'added', advertisement: advertisement() });
    await settle();
    near.gate.resolve();
    await added;
    await settle();
    expect(near.opened).toHaveLength(1);
  });

  it("announces 'publisher-added' before that publisher's first message, even one ready at once", async () => {
    const { resolver, near, subscriber } = setUp();
    const order: string[] = [];
    subscriber.on('publisher-added', () => order.push('added'));
    subscriber.on('message', (message) => order.push(`message ${message.seq}`));
    const original = near.openSubscription.bind(near);
    near.openSubscription = async (ad, options, listener) => {
      const subscription = await original(ad, options, listener);
      subscription.deliver(0); // ready before the facade even has it
      return subscription;
    };
    resolver.push({ type: 'added', advertisement: advertisement() });
    await new Promise<void>((resolve) =>
      subscriber.once('message', () => {
        resolve();
      }),
    );
    expect(order).toEqual(['added', 'message 0']);
  });

  it("a subscription that ends on its own is reported once as 'publisher-removed', with its error", async () => {
    const { resolver, near, subscriber } = setUp();
    const added = nextAdded(subscriber);
    resolver.push({ type: 'added', advertisement: advertisement() });
    await added;
    const removals: [Route, string, SeamlessError][] = [];
    const removed = new Promise<[Route, string, SeamlessError]>((resolve) =>
      subscriber.on('publisher-removed', (...args) => {
        removals.push(args);
        resolve(args);
      }),
    );
    const gone = new SeamlessError(ErrorCode.PublisherGone, 'publisher p1 closed its ring');
    near.opened[0]?.listener.ended(gone);
    // The resolver says so too: the same removal, announced once.
    resolver.push({ type: 'removed', advertisement: advertisement(), reason: 'revoked' });
    const [route, reason, error] = await removed;
    await settle();
    expect(removals).toHaveLength(1);
    expect(route.transport).toBe('near');
    expect(reason).toBe('publisher p1 closed its ring');
    expect(error).toBe(gone);
    expect(subscriber.routes()).toEqual([]);
  });

  it('a pattern subscriber attaches to matching publishers only, whatever its resolver reports, with concrete routes', async () => {
    const { resolver, near, subscriber } = setUp(bothCandidates, 'md.*');
    const routes: Route[] = [];
    subscriber.on('publisher-added', (route) => routes.push(route));
    const topics = ['md.AAPL', 'md.us.AAPL', 'mdx.AAPL', 'md', 'md.MSFT'];
    for (const [index, topic] of topics.entries()) {
      resolver.push({
        type: 'added',
        advertisement: advertisementOf({ topic, publisherId: `p${index}`, maxMessageSize: 64, endpoints: { near: {} } }),
      });
    }
    await until(() => routes.length === 2);
    await settle();
    expect(subscriber.topic).toBe('md.*');
    expect(subscriber.isPattern).toBe(true);
    expect(routes.map((route) => route.topic)).toEqual(['md.AAPL', 'md.MSFT']);
    expect(near.opened.map((opened) => opened.publisherId)).toEqual(['p0', 'p4']);
  });

  it('asks each transport for history as the subscriber was told (default: left to the transport)', async () => {
    const live = setUp(bothCandidates, 't', { history: false });
    live.resolver.push({ type: 'added', advertisement: advertisement() });
    await nextAdded(live.subscriber);
    expect(live.near.options).toEqual([{ history: false }]);
    const all = setUp();
    all.resolver.push({ type: 'added', advertisement: advertisement() });
    await nextAdded(all.subscriber);
    expect(all.near.options).toEqual([{}]);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await settle();
}
