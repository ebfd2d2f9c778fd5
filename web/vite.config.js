// Vite config of the quantlab page. Root is web/; the page imports the npm
// package as `quantlab`, resolved to the locally built dist/ (see
// scripts/build.mjs). The Emscripten glue in dist/ contains
// `new URL('quantlab_core.wasm', import.meta.url)`, so Vite emits the .wasm as
// a hashed asset.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));

// Cross-origin isolation: SharedArrayBuffer (threads) and 5 µs timers.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here('.'),
  resolve: {
    alias: {
      quantlab: here('../dist/quantlab.js'),
    },
  },
  build: {
    outDir: here('../build/web'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    headers: isolationHeaders,
  },
  preview: {
    headers: isolationHeaders,
  },
});
