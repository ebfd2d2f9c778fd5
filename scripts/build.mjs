// node scripts/build.mjs [native|sanitize|wasm|package|web|all]...
// Builds the named parts (default: package and web, what the page needs).
import { ensureDeps } from './lib/deps.mjs';
import { cmakeBuild } from './lib/cmake.mjs';
import { assemblePackage } from './lib/package.mjs';
import { run, fail } from './lib/run.mjs';

const STEPS = {
  native: () => cmakeBuild('native'),
  sanitize: () => cmakeBuild('sanitize'),
  wasm: () => cmakeBuild('wasm'),
  package: () => {
    cmakeBuild('wasm', ['quantlab_core_wasm']);
    assemblePackage();
  },
  web: () => run('node_modules/.bin/vite', ['build', '--config', 'web/vite.config.js', '--logLevel', 'warn']),
};

const wanted = process.argv.slice(2);
const parts = wanted.length === 0 ? ['package', 'web'] : wanted.includes('all') ? ['native', 'sanitize', 'wasm', 'package', 'web'] : wanted;
for (const p of parts) if (!STEPS[p]) fail(`unknown build part '${p}' (expected ${Object.keys(STEPS).join(', ')}, all)`);
try {
  ensureDeps(['build']);
  for (const p of parts) STEPS[p]();
} catch (e) {
  fail(e.message);
}
