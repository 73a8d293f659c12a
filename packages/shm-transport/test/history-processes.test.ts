import { fileURLToPath } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryPolicy, Message } from '@seamless/transport';
import { Child, advertisementOf, killChildren } from '@seamless/test-support';
import { checkPayload } from '@seamless/test-support/payload';
import { createShmTransport } from '../src/index.js';
import { openSegment } from '../src/os/native.js';
import { HeaderWord } from '../src/ring/header-words.js';
import { readSequence } from '../src/ring/record-descriptor.js';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import type { ShmEndpoint } from '../src/shm-endpoint.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const uid = process.getuid?.() ?? 0;
const MAX_MESSAGE_SIZE = 200;
const HISTORY = 16;
const SEED = 9;

interface Round {
  first: number;
  received: number;
  lost: number;
  errors: string[];
}

// A child that sends as fast as the ring allows, without end, until told to close. A small
// ring (4 KiB plus the retained messages: 8 KiB) laps every few dozen messages, so that joins
// race the writer over and over.
async function startWriter(policy: DeliveryPolicy) {
  const publisherId = `w-join-${policy}`;
  const child = Child.start(`${fixtures}ring-writer.mjs`, [
    JSON.stringify({
      topic: 'history.join',
      publisherId,
      policy,
      maxMessageSize: MAX_MESSAGE_SIZE,
      capacity: 4096,
      history: HISTORY,
      count: 1e12,
      seed: SEED,
      drained: false,
      yieldEvery: 256,
      abortEvery: 0,
      loan: false,
    }),
  ]);
  const ready = await child.next<{ endpoints: { readonly shm: ShmEndpoint }; capacity: number }>((message) => message['type'] === 'ready');
  const advertisement = advertisementOf({
    topic: 'history.join',
    publisherId,
    policy,
    maxMessageSize: MAX_MESSAGE_SIZE,
    endpoints: ready.endpoints,
  });
  return { child, advertisement, segment: ready.endpoints.shm.segment, capacity: ready.capacity };
}

describe.each(['reliable', 'latest'] as const)('joining a %s publisher in another process while it keeps sending', (policy) => {
  afterEach(async () => {
    await killChildren();
  });

  it('every joiner, here and in other processes, sees a contiguous run of intact messages, starting no later than the oldest retained at its join', async () => {
    const writer = await startWriter(policy);
    expect(writer.capacity).toBe(8192);
    writer.child.send('go');
    // Readers in three other processes, each joining 25 times...
    const children = [0, 1, 2].map(() =>
      Child.start(`${fixtures}join-reader.mjs`, [
        JSON.stringify({
          advertisement: writer.advertisement,
          maxMessageSize: MAX_MESSAGE_SIZE,
          seed: SEED,
          rounds: 25,
          count: 400,
          history: true,
        }),
      ]),
    );
    // ...and four here, joining 10 times each, which also look at the segment right after
    // every join: the oldest record retained then is at or after where they start.
    const mapped = openSegment(writer.segment, uid, 0, segmentBytesFor(D.maxCapacity));
    const words = new Int32Array(mapped.buffer ?? new ArrayBuffer(0));
    const shm = createShmTransport();
    const here = async (): Promise<Round[]> => {
      const rounds: Round[] = [];
      for (let round = 0; round < 10; round++) {
        const state: Round & { next: number; oldestAtJoin: number } = {
          first: -1,
          received: 0,
          lost: 0,
          errors: [],
          next: -1,
          oldestAtJoin: -1,
        };
        const subscription = await shm.openSubscription(
          writer.advertisement,
          { idle: 'spin' },
          { readable: () => undefined, ended: () => undefined },
        );
        // Reliable: our slot keeps everything from our start on, so this record is intact.
        const historyStart = Atomics.load(words, HeaderWord.HistoryStart) >>> 0;
        if (policy === 'reliable') state.oldestAtJoin = readSequence(words, historyStart & (writer.capacity - 1));
        const handler = (message: Message) => {
          if (state.first === -1) state.first = message.seq;
          // Latest: a joiner lapped before its first read counts its loss from the oldest record
          // retained at its join, on its first message.
          const gap = state.next === -1 ? message.lost : message.seq - state.next;
          if ((policy === 'latest' ? gap < 0 || gap !== message.lost : gap !== 0) && state.errors.length < 10) {
            state.errors.push(`got ${message.seq} (lost ${message.lost}) after ${state.next - 1}`);
          }
          const problem = checkPayload(message.data, message.seq, MAX_MESSAGE_SIZE, SEED);
          if (problem !== undefined && state.errors.length < 10) state.errors.push(problem);
          state.next = message.seq + 1;
          state.received++;
          state.lost += message.lost;
        };
        while (state.received < 400 && state.errors.length === 0) {
          if (subscription.poll(handler, 400 - state.received) === 0) await nextTurn();
        }
        await subscription.close();
        if (policy === 'reliable' && state.first > state.oldestAtJoin)
          state.errors.push(`started at ${state.first}, after ${state.oldestAtJoin}`);
        rounds.push(state);
        await nextTurn();
      }
      return rounds;
    };
    const local = await Promise.all([here(), here(), here(), here()]);
    const remote = await Promise.all(
      children.map(async (child) => (await child.next<{ rounds: Round[] }>((message) => message['type'] === 'result', 120_000)).rounds),
    );
    await shm.close();
    mapped.close();
    writer.child.send('close');
    await writer.child.next((message) => message['type'] === 'closed');
    const all = [...local, ...remote].flat();
    expect(all).toHaveLength(4 * 10 + 3 * 25);
    for (const round of all) {
      expect(round.errors).toEqual([]);
      expect(round.received).toBe(400);
      if (policy === 'reliable') expect(round.lost).toBe(0);
    }
    // The writer really was moving: the joins started at many different places.
    expect(new Set(all.map((round) => round.first)).size).toBeGreaterThan(all.length / 2);
  }, 180_000);
});
