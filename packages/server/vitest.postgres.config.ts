import { defineProject } from 'vitest/config';

// The Postgres store's tests, against a real PostgreSQL that the global setup
// starts (Debian's `postgresql` package; see the root README) and removes.
export default defineProject({
  test: {
    name: 'server-postgres',
    include: ['src/postgres/**/*.test.ts', 'test/postgres/**/*.test.ts'],
    globalSetup: ['test/postgres/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
