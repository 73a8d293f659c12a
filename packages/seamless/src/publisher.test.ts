import { describe, expect, it } from 'vitest';
import { errorOf } from '@seamless/test-support';
import type { DeliveryPolicy, Publication, SubscriberInfo } from '@seamless/transport';
import { PublicationEvents } from './publication-events.js';
import { Publisher } from './publisher.js';

// The publisher alone, over scripted publications: one sequence for all transports, all or
// nothing under back-pressure, and which publications a message may skip.

class FakePublication implements Publication {
  readonly topic = 't';
  readonly publisherId = 'p1';
  readonly maxMessageSize = 16;
  readonly endpoint = {};
  readonly sent: [number, string][] = [];
  room = Number.POSITIVE_INFINITY;
  subscriberCount = 0;
  closed = false;
  readonly #waiters: (() => void)[] = [];

  constructor(
    readonly kind: string,
    readonly exactSubscriberCount: boolean,
    readonly policy: DeliveryPolicy = 'reliable',
    readonly history = 0,
  ) {}

  canSend(): boolean {
    return this.policy === 'latest' || this.room > 0;
  }

  send(data: Uint8Array, sequence: number): boolean {
    if (!this.canSend()) return false;
    this.room--;
    this.sent.push([sequence, new TextDecoder().decode(data)]);
    return true;
  }

