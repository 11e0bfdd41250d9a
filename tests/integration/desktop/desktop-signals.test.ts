/**
 * SIGTERM (how Linux and macOS end apps at logout or shutdown) and SIGINT stop the desktop app the
 * same clean way as Quit: tray and window first, then the node (databases closed, no runtime file).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveConfig } from '../../../src-main/runtime/config';
import { testConfig, waitFor } from '../../support/mesh';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

async function runUntilSignal(signal: 'SIGTERM' | 'SIGINT') {
  const home = mkdtempSync(join(tmpdir(), 'hn-desktop-signal-'));
  homes.push(home);
  saveConfig(testConfig(home, 'desktop'), join(home, 'config.toml'), { env: { HEARTHNET_HOME: home } });
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'signal-child.ts'), home], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HEARTHNET_HOME: home },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    await waitFor(() => output.includes('ready\n'), 60_000, `the app to start:\n${output}`);
    expect(existsSync(join(home, 'state/runtime.json'))).toBe(true);
    child.kill(signal);
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
    return { home, code, output };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('the desktop app on OS signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: one clean shutdown, in order, exit 0, no runtime file, databases closed`, async () => {
      const { home, code, output } = await runUntilSignal(signal);
      expect(code, output).toBe(0);
      const lines = output.split('\n');
      const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
      expect(at(`shutting down {"reason":"${signal}"}`), output).toBeGreaterThanOrEqual(0);
      expect(at('tray removed')).toBeGreaterThan(at('shutting down'));
      expect(at('windows closed')).toBeGreaterThan(at('tray removed'));
      expect(at('exit 0')).toBeGreaterThan(at('windows closed'));
      expect(output).not.toMatch(/error: shutdown step failed/);
      expect(existsSync(join(home, 'state/runtime.json'))).toBe(false);
      expect(existsSync(join(home, 'state/events.db-wal'))).toBe(false);
    }, 120_000);
  }
});
