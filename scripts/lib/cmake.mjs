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
  sanitize: { dir: 'build/sanitize', args: ['-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DQUANTLAB_SANITIZE=ON'] },
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

/** Runs the build's ctest suite; returns its counts. */
export function ctest(name) {
  const b = BUILDS[name];
  // The wasm build has one ctest entry; -V shows its GoogleTest output to count.
  const verbose = b.emscripten ? ['-V'] : [];
  const r = run('ctest', ['--test-dir', b.dir, '--output-on-failure', '-j', JOBS, ...verbose], {
    capture: true,
    allowFailure: true,
    env: b.emscripten ? EM_ENV : {},
  });
  if (b.emscripten) {
    // One ctest entry runs the whole GoogleTest binary under Node: count its cases.
    const passed = Number(/\[ {2}PASSED {2}\] (\d+) tests?/.exec(r.stdout)?.[1] ?? 0);
    const failed = Number(/(\d+) FAILED TESTS?/.exec(r.stdout)?.[1] ?? (r.status === 0 ? 0 : 1));
    return { passed, failed: r.status === 0 ? failed : Math.max(failed, 1) };
  }
  const m = /(\d+)% tests passed, (\d+) tests? failed out of (\d+)/.exec(r.stdout);
  const total = m ? Number(m[3]) : 0;
  const failed = m ? Number(m[2]) : 1;
  return { passed: total - failed, failed: r.status === 0 ? failed : Math.max(failed, 1) };
}
