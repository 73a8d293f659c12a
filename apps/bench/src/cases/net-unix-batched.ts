import type { BenchCase } from './bench-case.js';

/** Raw node:net over a Unix domain socket with batching (64 KiB slabs); streaming and fan-out. */
export const netUnixBatched: BenchCase = {
  name: 'net-unix-batched',
  title: 'node:net Unix socket, batched writes',
  measures: ['throughput', 'fan-out'],
  async open(request) {
    const { openNetLink } = await import('../links/net-link.js');
    return openNetLink(request, { transport: 'unix', batched: true });
  },
};
