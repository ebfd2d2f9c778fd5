// Installs what the build needs, from Debian's packages and the npm registry only.
// As root it installs what is missing; otherwise it prints the exact apt line and stops.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run, fail } from './run.mjs';

// What each Debian package provides, checked by a file it installs.
const DEBIAN = {
  build: [
    ['cmake', '/usr/bin/cmake'],
    ['g++', '/usr/bin/g++'],
    ['emscripten', '/usr/bin/emcc'],
    ['xtensor-dev', '/usr/include/xtensor/xarray.hpp'],
    // only a Recommends of xtensor-dev, and recommends are not installed here
    ['libxsimd-dev', '/usr/include/xsimd/xsimd.hpp'],
    ['nlohmann-json3-dev', '/usr/include/nlohmann/json.hpp'],
    ['libgtest-dev', '/usr/src/googletest/googletest/CMakeLists.txt'],
  ],
  browser: [['chromium', '/usr/bin/chromium']],
  // The ONNX backend tests (conformance suite) and libFuzzer for the ONNX reader.
  // python3-onnx: onnx.checker reads back the files the writer writes (tests/native/model). libonnx-testdata
  // alone leaves a bare onnx/ package directory, which imports but holds no library.
  conformance: [
    ['libonnx-testdata', '/usr/share/libonnx-testdata/data/node/test_abs/model.onnx'],
    ['python3-onnx', '/usr/lib/python3/dist-packages/onnx/__init__.py'],
  ],
  fuzz: [
    ['clang-14', '/usr/bin/clang++-14'],
    ['libclang-rt-14-dev', '/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a'],
  ],
};

let aptUpdated = false;

function ensureDebian(groups) {
  const missing = groups.flatMap((g) => DEBIAN[g]).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const line = `apt-get install -y ${missing.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    fail(`missing Debian packages: ${missing.join(', ')}.\nInstall them with:\n  sudo apt-get update && sudo ${line}\nthen run the command again.`);
  }
  console.log(`quantlab: installing Debian packages: ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update', '-qq'], { env });
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

function ensureNodeModules() {
  const needed = ['vite', 'playwright-core', 'onnxruntime-node'];
  if (needed.every((m) => existsSync(join(ROOT, 'node_modules', m, 'package.json')))) return;
  // --ignore-scripts: no package may download binaries or browsers at install time.
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
}

/** Makes sure the Debian packages of `groups` and the npm devDependencies are present. */
export function ensureDeps(groups = ['build']) {
  ensureDebian(groups);
  ensureNodeModules();
}
