// Assembles the npm package's files in dist/ from the wasm build and wasm/js.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './run.mjs';

export function assemblePackage() {
  const dist = join(ROOT, 'dist');
  mkdirSync(dist, { recursive: true });
  for (const f of ['quantlab_core.js', 'quantlab_core.wasm']) {
    copyFileSync(join(ROOT, 'build/wasm/package', f), join(dist, f));
  }
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const loader = readFileSync(join(ROOT, 'wasm/js/quantlab.js'), 'utf8').replace('__QUANTLAB_VERSION__', version);
  writeFileSync(join(dist, 'quantlab.js'), loader);
  copyFileSync(join(ROOT, 'wasm/js/quantlab.d.ts'), join(dist, 'quantlab.d.ts'));
  console.log(`quantlab: package ${version} assembled in dist/`);
}
