/** The CLI end to end: init -> run -> status -> SIGTERM, "no node" and bad-usage exit codes. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/runtime/config';
import { nodeFiles } from '../../../src-main/runtime/config/node-paths';
import { waitFor } from '../../support/mesh';
import { hn, hnSpawn, mapLimit, SAFE_CONFIG } from './helpers';

const homes: string[] = [];
function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'hn-cli-'));
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('hearthnet init / run / status', () => {
  it('initialises, runs, reports status as JSON and stops on SIGTERM, removing runtime.json', async () => {
    const h = home();
    writeFileSync(join(h, 'config.toml'), SAFE_CONFIG);
    const init = await hn(h, [
      'init',
      '--name',
      'Test House',
      '--profile',
      'hearth',
      '--community',
      'Elm Street',
      '--non-interactive',
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    const created = JSON.parse(init.stdout) as { node_id: string; community: { name: string } };
    expect(created.community.name).toBe('Elm Street');

    const config = loadConfig(join(h, 'config.toml'), { env: { HEARTHNET_HOME: h } });
    expect(config.emergency.probe_targets).toEqual([]);
    expect(config.discovery.mdns_enabled).toBe(false);
    const runtime = nodeFiles(config).runtime;

    const run = hnSpawn(h, ['run', '--no-ui', '--port', '0', '--host', '127.0.0.1']);
    try {
      await waitFor(() => existsSync(runtime), 20_000, `runtime.json (output: ${run.output()})`);
      const status = await hn(h, ['status', '--json']);
      expect(status.code, status.stderr).toBe(0);
      const s = JSON.parse(status.stdout) as { node_id: string; display_name: string; community: { name: string } };
      expect(s.node_id).toBe(created.node_id);
      expect(s.display_name).toBe('Test House');
      expect(s.community.name).toBe('Elm Street');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(existsSync(runtime)).toBe(false);
  }, 60_000);

  it('exits 3 when no node is running', async () => {
    const h = home();
    writeFileSync(join(h, 'config.toml'), SAFE_CONFIG);
    const [status, market] = await Promise.all([hn(h, ['status']), hn(h, ['market', 'list'])]);
    expect(status.code).toBe(3);
    expect(status.stderr).toMatch(/no HearthNet node is running/);
    expect(market.code).toBe(3);
  });

  it('exits 2 on bad usage, before reaching any node', async () => {
    const h = home();
    writeFileSync(join(h, 'config.toml'), SAFE_CONFIG);
    const cases: Array<[string[], RegExp]> = [
      [
        ['market', 'post', '--category', 'bogus', '--title', 'x'],
        /--category must be one of offer, request, info, emergency/,
      ],
      [['market', 'post', '--title', 'no category'], /required option/],
      [['market', 'list', '--limit', '0'], /--limit must be a whole number/],
      [['files', 'get'], /missing required argument/],
      [['chat', 'send', 'bob'], /missing required argument/],
      [['models', 'pull', 'not-a-url'], /not an http\(s\) address/],
      [['rag', 'ingest', 'doc.md'], /required option.*--corpus/],
    ];
    const results = await mapLimit(cases, 2, ([args]) => hn(h, args));
    results.forEach((r, i) => {
      expect(r.code, `${cases[i][0].join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[i][1]);
    });
  }, 60_000);
});
