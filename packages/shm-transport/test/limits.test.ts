import { readdirSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import type { SeamlessError } from '@seamless/transport';
import type { ShmTransport } from '../src/index.js';
import { createShmTransport } from '../src/index.js';
import { advertisementOf } from '@seamless/test-support';

const transports: ShmTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

const segments = () => readdirSync('/dev/shm').filter((name) => name.includes('pubopt'));

it('refuses a publisher id the segment cannot hold (over 64 characters, or outside A-Z a-z 0-9 _ -) with ERR_INVALID_ARGUMENT, creating nothing', async () => {
  const shm = createShmTransport({ namePrefix: 'pubopt' });
  transports.push(shm);
  for (const publisherId of ['p'.repeat(65), 'p'.repeat(200), 'has space', '', 7]) {
    await expect(
      shm.openPublication({ topic: 'md.AAPL', publisherId: publisherId as string, policy: 'reliable', maxMessageSize: 64 }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('publisherId must be 1 to 64 characters') as unknown,
    });
  }
  expect(segments()).toEqual([]);
  // The longest valid id is stored whole.
  const publication = await shm.openPublication({ topic: 'md.AAPL', publisherId: 'p'.repeat(64), policy: 'reliable', maxMessageSize: 64 });
  expect(publication.publisherId).toBe('p'.repeat(64));
  await publication.close();
});

it.each(['reliable', 'latest'] as const)(
  "a %s message over the subscriber's own maxMessageSize is ERR_MESSAGE_TOO_LARGE, as over TCP, and ends the subscription; smaller ones before it arrive",
  async (policy) => {
    const shm = createShmTransport({ namePrefix: 'pubopt' });
    transports.push(shm);
    const publication = await shm.openPublication({ topic: 'limits', publisherId: `big-${policy}`, policy, maxMessageSize: 1024 });
    let endedWith: (reason: SeamlessError | undefined) => void = () => undefined;
    const ended = new Promise<SeamlessError | undefined>((resolve) => (endedWith = resolve));
    const subscription = await shm.openSubscription(
      advertisementOf(publication),
      { maxMessageSize: 100 },
      {
        readable: () => undefined,
        ended: (reason) => {
          endedWith(reason);
        },
      },
    );
    expect(publication.send(new Uint8Array(100).fill(1), 0)).toBe(true);
    expect(publication.send(new Uint8Array(500).fill(2), 0)).toBe(true);
    const sizes: number[] = [];
    let error: unknown;
    try {
      for (let polls = 0; polls < 10; polls++) subscription.poll((message) => sizes.push(message.data.byteLength));
    } catch (thrown) {
      error = thrown;
    }
    expect(sizes).toEqual([100]);
    expect(error).toMatchObject({
      code: 'ERR_MESSAGE_TOO_LARGE',
      message: expect.stringContaining("exceeds this subscription's maxMessageSize 100") as unknown,
    });
    expect((await ended)?.code).toBe('ERR_MESSAGE_TOO_LARGE');
  },
);
