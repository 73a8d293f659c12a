import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Advertisement } from '@seamless/transport';
import { Child, killChildren } from '@seamless/test-support';
import { openSegment } from '../src/os/native.js';
import { RingDescriptor as D, segmentBytesFor } from '../src/ring/ring-descriptor.js';
import type { ShmEndpoint } from '../src/shm-endpoint.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const uid = process.getuid?.() ?? 0;

interface Report {
  received: number;
  oversized: number;
  ended: string[];
  thrown: string[];
  reports: number;
}

// xorshift32: reproducible scribbling; the seed is in the test name.
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const regions = {
  header: [0, D.readerSlotsOffset],
  'reader table': [D.readerSlotsOffset, D.ringOffset],
  ring: [D.ringOffset, D.ringOffset + (1 << 15)],
  'whole segment': [0, D.ringOffset + (1 << 15)],
} as const;

describe('hostile memory', () => {
  afterEach(async () => {
    await killChildren();
  });

  it.each(Object.entries(regions).map(([name, range], index) => [name, range, 0x5eed + index] as const))(
    'scribbling random bytes over the %s of a live segment (case %#) never crashes or hangs the reader',
    async (_, [from, to], seed) => {
      const writer = Child.start(`${fixtures}ring-writer.mjs`, [
        JSON.stringify({
          topic: 'hostile',
          publisherId: `w-hostile-${seed}`,
          policy: 'latest',
          maxMessageSize: 512,
          capacity: 1 << 15,
          count: 1e12,
          seed: 1,
          drained: false,
          yieldEvery: 1000,
        }),
      ]);
      const ready = await writer.next<{ endpoints: { readonly shm: ShmEndpoint } }>((message) => message['type'] === 'ready');
      const advertisement: Advertisement = {
        version: 1,
        topic: 'hostile',
        publisherId: `w-hostile-${seed}`,
        policy: 'latest',
        maxMessageSize: 512,
        host: { bootId: 'b', ipcNamespace: 'i', netNamespace: 'n', hostname: 'h' },
        addresses: [],
        endpoints: ready.endpoints,
      };
      const reader = Child.start(`${fixtures}hostile-reader.mjs`, [JSON.stringify({ advertisement, maxMessageSize: 512 })]);
      await reader.next((message) => message['type'] === 'attached');
      writer.send('go');
      const segment = openSegment(ready.endpoints.shm.segment, uid, 0, segmentBytesFor(D.maxCapacity));
      const bytes = new Uint8Array(segment.buffer ?? new ArrayBuffer(0));
      const next = random(seed);
      const deadline = performance.now() + 1500;
      let writes = 0;
      let reports = 0;
      while (performance.now() < deadline) {
        for (let burst = 0; burst < 20; burst++) {
          const offset = from + (next() % (to - from));
          bytes[offset] = next() & 255;
          writes++;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (writes % 4000 === 0) {
          // Still answering while under attack?
          reader.send('report');
          await reader.next((message) => message['type'] === 'report', 10_000);
          reports++;
        }
      }
      segment.close();
      reader.send('report');
      const report = await reader.next<Report>((message) => message['type'] === 'report', 10_000);
      expect(report.thrown).toEqual([]);
      expect(report.oversized).toBe(0);
      for (const code of report.ended) expect(['ERR_PROTOCOL', 'ERR_PUBLISHER_GONE']).toContain(code);
      expect(report.reports).toBe(reports + 1);
      console.log(
        `${writes} random bytes written; the reader got ${report.received} messages and ended with ${JSON.stringify(report.ended)}`,
      );
      // The scribbled header no longer proves who owns the segment, so no reclaim would ever
      // remove it: the writer must close it (it unlinks by the name it keeps to itself).
      writer.send('close');
      await writer.next((message) => message['type'] === 'closed', 10_000);
      expect(existsSync(`/dev/shm${ready.endpoints.shm.segment}`)).toBe(false);
    },
    30_000,
  );
});
