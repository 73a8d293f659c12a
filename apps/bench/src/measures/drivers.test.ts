// The measure drivers over in-memory links: what the receivers count must be exactly what was
// sent, whatever the timing; no assertion on times.
import { describe, expect, it, vi } from 'vitest';
import type { AsyncLink, DataHandler, EventLink } from '../links/link.js';
import { Phase, makePayloads } from '../payloads.js';
import { CpuMeter } from './cpu-meter.js';
import { OrderedSender } from './ordered-sender.js';
import type { Plan } from './plan.js';
import { echo, ping } from './round-trip.js';
import { receiveStream, sendStream } from './stream.js';

const plan: Plan = { warmupMs: 5, durationMs: 20, graceMs: 5000 };

// Two event links joined by queues of `capacity` messages each way; delivery on a microtask.
function eventPair(capacity: number): [EventLink, EventLink] {
  const make = (): { queue: Uint8Array[]; handler: DataHandler | undefined; waiters: (() => void)[] } => ({
    queue: [],
    handler: undefined,
    waiters: [],
  });
  const ends = [make(), make()];
  const link = (mine: number): EventLink => {
    const inbox = ends[mine];
    const outbox = ends[1 - mine];
    if (inbox === undefined || outbox === undefined) throw new Error('two ends');
    const deliver = (): void => {
      queueMicrotask(() => {
        for (let next = outbox.queue.shift(); next !== undefined; next = outbox.queue.shift()) outbox.handler?.(next);
        for (const wake of inbox.waiters.splice(0)) wake();
      });
    };
    return {
      style: 'event',
      route: 'memory',
      ready: () => Promise.resolve(),
      close: () => Promise.resolve(),
      send(data) {
        if (outbox.queue.length >= capacity || outbox.handler === undefined) return false;
        outbox.queue.push(data.slice());
        deliver();
        return true;
      },
      drained: () =>
        new Promise<void>((resolve) => {
          inbox.waiters.push(resolve);
          setTimeout(resolve, 1);
        }),
      listen(handler) {
        inbox.handler = handler;
      },
    };
  };
  return [link(0), link(1)];
}

// Two promise-per-operation links (like zeromq.js).
function asyncPair(): [AsyncLink, AsyncLink] {
  const boxes: { queue: Uint8Array[]; waiting: ((data: Uint8Array) => void)[] }[] = [
    { queue: [], waiting: [] },
    { queue: [], waiting: [] },
  ];
  const link = (mine: number): AsyncLink => ({
    style: 'async',
    route: 'memory',
    ready: () => Promise.resolve(),
    close: () => Promise.resolve(),
    send(data) {
      const box = boxes[1 - mine];
      const waiter = box?.waiting.shift();
      if (waiter !== undefined) waiter(data.slice());
      else box?.queue.push(data.slice());
      return Promise.resolve();
    },
    receive() {
      const box = boxes[mine];
      const next = box?.queue.shift();
      if (next !== undefined) return Promise.resolve(next);
      return new Promise((resolve) => box?.waiting.push(resolve));
    },
  });
  return [link(0), link(1)];
}

describe('streaming', () => {
  it('receives exactly the measured messages sent, over an event link with back-pressure', async () => {
    const [sender, receiver] = eventPair(8);
    const received = receiveStream(receiver, 100, plan, new CpuMeter());
    const sent = await sendStream(sender, makePayloads(100), plan, new CpuMeter());
    const outcome = await received;
    expect(sent.messages).toBeGreaterThan(0);
    expect(outcome.messages).toBe(sent.messages);
    expect(outcome.bytes).toBe(sent.messages * 100);
    expect(outcome.wrongSizes).toBe(0);
    expect(outcome.seconds).toBeGreaterThan(0);
  });

  it('receives exactly the measured messages sent, over a promise link', async () => {
    const [sender, receiver] = asyncPair();
    const received = receiveStream(receiver, 64, plan, new CpuMeter());
    const sent = await sendStream(sender, makePayloads(64), plan, new CpuMeter());
    expect((await received).messages).toBe(sent.messages);
  });

  it('counts messages of the wrong size', async () => {
    const [sender, receiver] = asyncPair();
    const received = receiveStream(receiver, 64, plan, new CpuMeter());
    await sender.send(makePayloads(10).measured);
    await sender.send(makePayloads(64).last);
    expect(await received).toMatchObject({ messages: 1, wrongSizes: 1 });
  });
});

describe('round trips', () => {
  it('records one sample per measured round trip, each echoed once', async () => {
    for (const [pinger, echoer] of [eventPair(1), asyncPair()] as const) {
      const echoed = echo(echoer, plan, new CpuMeter());
      const pinged = await ping(pinger, makePayloads(64), plan, new CpuMeter());
      const { roundTrips } = await echoed;
      expect(pinged.roundTrips).toBeGreaterThan(0);
      expect(roundTrips).toBe(pinged.roundTrips);
      expect(pinged.latency.count).toBe(pinged.roundTrips);
    }
  });
});

describe('OrderedSender', () => {
  it('keeps the order of what it had to queue under back-pressure', async () => {
    const [sender, receiver] = eventPair(2);
    const seen: number[] = [];
    receiver.listen((data) => seen.push(data[0] ?? -1));
    const ordered = new OrderedSender(sender, (error) => {
      throw error;
    });
    for (let index = 0; index < 20; index++) ordered.send(new Uint8Array([index]));
    await vi.waitFor(() => {
      expect(seen).toHaveLength(20);
    }, 10_000);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });
});

describe('payloads', () => {
  it('carry their phase in the first byte and never share memory', () => {
    const payloads = makePayloads(3);
    expect([...payloads.warmUp]).toEqual([Phase.warmUp, 1, 2]);
    expect(payloads.measured[0]).toBe(Phase.measured);
    expect(payloads.last[0]).toBe(Phase.last);
    expect(payloads.warmUp.buffer).not.toBe(payloads.measured.buffer);
    expect(() => makePayloads(0)).toThrow(RangeError);
  });
});
