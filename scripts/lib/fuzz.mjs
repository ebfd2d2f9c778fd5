// The libFuzzer run of the ONNX reader: configures build/fuzz with clang
// (-DQUANTLAB_FUZZ=ON), builds quantlab_onnx_fuzz and runs it for a bounded
// number of inputs, starting from the committed fixtures (tests/fixtures/onnx)
// and the corpus earlier runs grew (build/fuzz/corpus).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { ROOT, run } from './run.mjs';

const DIR = 'build/fuzz';
const SEEDS = 'tests/fixtures/onnx';
const JOBS = String(Math.max(1, cpus().length));

/**
 * Builds and runs the fuzzer. `runs`: how many inputs to try (libFuzzer's
 * -runs). Returns { runs, ok, seconds }; ok is false when the fuzzer found a
 * crash, leak, sanitizer report or an over-limit allocation (its reproducer is
 * written to build/fuzz/ as crash-*, leak-*, oom-* or timeout-*).
 */
export function runFuzz({ runs = 200000 } = {}) {
  if (!existsSync(join(ROOT, DIR, 'CMakeCache.txt'))) {
    run('cmake', [
      '-S', '.', '-B', DIR,
      '-DCMAKE_CXX_COMPILER=clang++-14', '-DCMAKE_BUILD_TYPE=Release',
      '-DQUANTLAB_FUZZ=ON', '-DQUANTLAB_TESTS=OFF',
    ]);
  }
  run('cmake', ['--build', DIR, '-j', JOBS, '--target', 'quantlab_onnx_fuzz']);
  const corpus = join(DIR, 'corpus');
  mkdirSync(join(ROOT, corpus), { recursive: true });
  const args = [
    `-runs=${runs}`,
    '-max_len=65536',
    '-rss_limit_mb=2048',
    '-malloc_limit_mb=512', // sizes from the file are checked before allocation: no input may need more
    '-timeout=10',
    '-print_final_stats=1',
    `-artifact_prefix=${DIR}/`,
    corpus,
    SEEDS,
  ];
  const binary = join(DIR, 'quantlab_onnx_fuzz');
  console.log(`\n$ ${binary} ${args.join(' ')}`);
  const started = Date.now();
  // libFuzzer logs every new input; show only the outcome (all of it on failure).
  const r = spawnSync(join(ROOT, binary), args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (r.error) throw new Error(`${binary}: ${r.error.message}`);
  const log = `${r.stdout}${r.stderr}`.split('\n');
  const ok = r.status === 0;
  if (ok) {
    console.log(log.filter((l) => /^Done \d+ runs|^stat::/.test(l)).join('\n'));
  } else {
    const saved = readdirSync(join(ROOT, DIR)).filter((f) => /^(crash|leak|oom|timeout|slow-unit)-/.test(f));
    console.error(log.slice(-80).join('\n'));
    console.error(`quantlab: the fuzzer failed (exit ${r.status}); reproducers in ${DIR}/: ${saved.join(', ')}`);
  }
  return { runs, ok, seconds };
}
