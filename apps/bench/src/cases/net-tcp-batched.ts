import type { BenchCase } from './bench-case.js';

/**
 * Raw node:net over TCP with hand-written batching (64 KiB slabs). Streaming and fan-out only:
 * with one message in flight, batching has nothing to batch.
 */
export const netTcpBatched: BenchCase = {
  name: 'net-tcp-batched',
  title: 'node:net TCP, batched writes',
  measures: ['throughput', 'fan-out'],
  async open(request) {
    const { openNetLink } = await import('../links/net-link.js');
    return openNetLink(request, { transport: 'tcp', batched: true });
  },
};
