/**
 * `npm run bench -- ui`: the household app as a browser sees it.
 * 1. Renderer bundle size: every file of out/renderer (gzip -9 each), and what the first screen
 *    loads (index.html, the entry script and stylesheet).
 * 2. Time from `hearthnet run` to the first screen with data: a fresh household (init), the CLI
 *    started as a user starts it, headless Chromium opening the printed link, stopped when the
 *    header shows the household's name and the tab bar is there. Median of BENCH_RUNS (3).
 * 3. The topology's frame rate with 50 households and continuous live calls (bench/ui/topology-page,
 *    the app's own TopologyGraph built by vite), target >= 50 fps.
 * Needs `npm run build` (the renderer and the CLI bundle) and /usr/bin/chromium.
 * Last line: `ui: <fps> fps topology (50 households), first screen <ms> ms, <kB> kB gzip`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const RENDERER = join(ROOT, 'out', 'renderer');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 50);
const CALLS_PER_S = 40;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

function bundleSizes(): { total: number; totalGz: number; firstGz: number } {
  let total = 0;
  let totalGz = 0;
  for (const f of files(RENDERER)) {
    const b = readFileSync(f);
    total += b.length;
    totalGz += gzipSync(b, { level: 9 }).length;
  }
  // The first screen: index.html and what it links (the entry chunk, its CSS, its preloads).
  const html = readFileSync(join(RENDERER, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
  const firstGz = [join(RENDERER, 'index.html'), ...linked.map((p) => join(RENDERER, p))].reduce(
    (n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length,
    0,
  );
  return { total, totalGz, firstGz };
}

const hearthnet = (home: string, args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'hearthnet'), ...args], {
    env: { ...process.env, HEARTHNET_HOME: home },
    encoding: 'utf8',
  });

/** ms from spawning `hearthnet run` to its printed link (the node is up: the baseline) and to the first screen showing the household's data. */
async function firstScreen(browser: Browser): Promise<{ ready: number; screen: number }> {
  const home = mkdtempSync(join(tmpdir(), 'hn-bench-ui-'));
  const init = hearthnet(home, [
    'init',
    '--name',
    'Bench House',
    '--profile',
    'hearth',
    '--community',
    'Bench Street',
    '--non-interactive',
  ]);
  if (init.status !== 0) throw new Error(`hearthnet init failed: ${init.stderr}`);
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'hearthnet'), 'run', '--port', '0', '--host', '127.0.0.1', '--probe-target', 'none'],
    {
      env: { ...process.env, HEARTHNET_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error(`no link from hearthnet run within 60 s:\n${out}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/\S+#token=\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]);
        }
      });
      child.once('exit', (code) => rej(new Error(`hearthnet run exited (${code}):\n${out}`)));
    });
    const ready = performance.now() - t0;
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('h1', { hasText: 'Bench House' }).waitFor({ timeout: 60_000 });
    await page.locator('[role=tablist]').waitFor({ timeout: 60_000 });
    const screen = performance.now() - t0;
    await context.close();
    return { ready, screen };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(home, { recursive: true, force: true });
  }
}

interface FpsResult {
  households: number;
  fps: number;
  p95_frame_ms: number;
  max_frame_ms: number;
  long_frames: number;
  dots_on_screen: number;
}

/** Build the topology page with vite (the app's own component and theme) and serve it. */
async function topologyFps(browser: Browser, callsPerSecond: number): Promise<FpsResult> {
  const out = mkdtempSync(join(tmpdir(), 'hn-bench-topo-'));
  const { build } = await import('vite');
  const solid = (await import('vite-plugin-solid')).default;
  await build({
    root: join(ROOT, 'bench', 'ui', 'topology-page'),
    base: './',
    logLevel: 'warn',
    plugins: [solid()],
    build: { outDir: out, emptyOutDir: true },
  });
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = join(out, decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/$/, '/index.html'));
    if (!path.startsWith(out)) return res.writeHead(403).end();
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      reducedMotion: 'no-preference',
    });
    const page = await context.newPage();
    await page.goto(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/?n=${HOUSEHOLDS}&calls=${callsPerSecond}`,
    );
    await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, undefined, {
      timeout: 30_000,
    });
    const r = (await page.evaluate(() => (window as unknown as { benchResult: unknown }).benchResult)) as FpsResult;
    await context.close();
    return r;
  } finally {
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average ${load()}`);
  const sizes = bundleSizes();
  console.log(
    `renderer bundle: ${kB(sizes.total)} (${kB(sizes.totalGz)} gzip); first screen loads ${kB(sizes.firstGz)} gzip`,
  );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    // Baseline in the same minute: the same street with no calls (what this machine's load leaves
    // for any page), alternating with the measured one: 40 calls/s, ~36 dots travelling at once.
    const fpsRuns: FpsResult[] = [];
    const idleRuns: FpsResult[] = [];
    const show = (what: string, r: FpsResult) =>
      console.log(
        `topology ${r.households} households, ${what}: ${r.fps.toFixed(1)} fps (p95 frame ${r.p95_frame_ms.toFixed(1)} ms, max ${r.max_frame_ms.toFixed(1)} ms, ${r.long_frames} frames over 33 ms, ${r.dots_on_screen} calls on screen)`,
      );
    for (let i = 0; i < RUNS; i++) {
      const idle = await topologyFps(browser, 0);
      show('no calls (baseline)', idle);
      idleRuns.push(idle);
      const r = await topologyFps(browser, CALLS_PER_S);
      show(`${CALLS_PER_S} calls/s`, r);
      fpsRuns.push(r);
    }
    const screens: number[] = [];
    const readies: number[] = [];
    for (let i = 0; i < (process.env.BENCH_UI_SKIP_START ? 0 : RUNS); i++) {
      const t = await firstScreen(browser);
      console.log(
        `hearthnet run -> link printed (node up) ${t.ready.toFixed(0)} ms -> first screen with data ${t.screen.toFixed(0)} ms (the page: ${(t.screen - t.ready).toFixed(0)} ms)`,
      );
      screens.push(t.screen);
      readies.push(t.ready);
    }
    const fps = median(fpsRuns.map((r) => r.fps));
    console.log(`load average ${load()}`);
    console.log(
      `ui: ${fps.toFixed(1)} fps topology (${HOUSEHOLDS} households, ${CALLS_PER_S} calls/s, target >= 50; baseline without calls ${median(idleRuns.map((r) => r.fps)).toFixed(1)}), first screen ${screens.length ? `${median(screens).toFixed(0)} ms (node up at ${median(readies).toFixed(0)} ms)` : '-'}, ${kB(sizes.totalGz)} gzip (first screen ${kB(sizes.firstGz)})`,
    );
  } finally {
    await browser.close();
  }
}
