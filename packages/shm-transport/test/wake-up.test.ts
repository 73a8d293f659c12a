import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ownPresence } from '@seamless/local-addrs';
import type { Message, SubscriptionListener } from '@seamless/transport';
import { doorbellStatistics } from '../src/os/doorbell.js';
import { createShmTransport, ShmSubscriber } from '../src/index.js';
import type { ShmTransport } from '../src/index.js';
import { advertisementOf } from '@seamless/test-support';

const transports: ShmTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

function transport(options: Parameters<typeof createShmTransport>[0] = {}): ShmTransport {
  const created = createShmTransport(options);
  transports.push(created);
  return created;
}

let publisherNumber = 0;
async function publicationOn(shm: ShmTransport, options: Partial<{ policy: 'reliable' | 'latest'; maxMessageSize: number }> = {}) {
  publisherNumber++;
  return shm.openPublication({
    topic: 'wake.test',
    publisherId: `p${publisherNumber}`,
    policy: options.policy ?? 'reliable',
    maxMessageSize: options.maxMessageSize ?? 64,
  });
}

function readableCounter(): SubscriptionListener & { readables: number; next: () => Promise<void> } {
  const waiters: (() => void)[] = [];
  const listener = {
    readables: 0,
    readable() {
      listener.readables++;
      for (const wake of waiters.splice(0)) wake();
    },
    ended() {
      return undefined;
    },
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
  return listener;
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe('parking and wake-ups', () => {
  it('a parked subscription is woken by the next commit; while it is not parked, sending makes no system call', async () => {
    const shm = transport({ livenessIntervalMs: 60_000 });
    const publication = await publicationOn(shm);
    const listener = readableCounter();
    const subscription = await shm.openSubscription(advertisementOf(publication), { idle: 'park' }, listener);
    // Parked (nothing to read): one send rings the doorbell once.
    let rings = doorbellStatistics.rings;
    const woken = listener.next();
    expect(publication.send(bytes(1), 0)).toBe(true);
    expect(doorbellStatistics.rings - rings).toBe(1);
    await woken;
    // Awake and not polling: further sends ring nobody.
    rings = doorbellStatistics.rings;
    for (let sequence = 1; sequence < 1000; sequence++) publication.send(bytes(sequence & 255), sequence);
    expect(doorbellStatistics.rings - rings).toBe(0);
    const seen: number[] = [];
    expect(subscription.poll((message: Message) => seen.push(message.seq))).toBe(1000);
    expect(seen[999]).toBe(999);
    // Polling until nothing is left parks it again: the next send wakes it once more.
    expect(subscription.poll(() => undefined)).toBe(0);
    const again = listener.next();
    rings = doorbellStatistics.rings;
    publication.send(bytes(0), 1000);
    await again;
    expect(doorbellStatistics.rings - rings).toBe(1);
  });

  it('one doorbell serves every subscription of the process; only the ready ones are reported', async () => {
    const shm = transport({ livenessIntervalMs: 60_000 });
    const first = await publicationOn(shm);
    const second = await publicationOn(shm);
    const a = readableCounter();
    const b = readableCounter();
    await shm.openSubscription(advertisementOf(first), {}, a);
    await shm.openSubscription(advertisementOf(second), {}, b);
    expect(readdirSync('/dev/shm').filter((name) => name.includes(`-bell-${ownPresence()?.token ?? 'none'}-`))).toHaveLength(1);
    const woken = a.next();
    first.send(bytes(1), 0);
    await woken;
    await new Promise((resolve) => setImmediate(resolve));
    expect([a.readables, b.readables]).toEqual([1, 0]);
  });

  it("'spin' and { spinMicros } deliver too; a bad idle strategy is refused", async () => {
    const shm = transport();
    const publication = await publicationOn(shm);
    for (const idle of ['spin', { spinMicros: 200 }] as const) {
      const listener = readableCounter();
      const subscription = await shm.openSubscription(advertisementOf(publication), { idle }, listener);
      const woken = listener.next();
      publication.send(bytes(1), 0);
      await woken;
      expect(subscription.poll(() => undefined)).toBe(1);
      await subscription.close();
    }
    await expect(shm.openSubscription(advertisementOf(publication), { idle: { spinMicros: -1 } }, readableCounter())).rejects.toMatchObject(
      { code: 'ERR_INVALID_ARGUMENT' },
    );
  });

  it('drained() is woken by the reader that frees room (no timer: the liveness interval is a minute)', async () => {
    const shm = transport({ capacity: 4096, livenessIntervalMs: 60_000 });
    const publication = await publicationOn(shm, { maxMessageSize: 500 });
    const subscription = await shm.openSubscription(advertisementOf(publication), {}, readableCounter());
    let sequence = 0;
    while (publication.send(new Uint8Array(500), sequence)) sequence++;
    expect(publication.canSend(500)).toBe(false);
    let drained = false;
    const waiting = publication.drained(500).then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    setTimeout(() => subscription.poll(() => undefined, 2), 5);
    await waiting;
    expect(publication.send(new Uint8Array(500), sequence)).toBe(true);
  });

  it('drained() honours an AbortSignal', async () => {
    const shm = transport({ capacity: 4096, livenessIntervalMs: 60_000 });
    const publication = await publicationOn(shm, { maxMessageSize: 500 });
    await shm.openSubscription(advertisementOf(publication), {}, readableCounter());
    for (let sequence = 0; publication.send(new Uint8Array(500), sequence); sequence++);
    const controller = new AbortController();
    const waiting = publication.drained(500, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('reports subscribers joining and leaving (woken by the doorbell, not a timer)', async () => {
    const shm = transport({ livenessIntervalMs: 60_000 });
    const counts: number[] = [];
    let changed: () => void = () => undefined;
    const publication = await shm.openPublication(
      { topic: 'wake.count', publisherId: 'counted', policy: 'reliable', maxMessageSize: 16 },
      {
        subscribersChanged: (count) => {
          counts.push(count);
          changed();
        },
      },
    );
    const next = () => new Promise<void>((resolve) => (changed = resolve));
    let wait = next();
    const one = await shm.openSubscription(advertisementOf(publication), {}, readableCounter());
    await wait;
    wait = next();
    const two = await shm.openSubscription(advertisementOf(publication), {}, readableCounter());
    await wait;
    expect(publication.subscriberCount).toBe(2);
    wait = next();
    await one.close();
    await wait;
    wait = next();
    await two.close();
    await wait;
    expect(counts).toEqual([1, 2, 1, 0]);
  });
});

describe('ShmSubscriber: message events and async iteration', () => {
  it('emits message events with zero-copy views and iterates owned copies', async () => {
    const shm = transport();
    const publication = await publicationOn(shm);
    const subscriber = await ShmSubscriber.open(shm, advertisementOf(publication));
    const events: number[] = [];
    subscriber.on('message', (message) => events.push(message.data[0] ?? -1));
    const iterated: Message[] = [];
    const loop = (async () => {
      for await (const message of subscriber) {
        iterated.push(message);
        if (iterated.length === 3) break;
      }
    })();
    for (let sequence = 0; sequence < 3; sequence++) publication.send(bytes(10 + sequence), sequence);
    await loop;
    expect(iterated.map((message) => [message.seq, message.data[0]])).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    expect(events).toEqual([10, 11, 12]);
    await subscriber.close();
  });

  it('closing ends the iteration cleanly, and the publisher going away ends it with a reason', async () => {
    const shm = transport();
    const publication = await publicationOn(shm);
    const subscriber = await ShmSubscriber.open(shm, advertisementOf(publication));
    const reasons: string[] = [];
    subscriber.on('subscription-ended', (_, reason) => reasons.push(reason.code));
    const received: number[] = [];
    const loop = (async () => {
      for await (const message of subscriber) received.push(message.seq);
      return 'ended';
    })();
    publication.send(bytes(1), 0);
    publication.send(bytes(2), 1);
    await publication.close();
    await expect(loop).resolves.toBe('ended');
    expect(received).toEqual([0, 1]); // everything committed before the close arrives first
    expect(reasons).toEqual(['ERR_PUBLISHER_GONE']);
  });
});

describe('resources', () => {
  function count(directory: string): number {
    return readdirSync(directory).length;
  }
  function shmMappings(): number {
    return readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((line) => line.includes('/dev/shm/seamless-')).length;
  }
  function openShmFiles(): number {
    return readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith('/dev/shm/');
      } catch {
        return false;
      }
    }).length;
  }

  it('1000 open/close cycles leak no file descriptors, mappings, threads or segments', async () => {
    const shm = transport();
    // Warm up once so lazily created process-wide things (the doorbell) exist before counting.
    const warm = await publicationOn(shm);
    await warm.close();
    // Other test files run at the same time: count only what belongs to this process.
    const ownDoorbells = () =>
      readdirSync('/dev/shm').filter((name) => name.includes('-bell-') && name.includes(`-${process.pid}-`)).length;
    const before = {
      fds: count('/proc/self/fd'),
      shmFiles: openShmFiles(),
      maps: shmMappings(),
      threads: count('/proc/self/task'),
      doorbells: ownDoorbells(),
    };
    const segments: string[] = [];
    for (let cycle = 0; cycle < 1000; cycle++) {
      const publication = await publicationOn(shm);
      segments.push(publication.segmentName);
      const subscription = await shm.openSubscription(
        advertisementOf(publication),
        { idle: cycle % 2 === 0 ? 'park' : 'spin' },
        readableCounter(),
      );
      publication.send(bytes(cycle & 255), 0);
      subscription.poll(() => undefined);
      await subscription.close();
      await publication.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    const after = {
      fds: count('/proc/self/fd'),
      shmFiles: openShmFiles(),
      maps: shmMappings(),
      threads: count('/proc/self/task'),
      doorbells: ownDoorbells(),
    };
    expect(after).toEqual(before);
    expect(segments.filter((name) => existsSync(`/dev/shm${name}`))).toEqual([]);
  }, 60_000);
});
