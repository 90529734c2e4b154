import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'browser', environment: 'happy-dom', include: ['src/**/*.test.ts'] },
});
