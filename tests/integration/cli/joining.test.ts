/**
 * The CLI's joining commands end to end, as real processes: `invite create` without `--node-id`
 * prints a join code and writes its QR code, `join <code>` joins with it once, the bound invites of
 * before (`--node-id`, `invite redeem`) keep working, and `open --print` gives the stable link.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/runtime/config';
import { nodeFiles } from '../../../src-main/runtime/config/node-paths';
import { waitFor } from '../../support/mesh';
import { hn as hnRaw, hnSpawn, SAFE_CONFIG } from './helpers';

/** The machine is shared and busy: each CLI process gets 40 s. */
const hn = (home: string, args: readonly string[], opts: { timeoutMs?: number } = {}) =>
  hnRaw(home, args, { timeoutMs: 40_000, ...opts });

const homes: string[] = [];
const runs: ReturnType<typeof hnSpawn>[] = [];
afterAll(async () => {
  for (const r of runs) r.child.kill('SIGTERM');
  await Promise.all(runs.map((r) => r.exited));
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

async function household(name: string, community?: string): Promise<{ home: string; nodeId: string }> {
  const home = mkdtempSync(join(tmpdir(), `hn-cli-${name}-`));
  homes.push(home);
  writeFileSync(join(home, 'config.toml'), SAFE_CONFIG);
  const init = await hn(home, [
    'init',
    '--name',
    name,
    '--profile',
    'hearth',
    '--non-interactive',
    '--json',
    ...(community ? ['--community', community] : []),
  ]);
  expect(init.code, init.stderr).toBe(0);
  const run = hnSpawn(home, ['run', '--no-ui', '--port', '0', '--host', '127.0.0.1']);
  runs.push(run);
  const runtime = nodeFiles(loadConfig(join(home, 'config.toml'), { env: { HEARTHNET_HOME: home } })).runtime;
  await waitFor(() => existsSync(runtime), 30_000, `${name}'s runtime.json (output: ${run.output()})`);
  return { home, nodeId: (JSON.parse(init.stdout) as { node_id: string }).node_id };
}

describe('hearthnet invite create / join / open', () => {
  it('joins with a printed join code once, and still with a bound invite', async () => {
    const [alice, bob, carol] = await Promise.all([
      household('Alice', 'Elm Street'),
      household('Bob'),
      household('Carol'),
    ]);
    const qr = join(alice.home, 'join.png');
    const created = await hn(alice.home, ['invite', 'create', '--qr', qr, '--ttl', '600']);
    expect(created.code, created.stderr).toBe(0);
    const code = created.stdout.trim();
    expect(code).toMatch(/^hearthnet:\/\/join\/v1\?/);
    expect(code.length).toBeLessThan(250);
    expect(created.stderr).toContain('works once');
    expect(readFileSync(qr).subarray(1, 4).toString()).toBe('PNG');

    const joined = await hn(bob.home, ['join', code, '--json'], { timeoutMs: 40_000 });
    expect(joined.code, joined.stderr).toBe(0);
    expect(JSON.parse(joined.stdout)).toMatchObject({ name: 'Elm Street', inviter: alice.nodeId });

    const again = await hn(carol.home, ['join', code], { timeoutMs: 40_000 });
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already used by another household/);

    // The bound invite of before: alice makes it out to carol's node id, carol redeems it.
    const bound = await hn(alice.home, ['invite', 'create', '--node-id', carol.nodeId, '--json']);
    expect(bound.code, bound.stderr).toBe(0);
    const text = (JSON.parse(bound.stdout) as { text: string }).text;
    expect(text).toMatch(/^hearthnet:\/\/v1\//);
    const file = join(carol.home, 'invite.txt');
    writeFileSync(file, text);
    const redeemed = await hn(carol.home, ['invite', 'redeem', file], { timeoutMs: 40_000 });
    expect(redeemed.code, redeemed.stderr).toBe(0);
    expect(redeemed.stdout).toContain('Welcome to "Elm Street"');

    await waitFor(
      async () => {
        const st = JSON.parse((await hn(alice.home, ['status', '--json'])).stdout) as { peers: { node_id: string }[] };
        return [bob.nodeId, carol.nodeId].every((id) => st.peers.some((p) => p.node_id === id));
      },
      60_000,
      'alice to see bob and carol',
    );

    const open = await hn(alice.home, ['open', '--print']);
    expect(open.code, open.stderr).toBe(0);
    const token = readFileSync(
      nodeFiles(loadConfig(join(alice.home, 'config.toml'), { env: { HEARTHNET_HOME: alice.home } })).apiToken,
      'utf8',
    ).trim();
    expect(open.stdout.trim()).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/#token=${token}$`));
  }, 240_000);
});
