import { configDefaults, defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The Postgres store's tests need a real server: vitest.postgres.config.ts.
    exclude: [...configDefaults.exclude, 'src/postgres/**', 'test/postgres/**'],
  },
});
