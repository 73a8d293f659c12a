import type { BenchCase } from './bench-case.js';

/** The history its publishers keep: what a late joiner would be handed first. */
export const BENCH_HISTORY = 100;

/**
 * `seamless-shm-spin` with publishers that keep their last {@link BENCH_HISTORY} messages for
 * late joiners (`history`): against it, what history costs on the send path.
 */
export const seamlessShmHistory: BenchCase = {
  name: 'seamless-shm-history',
  title: `Seamless, shared memory, spinning, history ${BENCH_HISTORY}`,
  measures: ['round-trip', 'throughput'],
  async open(request) {
    const { openSeamlessLink } = await import('../links/seamless-link.js');
    return openSeamlessLink(request, { shm: true, style: 'spin', idle: 'spin', history: BENCH_HISTORY });
  },
  async shutdown() {
    const { closeSeamlessBus } = await import('../links/seamless-link.js');
    await closeSeamlessBus();
  },
};
