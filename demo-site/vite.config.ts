import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const entry = (file: string) => fileURLToPath(new URL(`src/client/${file}`, import.meta.url));

// The demo's browser assets: one stylesheet and a small ES module per page.
// Names are stable (no hashes) because the Hono server renders the tags itself.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/assets',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        styles: entry('styles.css'),
        lead: entry('lead.ts'),
        club: entry('club.ts'),
        dashboard: entry('dashboard.ts'),
      },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: '[name].js',
        assetFileNames: '[name][extname]',
      },
    },
  },
});
