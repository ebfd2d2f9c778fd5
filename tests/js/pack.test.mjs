// The packed npm package works when installed into an empty project, in Node 20,
// and its TypeScript declarations type-check a consumer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('npm pack → install into an empty project → import { init } from "quantlab" works', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'quantlab-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], ROOT))[0];
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, ['README.md', 'dist/quantlab.d.ts', 'dist/quantlab.js', 'dist/quantlab_core.js', 'dist/quantlab_core.wasm', 'package.json']);

  const app = join(work, 'app');
  sh('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], app);
  assert.ok(existsSync(join(app, 'node_modules/quantlab/dist/quantlab_core.wasm')));

  writeFileSync(
    join(app, 'main.mjs'),
    `import { init } from 'quantlab';
const ql = await init();
const b = ql.floatBits(85.125, 'fp32');
let message = '';
try { ql.floatBits('abc'); } catch (e) { message = e.message; }
console.log(JSON.stringify({ bits: b.bits, version: ql.version, message, again: ql.floatBits(0.5, 'fp16').hex }));
`,
  );
  const out = JSON.parse(sh(process.execPath, ['main.mjs'], app));
  assert.deepEqual(out, {
    bits: '01000010101010100100000000000000',
    version: JSON.parse(sh('node', ['-p', 'JSON.stringify(require("./package.json").version)'], ROOT)),
    message: "'abc' is not a number",
    again: '0x3800',
  });

  // The declarations describe the API well enough for a strict TypeScript consumer.
  writeFileSync(
    join(app, 'check.ts'),
    `import { init, type FloatBits, type FormatInfo } from 'quantlab';
const ql = await init({ locateFile: (p) => p });
const b: FloatBits = ql.floatBits(1.5, 'fp8_e4m3', { saturate: false });
const cls: 'zero' | 'subnormal' | 'normal' | 'infinity' | 'nan' | 'integer' = b.class;
const info: FormatInfo = ql.formatInfo('int8');
const n: number = info.max_finite + ql.memoryInUse();
// @ts-expect-error unknown format names are rejected by the types
ql.floatBits(1, 'fp64');
export { cls, n };
`,
  );
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  sh(process.execPath, [tsc, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'check.ts'], app);
});
