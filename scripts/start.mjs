// npm start: install what is missing, build the package and serve the page.
import { ensureDeps } from './lib/deps.mjs';
import { cmakeBuild } from './lib/cmake.mjs';
import { assemblePackage } from './lib/package.mjs';
import { run, fail } from './lib/run.mjs';

const HOST = '127.0.0.1';
const PORT = 5173;

try {
  ensureDeps(['build']);
  cmakeBuild('wasm', ['quantlab_core_wasm']);
  assemblePackage();
  cmakeBuild('native', ['quantlab']);
} catch (e) {
  fail(e.message);
}
console.log(`\nquantlab: serving the page at http://${HOST}:${PORT}/  (Ctrl+C stops it)\n`);
run('node_modules/.bin/vite', ['--config', 'web/vite.config.js', '--host', HOST, '--port', String(PORT), '--strictPort'], {
  allowFailure: true,
});
