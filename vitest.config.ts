import { defineConfig } from 'vitest/config';

// Unit and server-integration tests. Browser tests (test/e2e) run under Playwright.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Needs PostgreSQL: runs under vitest.cluster.config.ts when PANELROOM_CLUSTER=1 (scripts/test.mjs).
    exclude: ['**/node_modules/**', 'test/integration/store-postgres.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The safety net (issue 15): every flush rebuilds each audience's view from scratch and compares
    // (server/realtime/socket.ts, view-memo.ts); a difference throws in the server under test.
    env: { PANELROOM_CHECK_VIEWS: '1' },
  },
});
