import { defineProject } from 'vitest/config';

// Consumer tests: pack the published packages once (globalSetup), install them
// into fresh apps outside the repository and run them as a user would. npm
// installs, a native addon build and real Chromium make them slow, so the
// timeouts are long; the apps share one npm cache and two cores, so files run
// one at a time.
export default defineProject({
  test: {
    name: 'consumer',
    include: ['*.test.ts'],
    exclude: ['node_modules/**', 'fixtures/**'],
    globalSetup: ['./lib/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
