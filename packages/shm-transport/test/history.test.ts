import { existsSync, readdirSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryPolicy, Message, SubscriptionListener } from '@seamless/transport';
import { advertisementOf } from '@seamless/test-support';
import { createShmTransport } from '../src/index.js';
import type { ShmPublication, ShmTransport } from '../src/index.js';
import { openSegment } from '../src/os/native.js';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import { payload } from './ring-on-buffer.js';

const transports: ShmTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

const namePrefix = 'seamlesshist';
function transport(options: Parameters<typeof createShmTransport>[0] = {}): ShmTransport {
  const created = createShmTransport({ namePrefix, ...options });
  transports.push(created);
  return created;
}

let publishers = 0;
function publish(shm: ShmTransport, policy: DeliveryPolicy, history: number, maxMessageSize = 64): Promise<ShmPublication> {
  publishers++;
  return shm.openPublication({ topic: 'history.test', publisherId: `h${publishers}`, policy, maxMessageSize, history });
}

const quiet: SubscriptionListener = { readable: () => undefined, ended: () => undefined };
const sequences = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
const size = (sequence: number) => sequence % 65;

function collect(): { seqs: number[]; lost: number; handler: (message: Message) => void } {
  const got = {
    seqs: [] as number[],
    lost: 0,
    handler: (message: Message) => {
      expect(message.data).toEqual(payload(message.seq, size(message.seq)));
      got.seqs.push(message.seq);
      got.lost += message.lost;
    },
  };
  return got;
}

describe.each(['reliable', 'latest'] as const)('history over shared memory (%s)', (policy) => {
  it('history 10 after 100 sent: a late subscriber gets 90..99, intact and in order, then the live stream', async () => {
    const shm = transport();
    const publication = await publish(shm, policy, 10);
    expect(publication.history).toBe(10);
    for (let sequence = 0; sequence < 100; sequence++) expect(publication.send(payload(sequence, size(sequence)), sequence)).toBe(true);
    const subscription = await shm.openSubscription(advertisementOf(publication), {}, quiet);
    const got = collect();
    expect(subscription.poll(got.handler)).toBe(10);
    expect(got.seqs).toEqual(sequences(90, 100));
    for (let sequence = 100; sequence < 120; sequence++) publication.send(payload(sequence, size(sequence)), sequence);
    subscription.poll(got.handler);
    expect(got.seqs).toEqual(sequences(90, 120));
    expect(subscription.lost).toBe(0);
  });

  it('history: false: the live stream only', async () => {
    const shm = transport();
    const publication = await publish(shm, policy, 10);
    for (let sequence = 0; sequence < 100; sequence++) publication.send(payload(sequence, size(sequence)), sequence);
    const subscription = await shm.openSubscription(advertisementOf(publication), { history: false }, quiet);
    const got = collect();
    expect(subscription.poll(got.handler)).toBe(0);
    publication.send(payload(100, size(100)), 100);
    subscription.poll(got.handler);
    expect(got.seqs).toEqual([100]);
  });

  it('a publisher that keeps sending (a setImmediate loop) while subscribers join: each gets a contiguous run from the oldest retained at its join, intact, to the end', async () => {
    const shm = transport({ capacity: 4096 });
    const publication = await publish(shm, policy, 10);
    const total = 4000;
    let sent = 0;
    const writer = (async () => {
      while (sent < total) {
        for (let burst = 0; burst < 37 && sent < total; burst++) {
          if (!publication.send(payload(sent, size(sent)), sent)) break;
          sent++;
        }
        await nextTurn();
      }
    })();
    const readers: { from: number; got: ReturnType<typeof collect>; done: Promise<void> }[] = [];
    for (let joiner = 0; joiner < 6; joiner++) {
      for (let turns = 0; turns < 3 + joiner * 5; turns++) await nextTurn();
      const got = collect();
      let finish: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finish = resolve));
      // The join happens inside openSubscription, synchronously: `sent` is what was sent before it.
      const from = Math.max(0, sent - 10);
      const subscription = await shm.openSubscription(
        advertisementOf(publication),
        { idle: 'spin' },
        {
          readable: () => {
            while (subscription.poll(got.handler) > 0);
            if (got.seqs.at(-1) === total - 1) finish();
          },
          ended: () => undefined,
        },
      );
      readers.push({ from, got, done });
    }
    await writer;
    await Promise.all(readers.map((reader) => reader.done));
    for (const { from, got } of readers) {
      expect(got.seqs[0]).toBe(from);
      // Latest: a lap would show as a jump with its loss counted; nothing went missing uncounted.
      expect(got.seqs.length + got.lost).toBe(total - from);
      for (let index = 1; index < got.seqs.length; index++) expect(got.seqs[index]).toBeGreaterThan(got.seqs[index - 1] ?? -1);
      if (policy === 'reliable') expect(got.seqs).toEqual(sequences(from, total));
    }
  });
});

