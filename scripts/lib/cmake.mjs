// The three CMake builds of the project: native, native with sanitizers, wasm.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { ROOT, run } from './run.mjs';

// emcc's JS optimizer needs Debian's node modules (TOOLCHAIN.md trap 1).
const EM_ENV = { NODE_PATH: '/usr/share/nodejs' };
const JOBS = String(Math.max(1, cpus().length));

export const BUILDS = {
  native: { dir: 'build/native', args: ['-DCMAKE_BUILD_TYPE=Release'] },
  // -O1 -g1 (line tables) as the sanitizers' documentation advises: reports keep
  // file:line, the build takes half the time of -O2 -g, and assert() stays on.
  sanitize: {
    dir: 'build/sanitize',
    args: ['-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1', '-DQUANTLAB_SANITIZE=ON'],
  },
  wasm: {
    dir: 'build/wasm',
    emscripten: true,
    // emcmake's default emulator flag is rejected by Node 20 (TOOLCHAIN.md trap 6).
    args: ['-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node;--no-experimental-fetch'],
  },
};

/** Configures (once) and builds `name`; `targets` limits what is built. */
export function cmakeBuild(name, targets = []) {
  const b = BUILDS[name];
  const env = b.emscripten ? EM_ENV : {};
  // A configure that failed leaves a cache but no Makefile: configure again.
  if (!existsSync(join(ROOT, b.dir, 'Makefile'))) {
    const configure = ['cmake', '-S', '.', '-B', b.dir, ...b.args];
    if (b.emscripten) run('emcmake', configure, { env });
    else run(configure[0], configure.slice(1), { env });
  }
  const targetArgs = targets.flatMap((t) => ['--target', t]);
  run('cmake', ['--build', b.dir, '-j', JOBS, ...targetArgs], { env });
}

/**
 * Runs the build's GoogleTest binary once and returns its counts. One process
 * for the whole suite: ctest's process per test (gtest_discover_tests) costs
 * minutes under ASan for the same tests. A crash still fails the run: the exit
 * status counts as a failure when no failed test was named.
 */
export function gtest(name) {
  const b = BUILDS[name];
  const cwd = join(ROOT, b.dir, 'tests/native');
  const [cmd, args] = b.emscripten
    ? ['node', ['--no-experimental-fetch', 'quantlab_tests.js', '--gtest_brief=1']]
    : ['./quantlab_tests', ['--gtest_brief=1']];
  const r = run(cmd, args, { cwd, capture: true, allowFailure: true, env: b.emscripten ? EM_ENV : {} });
  const passed = Number(/\[ {2}PASSED {2}\] (\d+) tests?/.exec(r.stdout)?.[1] ?? 0);
  const skipped = Number(/\[ {2}SKIPPED \] (\d+) tests?/.exec(r.stdout)?.[1] ?? 0);
  const failed = Number(/(\d+) FAILED TESTS?/.exec(r.stdout)?.[1] ?? 0);
  if (skipped) console.log(`(${skipped} skipped: see [  SKIPPED ] above for why)`);
  return { passed, failed: r.status === 0 ? failed : Math.max(failed, 1) };
}
