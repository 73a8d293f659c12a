import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Child, createTwoHosts, killChildren, namespaceSkipReason } from '@seamless/test-support';
import type { TwoHosts } from '@seamless/test-support';

// Ten thousand topics between two processes with the default options: the host registry and
// multicast discovery both on, shared memory and TCP both open. The processes run in a network
// namespace of their own, so multicast stays inside it. SEAMLESS_SCALE_TOPICS=1000,5000,10000
// measures several sizes (the figures of the shm-transport README).
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sizes = (process.env['SEAMLESS_SCALE_TOPICS'] ?? '10000').split(',').map(Number);
const skipReason = namespaceSkipReason() ?? shmSkipReason(Math.max(...sizes));
if (skipReason !== undefined) console.log(`skipping the ten-thousand-topic test: ${skipReason}`);

/** Each default publication's segment takes ~268 KiB of /dev/shm; the test wants all of them there. */
function shmSkipReason(topics: number): string | undefined {
  const needed = topics * 300 * 1024;
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    const free = bavail * bsize;
    return free < needed ? `/dev/shm has ${mib(free)} free, ${topics} publications need about ${mib(needed)}` : undefined;
  } catch (error) {
    return `/dev/shm cannot be read (${(error as Error).message})`;
  }
}
/** Long enough for several leases (host registry 5 s, multicast 3.5 s) to run out if renewal failed. */
const stableWindowMs = 12_000;

interface Resources {
  rss: number;
  fds: number;
  shmUsed: number | null;
  cpu: { user: number; system: number };
  removed: number;
  removals: unknown[];
  discovered: number;
}

describe.skipIf(skipReason !== undefined)('ten thousand topics between two processes, default options', () => {
  let hosts: TwoHosts;
  let directory: string;

  beforeAll(() => {
    hosts = createTwoHosts();
    directory = mkdtempSync(join(tmpdir(), 'seamless-scale-'));
  });

  afterAll(async () => {
    await killChildren();
    hosts.remove();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(sizes)(
    '%i topics: created, all discovered, every message delivered, no lease expires while the owners live',
    async (topics) => {
      const inA = ['ip', 'netns', 'exec', hosts.a.namespace];
      // A private registry directory keeps the test apart from other Seamless processes of this
      // user; everything else is the default.
      const config = { topics, prefix: `scale.${topics}`, bus: { hostResolver: { directory } }, messages: 2, size: 64 };
      const publisher = Child.start(`${fixtures}topics-publisher.mjs`, [JSON.stringify(config)], { wrapper: inA });
      const ready = await publisher.next<{ createdMs: number; transports: { shm: number; tcpOnly: number } }>(
        (message) => message['type'] === 'ready',
        300_000,
      );
      expect(ready.transports).toEqual({ shm: topics, tcpOnly: 0 });
      const started = performance.now();
      const subscriber = Child.start(`${fixtures}topics-subscriber.mjs`, [JSON.stringify(config)], { wrapper: inA });
      const discovered = await subscriber.next<{ ms: number; transports: { shm: number; tcp: number } }>(
        (message) => message['type'] === 'discovered',
        300_000,
      );
      const discoveryMs = performance.now() - started;
      expect(discovered.transports.shm).toBe(topics);
      publisher.send('go');
      const result = await subscriber.next<{ received: number; errors: string[] }>((message) => message['type'] === 'result', 300_000);
      expect(result.errors).toEqual([]);
      expect(result.received).toBe(topics * config.messages);

      // Stay up: over several lease periods nothing is removed on either side.
      await new Promise((resolve) => setTimeout(resolve, stableWindowMs));
      subscriber.send('report');
      publisher.send('report');
      const [subscriberSide, publisherSide] = await Promise.all([
        subscriber.next<Resources>((message) => message['type'] === 'resources', 60_000),
        publisher.next<Resources>((message) => message['type'] === 'resources', 60_000),
      ]);
      console.log(
        `${topics} topics: created in ${(ready.createdMs / 1000).toFixed(1)} s; all discovered ${(discoveryMs / 1000).toFixed(1)} s after the subscriber started; ` +
          `RSS publisher ${mib(publisherSide.rss)}, subscriber ${mib(subscriberSide.rss)}; ` +
          `/dev/shm ${publisherSide.shmUsed === null ? '?' : mib(publisherSide.shmUsed)}; ` +
          `fds publisher ${publisherSide.fds}, subscriber ${subscriberSide.fds}; ` +
          `CPU publisher ${((publisherSide.cpu.user + publisherSide.cpu.system) / 1e6).toFixed(1)} s, subscriber ${((subscriberSide.cpu.user + subscriberSide.cpu.system) / 1e6).toFixed(1)} s`,
      );
      expect(subscriberSide.removals).toEqual([]);
      expect(subscriberSide.discovered).toBe(topics);
      expect(subscriberSide.rss).toBeLessThan(1.5 * 2 ** 30);
      expect(publisherSide.rss).toBeLessThan(1.5 * 2 ** 30);

      for (const child of [subscriber, publisher]) {
        child.send('close');
        await child.next((message) => message['type'] === 'closed', 120_000);
        expect(await child.exited).toEqual({ code: 0, signal: null });
      }
    },
    900_000,
  );
});
