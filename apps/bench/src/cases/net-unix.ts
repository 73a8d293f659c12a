import type { BenchCase } from './bench-case.js';

/** Raw node:net over a Unix domain socket, one `socket.write()` per message. */
export const netUnix: BenchCase = {
  name: 'net-unix',
  title: 'node:net Unix socket, one write per message',
  measures: ['round-trip', 'throughput', 'fan-out'],
  async open(request) {
    const { openNetLink } = await import('../links/net-link.js');
    return openNetLink(request, { transport: 'unix', batched: false });
  },
};
