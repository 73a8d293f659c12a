import type { BenchCase } from './bench-case.js';

/**
 * Seamless over shared memory, both sides busy-polling `subscriber.poll()` (idle `'spin'`):
 * the lowest latency, a whole vCPU per process. Not in the fan-out: five spinning processes on
 * a two-vCPU machine would measure the scheduler.
 */
export const seamlessShmSpin: BenchCase = {
  name: 'seamless-shm-spin',
  title: 'Seamless, shared memory, spinning on poll()',
  measures: ['round-trip', 'throughput'],
  async open(request) {
    const { openSeamlessLink } = await import('../links/seamless-link.js');
    return openSeamlessLink(request, { shm: true, style: 'spin', idle: 'spin' });
  },
  async shutdown() {
    const { closeSeamlessBus } = await import('../links/seamless-link.js');
    await closeSeamlessBus();
  },
};
