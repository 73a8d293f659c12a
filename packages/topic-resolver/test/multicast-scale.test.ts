import { afterEach, describe, expect, it } from 'vitest';
import { MulticastResolver } from '../src/multicast/multicast-resolver.js';
import type { MulticastResolverOptions } from '../src/multicast/multicast-resolver-options.js';
import { makeAdvertisement, waitUntil, watchTopics } from './support/advertisements.js';
import { Agent } from './support/agent.js';

// Two processes on the loopback interface, each test on its own random group and port: one
// advertises thousands of topics, this one watches every topic.
const loopback = '127.0.0.1';
const resolvers: MulticastResolver[] = [];

afterEach(async () => {
  await Agent.killAll();
  await Promise.all(resolvers.splice(0).map((resolver) => resolver.close()));
});

function randomGroup(): { group: string; port: number } {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return { group: `239.255.${byte()}.${byte()}`, port: 20_000 + Math.floor(Math.random() * 10_000) };
}

async function scale(
  count: number,
  subscriberOptions: MulticastResolverOptions,
  blockMs = 0,
): Promise<{ discoveryMs: number; subscriber: MulticastResolver; usage: Record<string, unknown> }> {
  const network = randomGroup();
  const publisher = new Agent({
    kind: 'multicast',
    options: { ...network, interfaces: [loopback] },
    advertiseMany: { template: makeAdvertisement({ topic: 'scale' }), count },
    stdin: true,
  });
  await publisher.waitForEvent('advertised', undefined, 120_000);
  const subscriber = new MulticastResolver({ ...network, interfaces: [loopback], ...subscriberOptions });
  resolvers.push(subscriber);
  const started = performance.now();
  const controller = new AbortController();
  const view = watchTopics(subscriber, 'scale', count, controller.signal);
  if (blockMs > 0) {
    // A receiver busy elsewhere while the answers to its query arrive: its socket buffer overflows.
    await waitUntil(() => subscriber.stats.sent > 0, 30_000, 'the start-up query');
    const until = performance.now() + blockMs;
    while (performance.now() < until) {
      // busy
    }
  }
  const deadline = setTimeout(() => {
    controller.abort();
  }, 60_000);
  await Promise.race([view.found, Promise.all(view.watches)]);
  clearTimeout(deadline);
  const discoveryMs = performance.now() - started;
  expect(view.added.size).toBe(count);
  // Stay up past several leases (3.5 s), renewed by heartbeats only.
  const before = { cpu: process.cpuUsage(), received: subscriber.stats.received };
  await new Promise((resolve) => setTimeout(resolve, 8000));
  const cpu = process.cpuUsage(before.cpu);
  publisher.send({ command: 'usage' });
  const usage = await publisher.waitForEvent('usage');
  expect(view.removed).toEqual([]);
  expect(subscriber.stats).toMatchObject({ expired: 0, invalid: 0, dropped: 0 });
  console.log(
    `MulticastResolver, ${count} advertisements: discovered in ${(discoveryMs / 1000).toFixed(2)} s ` +
      `(${subscriber.stats.repairs} repair queries, the publisher ran ${JSON.stringify((usage.stats as { rounds?: number } | undefined)?.rounds)} rounds); ` +
      `at rest the subscriber received ${((subscriber.stats.received - before.received) / 8).toFixed(1)} datagrams/s and spent ${((cpu.user + cpu.system) / 1000 / 8).toFixed(1)} ms CPU/s`,
  );
  controller.abort();
  await Promise.all(view.watches);
  publisher.send({ command: 'close' });
  await publisher.waitForEvent('closed', undefined, 60_000);
  return { discoveryMs, subscriber, usage: usage as unknown as Record<string, unknown> };
}

describe('MulticastResolver at scale', () => {
  it('ten thousand advertisements of one process: all found by a watcher of every topic, none expiring or flapping', async () => {
    await scale(10_000, {});
  }, 180_000);

  it('converges through repairs when the receiver was too busy to read a burst (its socket buffer overflowed)', async () => {
    // The usual Linux default receive buffer (208 KiB: net.core.rmem_max often allows no more);
    // this machine allows 4 MiB, which would hold the whole burst.
    const { subscriber } = await scale(5000, { receiveBufferBytes: 106_496 }, 1000);
    expect(subscriber.stats.repairs).toBeGreaterThan(0);
  }, 180_000);
});
