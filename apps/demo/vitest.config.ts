import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@seamless/demo',
    include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    // The process and browser tests wait for real processes: generous guards against hangs,
    // never a measure of speed.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
  resolve: { conditions: ['@seamless/source'] },
  ssr: { resolve: { conditions: ['@seamless/source'] } },
});