describe('history over shared memory', () => {
  it("latest with history 1: a late subscriber's readable() fires at once and poll() returns the current value", async () => {
    const shm = transport();
    const publication = await publish(shm, 'latest', 1);
    for (let sequence = 0; sequence < 50; sequence++) publication.send(payload(sequence, size(sequence)), sequence);
    let readable: () => void = () => undefined;
    const fired = new Promise<void>((resolve) => (readable = resolve));
    const subscription = await shm.openSubscription(advertisementOf(publication), { idle: 'park' }, { readable, ended: () => undefined });
    await fired; // nothing was sent after the subscription attached
    const got = collect();
    expect(subscription.poll(got.handler)).toBe(1);
    expect(got.seqs).toEqual([49]);
  });

  it('sizes the ring for the retained messages: the ring without history plus history + 1 records, a power of two', async () => {
    const shm = transport();
    const none = await publish(shm, 'reliable', 0, 1024);
    const ten = await publish(shm, 'reliable', 10, 1024);
    const thousand = await publish(shm, 'latest', 1000, 1024);
    expect([none.capacity, ten.capacity, thousand.capacity]).toEqual([1 << 16, 1 << 17, 1 << 21]);
    expect([none.history, ten.history, thousand.history]).toEqual([0, 10, 1000]);
    const segment = (publication: ShmPublication) => `/dev/shm${publication.segmentName}`;
    expect(existsSync(segment(thousand))).toBe(true);
  });

  it('refuses a history the segment cannot hold with ERR_INVALID_ARGUMENT naming history × maxMessageSize, creating nothing', async () => {
    const shm = transport();
    const before = readdirSync('/dev/shm').filter((name) => name.startsWith(`${namePrefix}-`)).length;
    await expect(publish(shm, 'reliable', 65_536, 65_536)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/history 65536 × maxMessageSize 65536 needs a ring of 8\.0 GiB .* beyond the 1\.0 GiB/) as unknown,
      details: { option: 'history' },
    });
    for (const history of [-1, 1.5, 65_537, '10']) {
      await expect(publish(shm, 'reliable', history as number)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    expect(readdirSync('/dev/shm').filter((name) => name.startsWith(`${namePrefix}-`)).length).toBe(before);
  });

  it('refuses a segment of another layout version with ERR_PROTOCOL', async () => {
    const shm = transport();
    const publication = await publish(shm, 'reliable', 4);
    const mapped = openSegment(publication.segmentName, process.getuid?.() ?? 0, 0, segmentBytesFor(D.maxCapacity));
    const view = new DataView(mapped.buffer ?? new ArrayBuffer(0));
    view.setUint32(D.layoutVersionOffset, D.layoutVersion - 1, true);
    await expect(shm.openSubscription(advertisementOf(publication), {}, quiet)).rejects.toMatchObject({
      code: 'ERR_PROTOCOL',
      message: expect.stringContaining(`layout version ${D.layoutVersion - 1}, this build reads ${D.layoutVersion}`) as unknown,
    });
    expect(D.layoutVersion).toBe(3);
    mapped.close();
  });
});
