import type { BenchCase } from './bench-case.js';

/** How many non-matching topics share the registry with the pattern subscriber's. */
export const BENCH_TOPICS_AROUND = 1000;

/**
 * `seamless-shm-spin` with pattern subscribers (`<id>.a.*`) among {@link BENCH_TOPICS_AROUND}
 * advertised topics that share the prefix and do not match: against it, what a pattern costs
 * once attached.
 */
export const seamlessShmPattern: BenchCase = {
  name: 'seamless-shm-pattern',
  title: `Seamless, shared memory, spinning, pattern among ${BENCH_TOPICS_AROUND} topics`,
  measures: ['round-trip', 'throughput'],
  async open(request) {
    const { openSeamlessLink } = await import('../links/seamless-link.js');
    return openSeamlessLink(request, { shm: true, style: 'spin', idle: 'spin', patternAmong: BENCH_TOPICS_AROUND });
  },
  async shutdown() {
    const { closeSeamlessBus } = await import('../links/seamless-link.js');
    await closeSeamlessBus();
  },
};
