import type { BenchCase } from './bench-case.js';

/** The baseline: raw node:net over TCP 127.0.0.1, one `socket.write()` per message. */
export const netTcp: BenchCase = {
  name: 'net-tcp',
  title: 'node:net TCP, one write per message',
  measures: ['round-trip', 'throughput', 'fan-out'],
  async open(request) {
    const { openNetLink } = await import('../links/net-link.js');
    return openNetLink(request, { transport: 'tcp', batched: false });
  },
};
