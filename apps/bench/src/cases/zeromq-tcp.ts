import type { BenchCase } from './bench-case.js';

/** zeromq.js over `tcp://127.0.0.1`. */
export const zeromqTcp: BenchCase = {
  name: 'zeromq-tcp',
  title: 'zeromq.js tcp://',
  measures: ['round-trip', 'throughput', 'fan-out'],
  async open(request) {
    const { openZeromqLink } = await import('../links/zeromq-link.js');
    return openZeromqLink(request, 'tcp');
  },
};
