import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'browser',
    environment: 'happy-dom',
    // The script injects uwt.js: happy-dom must not fetch it (tests never touch the network).
    environmentOptions: {
      happyDOM: {
        settings: { disableJavaScriptFileLoading: true, handleDisabledFileLoadingAsSuccess: true },
      },
    },
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
  },
});
