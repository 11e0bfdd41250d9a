/**
 * Issue 15 items 3 and 11: one home runs one node (two `run`s started together: one refuses), and
 * every signal that ends a node (SIGTERM, SIGINT, SIGHUP), even one sent the moment the runtime
 * file appears, logs "node stopping", closes the databases (no WAL left) and removes runtime.json.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/mesh';
import { hn, hnSpawn, SAFE_CONFIG } from '../cli/helpers';

const RUN = ['run', '--no-ui', '--port', '0', '--host', '127.0.0.1'];
const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

async function initHome(): Promise<string> {
  const h = mkdtempSync(join(tmpdir(), 'hn-run-'));
  homes.push(h);
  writeFileSync(join(h, 'config.toml'), SAFE_CONFIG);
  const r = await hn(
    h,
    ['init', '--name', 'Lock House', '--profile', 'hearth', '--community', 'Elm Street', '--non-interactive'],
    { timeoutMs: 60_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  return h;
}

/** Every file under `dir` (recursively) whose name ends with `suffix`. */
function filesEnding(dir: string, suffix: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(suffix));
}

function logText(h: string): string {
  const dir = join(h, 'logs');
  return existsSync(dir)
    ? readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('')
    : '';
}

describe('one home, one node', () => {
  it('two runs started at the same moment: exactly one runs, the other exits 1 saying one is running', async () => {
    const h = await initHome();
    const a = hnSpawn(h, RUN);
    const b = hnSpawn(h, RUN);
    try {
      const first = await Promise.race([
        a.exited.then((code) => ({ code, run: a, other: b })),
        b.exited.then((code) => ({ code, run: b, other: a })),
      ]);
      expect(first.code, first.run.output()).toBe(1);
      expect(first.run.output()).toMatch(/already running/);
      const runtime = join(h, 'state', 'runtime.json');
      await waitFor(() => existsSync(runtime), 30_000, `runtime.json (${first.other.output()})`);
      const info = JSON.parse(readFileSync(runtime, 'utf8')) as { pid: number };
      expect(info.pid).toBe(first.other.child.pid);
      const status = await hn(h, ['status', '--json'], { timeoutMs: 60_000 });
      expect(status.code, status.stderr).toBe(0);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      await Promise.all([a.exited, b.exited]);
    }
  }, 240_000);
});

describe('every way a node is stopped cleans up', () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} right as runtime.json appears: "node stopping" logged, runtime.json removed, no WAL left`, async () => {
      const h = await initHome();
      const runtime = join(h, 'state', 'runtime.json');
      const run = hnSpawn(h, RUN);
      await waitFor(() => existsSync(runtime), 30_000, `runtime.json (${run.output()})`);
      run.child.kill(signal);
      const code = await run.exited;
      expect(code, run.output()).toBe(0);
      expect(existsSync(runtime)).toBe(false);
      expect(filesEnding(h, '-wal')).toEqual([]);
      expect(logText(h)).toMatch(/"msg":"node stopping"/);
    }, 180_000);
  }
});
