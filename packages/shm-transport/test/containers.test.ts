import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { advertisementOf, Child, containerSkipReason, containerWrapper, killChildren } from '@seamless/test-support';
import { parseShmEndpoint } from '../src/shm-endpoint.js';
import type { ShmEndpoint } from '../src/shm-endpoint.js';

// "Containers" as Docker makes them with --ipc=host or a /dev/shm volume: processes in PID
// namespaces of their own (their pids mean nothing to the others), sharing /dev/shm.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const skipReason = containerSkipReason();
if (skipReason !== undefined) console.log(`skipping the shared-memory container tests: ${skipReason}`);

interface ReaderResult {
  received: number;
  next: number;
  gone: string | false;
  errors: string[];
}

const isResult = (message: Record<string, unknown>) => message['type'] === 'result';
const leftovers = (presence: string) => readdirSync('/dev/shm').filter((name) => name.includes(presence));

async function startWriter(
  config: { topic: string; publisherId: string; maxMessageSize: number } & Record<string, unknown>,
  wrapper?: string[],
) {
  const child = Child.start(
    `${fixtures}ring-writer.mjs`,
    [JSON.stringify({ policy: 'reliable', abortEvery: 0, loan: false, seed: 1, ...config })],
    wrapper === undefined ? {} : { wrapper },
  );
  const ready = await child.next<{ endpoints: { readonly shm: ShmEndpoint }; presence: string; pid: number }>(
    (message) => message['type'] === 'ready',
  );
  return { child, advertisement: advertisementOf({ ...config, endpoints: ready.endpoints }), presence: ready.presence, pid: ready.pid };
}

async function startReader(config: Record<string, unknown>, wrapper?: string[]) {
  const child = Child.start(
    `${fixtures}park-reader.mjs`,
    [JSON.stringify({ seed: 1, ...config })],
    wrapper === undefined ? {} : { wrapper },
  );
  const attached = await child.next<{ presence: string }>((message) => message['type'] === 'attached');
  return { child, presence: attached.presence };
}

async function eventually(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(skipReason !== undefined)('shared memory between PID namespaces (containers sharing /dev/shm)', () => {
  afterEach(async () => {
    await killChildren();
  });

  it('kill -9 of a stuck reader in another PID namespace: the reliable writer recovers within 3 s and the fast reader gets everything, in order', async () => {
    const config = {
      topic: 'container.reader',
      publisherId: 'w-container-reader',
      maxMessageSize: 256,
      capacity: 1 << 14,
      count: 50_000,
      drained: true,
    };
    const writer = await startWriter(config);
    const common = { advertisement: writer.advertisement, maxMessageSize: config.maxMessageSize };
    const fast = await startReader(common);
    const stuck = await startReader({ ...common, stopAfter: 1000 }, containerWrapper({ pid: true }));
    writer.child.send('go');
    await stuck.child.next((message) => message['type'] === 'stopped');
    // The ring fills behind the stuck reader; the writer waits for room.
    const killedAt = performance.now();
    await stuck.child.kill('SIGKILL');
    const done = await writer.child.next<{ sent: number; backPressured: number }>((message) => message['type'] === 'done', 60_000);
    const recoveredMs = performance.now() - killedAt;
    console.log(`the writer finished ${recoveredMs.toFixed(0)} ms after the kill of the reader in another PID namespace`);
    expect(done.backPressured).toBeGreaterThan(0);
    expect(done.sent).toBe(config.count);
    expect(recoveredMs).toBeLessThan(3000);
    writer.child.send('close');
    const result = await fast.child.next<ReaderResult>(isResult, 30_000);
    expect(result.errors).toEqual([]);
    expect(result.received).toBe(config.count);
    expect(result.next).toBe(config.count);
    // The writer removed what the dead reader left in /dev/shm (its doorbell and presence).
    await eventually(() => leftovers(stuck.presence).length === 0);
  }, 90_000);

  it('kill -9 of a writer in another PID namespace: the reader is told within about a second and removes its segment', async () => {
    const config = {
      topic: 'container.writer',
      publisherId: 'w-container-writer',
      maxMessageSize: 1024,
      capacity: 1 << 16,
      count: 1_000_000_000,
      progressEvery: 1000,
      drained: true,
    };
    const writer = await startWriter(config, containerWrapper({ pid: true }));
    expect(writer.pid).toBe(1);
    const segment = parseShmEndpoint(writer.advertisement.endpoints['shm']).segment;
    const reader = await startReader({ advertisement: writer.advertisement, maxMessageSize: config.maxMessageSize });
    writer.child.send('go');
    await writer.child.next((message) => message['type'] === 'progress', 60_000);
    const killedAt = performance.now();
    await writer.child.kill('SIGKILL');
    const result = await reader.child.next<ReaderResult>(isResult, 30_000);
    const noticedMs = performance.now() - killedAt;
    console.log(`the reader learnt of the death of the writer in another PID namespace after ${noticedMs.toFixed(0)} ms`);
    expect(result.gone).toBe('ERR_PUBLISHER_GONE');
    expect(result.errors).toEqual([]);
    expect(result.received).toBe(result.next);
    expect(noticedMs).toBeLessThan(3000);
    await eventually(() => leftovers(writer.presence).length === 0);
    expect(existsSync(`/dev/shm${segment}`)).toBe(false);
  }, 90_000);
});