  makeRoom(count: number): void {
    this.room += count;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  drained(): Promise<void> {
    if (this.canSend()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function publisherOver(publications: FakePublication[], policy: DeliveryPolicy = 'reliable', events = new PublicationEvents()) {
  const lease = { revoked: 0 };
  const publisher = new Publisher({
    topic: 't',
    publisherId: 'p1',
    policy,
    maxMessageSize: 16,
    history: 0,
    publications,
    lease: {
      advertisement: undefined as never,
      revoke: () => {
        lease.revoked++;
        return Promise.resolve();
      },
    },
    events,
    onClose: () => undefined,
  });
  return {
    publisher,
    lease,
    countChanged: () => {
      events.subscribersChanged();
    },
  };
}

describe('Publisher', () => {
  it('numbers every message once, alike on every publication', () => {
    const ring = new FakePublication('ring', false);
    const stream = new FakePublication('stream', true);
    stream.subscriberCount = 1;
    const { publisher } = publisherOver([ring, stream]);
    expect(publisher.transports).toEqual(['ring', 'stream']);
    for (const word of ['a', 'b', 'c']) expect(publisher.send(word)).toBe(true);
    expect(ring.sent).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(stream.sent).toEqual(ring.sent);
    expect(publisher.nextSequence).toBe(3);
  });

  it('sends nothing to anyone when one reliable publication has no room, and goes on after drained()', async () => {
    const ring = new FakePublication('ring', false);
    const stream = new FakePublication('stream', true);
    stream.subscriberCount = 1;
    stream.room = 1;
    const { publisher } = publisherOver([ring, stream]);
    expect(publisher.send('a')).toBe(true);
    expect(publisher.send('b')).toBe(false);
    expect(ring.sent).toEqual([[0, 'a']]); // not sent to the ring either
    const drained = publisher.drained();
    stream.makeRoom(1);
    await drained;
    expect(publisher.send('b')).toBe(true);
    expect(ring.sent).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
    expect(stream.sent).toEqual(ring.sent);
  });

  it('skips a publication that counts subscribers exactly and has none, never one that cannot count them', () => {
    const ring = new FakePublication('ring', false);
    const stream = new FakePublication('stream', true);
    stream.room = 0; // would refuse, were it asked
    const { publisher } = publisherOver([ring, stream]);
    expect(publisher.send('a')).toBe(true);
    expect(ring.sent).toEqual([[0, 'a']]);
    expect(stream.sent).toEqual([]);
    stream.subscriberCount = 1;
    expect(publisher.send('b')).toBe(false); // now it counts, and it has no room
  });

  it('never skips a publication that keeps history: the next joiner is owed what it sends now', () => {
    const ring = new FakePublication('ring', false);
    const stream = new FakePublication('stream', true, 'reliable', 10);
    const { publisher } = publisherOver([ring, stream]);
    expect(publisher.send('a')).toBe(true);
    expect(stream.sent).toEqual([[0, 'a']]);
    stream.room = 0;
    expect(publisher.send('b')).toBe(false); // all or nothing still holds
    expect(ring.sent).toEqual([[0, 'a']]);
  });

  it('emits subscriber-added and -removed from every publication, those reported before it existed first', () => {
    const events = new PublicationEvents();
    const shm: SubscriberInfo = { transport: 'ring', id: 'r1', pid: 7 };
    const tcp: SubscriberInfo = { transport: 'stream', id: 's1', hostname: 'far' };
    events.subscriberAdded(shm);
    const { publisher } = publisherOver([new FakePublication('ring', false)], 'reliable', events);
    const seen: string[] = [];
    publisher.on('subscriber-added', (info) => seen.push(`+${info.transport}:${info.id}`));
    publisher.on('subscriber-removed', (info) => seen.push(`-${info.transport}:${info.id}`));
    expect(seen).toEqual([]); // delivered on connect, before anyone could listen: gone
    events.subscriberAdded(tcp);
    events.subscriberRemoved(shm);
    expect(seen).toEqual(['+stream:s1', '-ring:r1']);
  });

  it('keeps an exception of an event listener away from the transport that reported', async () => {
    const events = new PublicationEvents();
    const { publisher } = publisherOver([new FakePublication('ring', false)], 'reliable', events);
    publisher.on('subscriber-added', () => {
      throw new Error('listener bug');
    });
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    expect(() => {
      events.subscriberAdded({ transport: 'ring', id: 'r1' });
    }).not.toThrow();
    expect(await uncaught).toMatchObject({ message: 'listener bug' });
  });

  it("under 'latest' never holds back", () => {
    const ring = new FakePublication('ring', false, 'latest');
    ring.room = 0;
    const { publisher } = publisherOver([ring], 'latest');
    expect(publisher.send('a')).toBe(true);
    expect(ring.sent).toEqual([[0, 'a']]);
  });

  it('refuses what no publication may carry, and sends nothing', () => {
    const ring = new FakePublication('ring', false);
    const { publisher } = publisherOver([ring]);
    expect(errorOf(() => publisher.send(new Uint8Array(17)))).toMatchObject({ code: 'ERR_MESSAGE_TOO_LARGE' });
    expect(errorOf(() => publisher.send(7 as never))).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: 'publisher "t" can send a Uint8Array or a string, not 7',
    });
    expect(ring.sent).toEqual([]);
    expect(publisher.nextSequence).toBe(0);
  });

  it('waitForSubscribers resolves on the count over all publications, and gives up on timeout, abort or close', async () => {
    const ring = new FakePublication('ring', false);
    const stream = new FakePublication('stream', true);
    const { publisher, countChanged } = publisherOver([ring, stream]);
    const two = publisher.waitForSubscribers(2);
    ring.subscriberCount = 1;
    countChanged();
    stream.subscriberCount = 1;
    countChanged();
    await two;
    await expect(publisher.waitForSubscribers(3, { timeoutMs: 1 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    const controller = new AbortController();
    const aborted = publisher.waitForSubscribers(3, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await expect(publisher.waitForSubscribers(-1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const closed = publisher.waitForSubscribers(3);
    await publisher.close();
    await expect(closed).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('close() revokes the advertisement and closes every publication, once', async () => {
    const ring = new FakePublication('ring', false);
    const stream = new FakePublication('stream', true);
    const { publisher, lease } = publisherOver([ring, stream]);
    await publisher.close();
    await publisher.close();
    expect(lease.revoked).toBe(1);
    expect([ring.closed, stream.closed]).toEqual([true, true]);
    expect(errorOf(() => publisher.send('late'))).toMatchObject({ code: 'ERR_CLOSED' });
    await expect(publisher.drained()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});
