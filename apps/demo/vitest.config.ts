import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@seamless/demo',
    include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
  resolve: { conditions: ['@seamless/source'] },
  ssr: { resolve: { conditions: ['@seamless/source'] } },
});
