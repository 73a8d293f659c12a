import type { BenchCase } from './bench-case.js';

/**
 * Seamless over shared memory with the defaults: `message` events, a subscriber that parks in
 * its event loop and is woken through its doorbell (idle `'park'`).
 */
export const seamlessShmPark: BenchCase = {
  name: 'seamless-shm-park',
  title: "Seamless, shared memory, default 'park'",
  measures: ['round-trip', 'throughput', 'fan-out'],
  async open(request) {
    const { openSeamlessLink } = await import('../links/seamless-link.js');
    return openSeamlessLink(request, { shm: true, style: 'event', idle: 'park' });
  },
  async shutdown() {
    const { closeSeamlessBus } = await import('../links/seamless-link.js');
    await closeSeamlessBus();
  },
};
