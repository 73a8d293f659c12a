import type { BenchCase } from './bench-case.js';

/** zeromq.js over `ipc://` (a Unix domain socket). */
export const zeromqIpc: BenchCase = {
  name: 'zeromq-ipc',
  title: 'zeromq.js ipc://',
  measures: ['round-trip', 'throughput', 'fan-out'],
  async open(request) {
    const { openZeromqLink } = await import('../links/zeromq-link.js');
    return openZeromqLink(request, 'ipc');
  },
};
