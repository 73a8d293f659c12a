import type { BenchCase } from './bench-case.js';

/** Seamless forced onto TCP (`createSeamless({ shm: false })` on both sides), `message` events. */
export const seamlessTcp: BenchCase = {
  name: 'seamless-tcp',
  title: 'Seamless, TCP (shm: false)',
  measures: ['round-trip', 'throughput', 'fan-out'],
  async open(request) {
    const { openSeamlessLink } = await import('../links/seamless-link.js');
    return openSeamlessLink(request, { shm: false, style: 'event', idle: 'park' });
  },
  async shutdown() {
    const { closeSeamlessBus } = await import('../links/seamless-link.js');
    await closeSeamlessBus();
  },
};
