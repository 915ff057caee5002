import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests share one PostgreSQL server and real ports; files run in parallel, each uses its own schema/port.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
