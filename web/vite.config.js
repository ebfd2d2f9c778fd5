// Vite config of the quantlab page. Root is web/; the page imports the npm
// package as `quantlab`, resolved to the locally built dist/ (see
// scripts/build.mjs). The Emscripten glue in dist/ contains
// `new URL('quantlab_core.wasm', import.meta.url)`, so Vite emits the .wasm as
// a hashed asset.
//
// The bundled models and sample data (models/*.onnx, models/models.json,
// models/data/*.npy) are served at /models/ by the dev server and copied to
// build/web/models/ by the build (plugin `bundledModels` below).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url));

// Cross-origin isolation: SharedArrayBuffer (threads) and 5 µs timers.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const MODELS_DIR = here('../models');
/** Files of models/ the page may fetch, relative to models/. */
const MODEL_FILE = /^(models\.json|[\w.-]+\.onnx|data\/[\w.-]+\.npy)$/;

/** The servable files of models/ (relative paths), as they are now. */
function modelFiles() {
  if (!existsSync(MODELS_DIR)) return [];
  const top = readdirSync(MODELS_DIR).filter((f) => MODEL_FILE.test(f));
  const dataDir = path.join(MODELS_DIR, 'data');
  const data = existsSync(dataDir) ? readdirSync(dataDir).map((f) => `data/${f}`).filter((f) => MODEL_FILE.test(f)) : [];
  return [...top, ...data].filter((f) => statSync(path.join(MODELS_DIR, f)).isFile());
}

/** Serves models/ at /models/ (dev) and emits it into the build (models/...). */
function bundledModels() {
  return {
    name: 'quantlab-bundled-models',
    configureServer(server) {
      server.middlewares.use('/models/', (req, res, next) => {
        const relative = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\/+/, '');
        if (!MODEL_FILE.test(relative) || !existsSync(path.join(MODELS_DIR, relative))) return next();
        const body = readFileSync(path.join(MODELS_DIR, relative));
        res.setHeader('Content-Type', relative.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        res.setHeader('Content-Length', String(body.length));
        res.setHeader('Cache-Control', 'no-cache');
        for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
        res.end(body);
      });
    },
    generateBundle() {
      for (const file of modelFiles()) {
        this.emitFile({ type: 'asset', fileName: `models/${file}`, source: readFileSync(path.join(MODELS_DIR, file)) });
      }
    },
  };
}

export default defineConfig({
  root: here('.'),
  plugins: [bundledModels()],
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
