/** Issue 15 items 2 and 9: piped CLI output is never cut; a named config file that is missing is an error. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, hn } from '../cli/helpers';

const homes: string[] = [];
function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'hn-out-'));
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A home whose log holds `n` lines (`hearthnet log` reads it without a running node). */
function homeWithLog(n: number): string {
  const h = home();
  const logs = join(h, 'logs');
  mkdirSync(logs);
  writeFileSync(join(h, 'config.toml'), `[observability]\nlog_dir = "${logs}"\n`);
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(
      JSON.stringify({
        ts: '2026-01-01T00:00:00.000Z',
        level: 'info',
        logger: 'test',
        msg: `line ${i} ${'x'.repeat(80)}`,
      }),
    );
  writeFileSync(join(logs, 'hearthnet-2026-01-01.jsonl'), lines.join('\n') + '\n');
  return h;
}

describe('CLI output through a pipe', () => {
  it('a reader slower than the CLI still gets every byte (no cut at the 64 KiB pipe buffer)', () => {
    const h = homeWithLog(3000); // ~350 KB of JSON lines
    const direct = spawnSync(process.execPath, [BIN, 'log', '--json'], {
      env: cliEnv(h),
      cwd: h,
      maxBuffer: 64 << 20,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(direct.status, direct.stderr).toBe(0);
    const lines = direct.stdout.trim().split('\n');
    expect(lines).toHaveLength(3000);
    // The reader sleeps before reading, as `| wc -c` behind a busy pipe would.
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" log --json | (sleep 1; wc -c)`], {
      env: cliEnv(h),
      cwd: h,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(Number(piped.stdout.trim())).toBe(Buffer.byteLength(direct.stdout));
  }, 90_000);
});

describe('-c <file>', () => {
  it(
    'a config file named on the command line that does not exist is an error (exit 2), not silent defaults',
    { timeout: 90_000 },
    async () => {
      const h = home();
      const r = await hn(h, ['-c', join(h, 'no-such.toml'), 'status'], { timeoutMs: 60_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no-such\.toml/);
      expect(r.stderr).toMatch(/does not exist/);
    },
  );
});
