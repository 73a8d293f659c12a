import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@seamless/shm-transport',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
  resolve: { conditions: ['@seamless/source'] },
  ssr: { resolve: { conditions: ['@seamless/source'] } },
});
