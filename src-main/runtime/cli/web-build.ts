/**
 * The web app a node serves (out/renderer) is built from a checkout's sources. A fresh clone has
 * none, and an edited one may have an old one: `hearthnet run` builds it first, with a progress
 * line, so install + run is all a household needs. A packaged app (no sources) is left alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the renderer's sources live, relative to the app root (what the web app is built from). */
export const WEB_SOURCES = ['src-renderer', 'src-main/common', 'electron.vite.config.ts', 'package.json'] as const;
/** How often the progress line is refreshed while building, ms. */
export const WEB_BUILD_TICK_MS = 1_000;
/** A build that takes longer than this is stopped (a hung toolchain must not hang `run`). */
export const WEB_BUILD_TIMEOUT_MS = 10 * 60_000;

export type WebUiState = 'fresh' | 'missing' | 'stale' | 'no-sources';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const f of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) newest = Math.max(newest, statSync(join(f.parentPath, f.name)).mtimeMs);
  }
  return newest;
}

/** Is out/renderer there and newer than every source it is built from? */
export function webUiState(appRoot: string): WebUiState {
  if (!existsSync(join(appRoot, 'src-renderer', 'index.html'))) return 'no-sources';
  const built = join(appRoot, 'out', 'renderer', 'index.html');
  if (!existsSync(built)) return 'missing';
  const builtAt = statSync(built).mtimeMs;
  return WEB_SOURCES.some((s) => newestMtime(join(appRoot, s)) > builtAt) ? 'stale' : 'fresh';
}

/**
 * Builds the app (electron-vite: renderer, main and preload) when it is missing or stale, writing
 * one progress line (rewritten in place on a terminal). Resolves false with the reason written
 * when it cannot build; the node then runs without the web app rather than not at all.
 */
export async function ensureWebUi(
  appRoot: string,
  write: (text: string) => void,
  opts: { tty?: boolean } = {},
): Promise<boolean> {
  const state = webUiState(appRoot);
  if (state === 'fresh' || state === 'no-sources') return true;
  const tool = join(appRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(tool)) {
    write(
      `The web app is not built and its build tools are not installed: run \`npm ci\` (or \`npm run build\`) in ${appRoot}.\n`,
    );
    return false;
  }
  const what =
    state === 'missing'
      ? 'Building the web app (first run only; about a minute)'
      : 'Rebuilding the web app (its sources changed)';
  const started = Date.now();
  const line = () => `${what}… ${Math.round((Date.now() - started) / 1000)} s`;
  write(opts.tty ? line() : `${what}…\n`);
  const child = spawn(process.execPath, [tool, 'build', '--logLevel', 'warn'], {
    cwd: appRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors = (errors + d.toString()).slice(-4_000)));
  const tick = opts.tty ? setInterval(() => write(`\r${line()}`), WEB_BUILD_TICK_MS) : null;
  const timer = setTimeout(() => child.kill('SIGKILL'), WEB_BUILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  if (tick) clearInterval(tick);
  clearTimeout(timer);
  const took = `${Math.round((Date.now() - started) / 1000)} s`;
  if (code === 0 && webUiState(appRoot) === 'fresh') {
    write(`${opts.tty ? '\r' : ''}${what}: done in ${took}.\n`);
    return true;
  }
  write(
    `${opts.tty ? '\n' : ''}The web app could not be built (${code === null ? 'stopped after 10 minutes' : `exit ${code}`}); the node runs without it. Try \`npm run build\` in ${appRoot}.\n${errors.trim() ? `${errors.trim()}\n` : ''}`,
  );
  return false;
}
