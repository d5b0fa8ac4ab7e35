import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: (process.env.VITEST_POOL as 'threads' | 'forks' | undefined) ?? 'forks',
    testTimeout: 60_000,
  },
});
