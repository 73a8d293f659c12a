import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@seamless/release-rehearsal',
    include: ['test/**/*.test.ts'],
  },
});
