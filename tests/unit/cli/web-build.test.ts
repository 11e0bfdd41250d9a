/** webUiState: `hearthnet run` builds the web app only when out/renderer is missing or older than its sources. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWebUi, webUiState } from '../../../src-main/runtime/cli/web-build';

const roots: string[] = [];
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'hn-webui-'));
  roots.push(root);
  mkdirSync(join(root, 'src-renderer', 'src'), { recursive: true });
  writeFileSync(join(root, 'src-renderer', 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'src-renderer', 'src', 'App.tsx'), 'export {}');
  return root;
}
function build(root: string, at: Date): void {
  mkdirSync(join(root, 'out', 'renderer'), { recursive: true });
  writeFileSync(join(root, 'out', 'renderer', 'index.html'), '<!doctype html>');
  utimesSync(join(root, 'out', 'renderer', 'index.html'), at, at);
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('webUiState', () => {
  it('is missing in a fresh clone, fresh after a build, stale once a source changes', () => {
    const root = checkout();
    expect(webUiState(root)).toBe('missing');
    build(root, new Date(Date.now() + 60_000));
    expect(webUiState(root)).toBe('fresh');
    const later = new Date(Date.now() + 120_000);
    utimesSync(join(root, 'src-renderer', 'src', 'App.tsx'), later, later);
    expect(webUiState(root)).toBe('stale');
  });

  it('leaves an app without sources (a packaged one) alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hn-webui-'));
    roots.push(root);
    expect(webUiState(root)).toBe('no-sources');
    const lines: string[] = [];
    expect(await ensureWebUi(root, (t) => lines.push(t))).toBe(true);
    expect(lines).toEqual([]);
  });

  it('says what to do when the build tools are not installed, and lets the node run', async () => {
    const root = checkout();
    const lines: string[] = [];
    expect(await ensureWebUi(root, (t) => lines.push(t))).toBe(false);
    expect(lines.join('')).toMatch(/build tools are not installed: run `npm ci`/);
  });
});
