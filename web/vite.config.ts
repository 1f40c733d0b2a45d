// The hub's web app: built into web/dist, which `migstat serve` serves at / (src/http/static.ts). Everything it
// loads comes from the hub itself: no CDN, no web fonts, so it works on a machine without internet.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `<file>.br` beside each script and stylesheet of the build, compressed at Brotli's best quality once here
 * rather than by the hub on every start (half a second of CPU for the chart library alone): the hub sends it to a
 * browser that accepts br, 15 % fewer bytes than gzip on a slow link.
 */
function brotli(): Plugin {
  return {
    name: 'migstat-brotli',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(?:js|css|svg)$/.test(fileName)) continue;
        const path = join(options.dir!, fileName);
        const body = readFileSync(path);
        if (body.length <= 512) continue;
        const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length };
        writeFileSync(`${path}.br`, brotliCompressSync(body, { params }));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact(), brotli()],
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
