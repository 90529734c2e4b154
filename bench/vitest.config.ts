import { defineProject } from 'vitest/config';

// Unit tests of the benchmark harness (statistics, generators, report writer).
// The benchmarks and the reliability suite themselves are programs, not tests.
export default defineProject({
  test: {
    name: 'bench',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.scratch/**'],
  },
});
