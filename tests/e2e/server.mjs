// Starts the page for browser tests: builds build/web if it is missing (or
// when QUANTLAB_E2E_BUILD=1), runs `vite preview` on a free port and stops it
// by the child's own pid.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITE = `${ROOT}node_modules/.bin/vite`;
const CONFIG = 'web/vite.config.js';
const BUILT_PAGE = `${ROOT}build/web/index.html`;
/** Longest wait for the preview server to accept connections. */
const START_TIMEOUT_MS = 30_000;

/** Builds the page unless it is already built (the harness usually does this). */
export function ensureBuilt({ force = process.env.QUANTLAB_E2E_BUILD === '1' } = {}) {
  if (!force && existsSync(BUILT_PAGE)) return;
  if (!existsSync(`${ROOT}dist/quantlab.js`)) {
    throw new Error('dist/quantlab.js is missing: run `node scripts/build.mjs wasm` first');
  }
  const build = spawnSync(VITE, ['build', '--config', CONFIG, '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`vite build failed (exit ${build.status})`);
}

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Builds if needed and starts `vite preview`.
 * @returns {Promise<{ url: string, stop(): Promise<void> }>}
 */
export async function startServer() {
  ensureBuilt();
  const port = await freePort();
  const child = spawn(
    VITE,
    ['preview', '--config', CONFIG, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      process.kill(child.pid, 'SIGTERM');
      throw new Error(`vite preview did not listen on ${port} within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    },
  };
}
