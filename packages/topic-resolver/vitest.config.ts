import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@seamless/topic-resolver',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Guards against hangs only (child processes on a shared 2-vCPU machine); no test asserts on time.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
  resolve: { conditions: ['@seamless/source'] },
  ssr: { resolve: { conditions: ['@seamless/source'] } },
});
