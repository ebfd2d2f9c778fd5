// Running commands from the build scripts: inherit the terminal, fail loudly.
import { spawnSync } from 'node:child_process';

export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

/** Runs a command in the repository root (or `options.cwd`); throws with its exit code on failure. */
export function run(cmd, args, options = {}) {
  const shown = [cmd, ...args].join(' ');
  if (!options.quiet) console.log(`\n$ ${shown}`);
  const r = spawnSync(cmd, args, {
    cwd: options.cwd ?? ROOT,
    stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${shown}: ${r.error.message}`);
  if (options.capture) {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
  }
  if (r.status !== 0 && !options.allowFailure) {
    const err = new Error(`command failed (exit ${r.status}): ${shown}`);
    err.exitCode = r.status;
    throw err;
  }
  return r;
}

/** Prints one line and exits with a failure code, without a stack trace. */
export function fail(message) {
  console.error(`\nquantlab: ${message}`);
  process.exit(1);
}
