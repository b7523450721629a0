import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons are safest in child processes (the default "forks" pool).
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
