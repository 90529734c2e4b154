import { defineConfig } from 'vite';

// Placeholder library build; the browser issue replaces it with the real IIFE + ES build.
export default defineConfig({
  build: {
    lib: { entry: 'src/contract.ts', formats: ['es'], fileName: 'twclid' },
  },
});
