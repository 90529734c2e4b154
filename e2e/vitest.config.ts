import { defineProject } from 'vitest/config';

// End-to-end: real servers on free ports and real Chromium, so generous timeouts
// and one file at a time (two cores).
export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.spec.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
