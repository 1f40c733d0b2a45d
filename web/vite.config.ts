// The hub's web app: built into web/dist, which `migstat serve` serves at / (src/http/static.ts). Everything it
// loads comes from the hub itself: no CDN, no web fonts, so it works on a machine without internet.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The hub serves these files with a year-long cache (their names carry a content hash).
    assetsDir: 'assets',
    reportCompressedSize: true,
  },
  server: {
    // `npm run web:dev`: Vite's dev server in front of a hub on :4000 (the portal paths too: the data-access page
    // links to them on its own origin).
    proxy: {
      '/graphql': 'http://127.0.0.1:4000',
      '/sdmx': 'http://127.0.0.1:4000',
      '/download': 'http://127.0.0.1:4000',
    },
  },
});
