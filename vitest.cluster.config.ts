import { defineConfig } from 'vitest/config';

// The scale-out tests (issue 9): the PostgreSQL store suite and 3 processes behind nginx with
// PostgreSQL and Redis. `npm test` runs them only with PANELROOM_CLUSTER=1 (.ci/run sets it); then a
// missing service fails the run in the preflight (test/cluster/preflight.ts), it never skips.
export default defineConfig({
  test: {
    include: ['test/integration/store-postgres.test.ts', 'test/cluster/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/cluster/preflight.ts'],
  },
});
