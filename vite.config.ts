import { defineConfig } from 'vitest/config';

// One test run for the whole repository: `npm test` runs every project below.
// Unit projects are fast and hermetic; `e2e` starts real servers and Chromium.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      // The Postgres store's tests: a real PostgreSQL started for the run.
      'packages/server/vitest.postgres.config.ts',
      'demo-site',
      'e2e',
      'consumer',
      'bench',
    ],
  },
});
