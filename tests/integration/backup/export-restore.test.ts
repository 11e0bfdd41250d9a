/**
 * `hearthnet export` / `init --restore` / `erase` with the real CLI and real nodes: bob is backed
 * up, restored on a fresh home, and comes back as the same household (identity, membership, event
 * log); alice accepts the restored bob (his message reaches her, her new post reaches him).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/runtime/config';
import { loadKeyPair } from '../../../src-main/runtime/identity';
import { startNode, type RunningNode } from '../../../src-main/runtime/node';
import { openCommunity } from '../../../src-main/runtime/node/community-context';
import { nodeFiles } from '../../../src-main/runtime/config/node-paths';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { hn } from '../cli/helpers';

let mesh: Mesh;
let scratch: string;
let restored: RunningNode | null = null;

function logOf(home: string): { ids: string[]; members: { alice: boolean; bob: boolean }; community: string } {
  const config = loadConfig(join(home, 'config.toml'), { env: { HEARTHNET_HOME: home } });
  const ctx = openCommunity({ dbPath: nodeFiles(config).eventLog, communityId: config.community.community_id! });
  try {
    return {
      ids: [...ctx.log.replay()].map((e) => e.event_id).sort(),
      members: {
        alice: ctx.state.isMember(mesh.byName('alice').node.kp.nodeIdFull),
        bob: ctx.state.isMember(mesh.byName('bob').node.kp.nodeIdFull),
      },
      community: ctx.communityId,
    };
  } finally {
    ctx.close();
  }
}

beforeAll(async () => {
  mesh = await createMesh(2);
  scratch = mkdtempSync(join(tmpdir(), 'hn-backup-'));
  const alice = mesh.byName('alice').node;
  const bob = mesh.byName('bob').node;
  await bob.api.chatSend({ to: alice.kp.nodeIdFull, text: 'hello from the old computer' });
  await alice.api.marketPost({ category: 'offer', title: 'Ladder to lend', body: 'ask' });
  await waitFor(async () => (await bob.api.marketList({})).posts.length >= 1, 20_000, 'bob to receive the post');
}, 90_000);

afterAll(async () => {
  await restored?.stop();
  await mesh?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('a restored bob is the same household and his neighbour accepts him', async () => {
    const bobMesh = mesh.byName('bob');
    const bobId = bobMesh.node.kp.nodeIdFull;
    await bobMesh.stop();
    const before = logOf(bobMesh.home);
    const file = join(scratch, 'bob.hnbackup');

    const exported = await hn(bobMesh.home, ['export', '--out', file, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ node_id: bobId, events: before.ids.length });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    expect((await hn(bobMesh.home, ['export', '--out', file])).code).toBe(2);

    const fresh = mkdtempSync(join(scratch, 'fresh-'));
    const restoredRun = await hn(fresh, ['init', '--restore', file, '--json']);
    expect(restoredRun.code, restoredRun.stderr).toBe(0);
    expect(JSON.parse(restoredRun.stdout)).toMatchObject({
      node_id: bobId,
      display_name: 'bob',
      community: { id: before.community, events: before.ids.length },
    });

    // Same identity, membership and event log.
    expect(loadKeyPair(join(fresh, 'keys')).nodeIdFull).toBe(bobId);
    const after = logOf(fresh);
    expect(after).toEqual(before);
    expect(after.members).toEqual({ alice: true, bob: true });
    // A second restore into the now-used home is refused and changes nothing.
    const again = await hn(fresh, ['init', '--restore', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has an identity/);

    // The neighbour accepts the restored node.
    const env = { HEARTHNET_HOME: fresh };
    restored = await startNode({
      config: loadConfig(join(fresh, 'config.toml'), { env }),
      configFile: join(fresh, 'config.toml'),
      name: 'bob2',
      syncIntervalMs: 500,
      autodetectLlm: false,
      writeRuntimeFile: false,
    });
    const alice = mesh.byName('alice').node;
    await restored.api.addPeer({ host: '127.0.0.1', port: alice.transportPort });
    await restored.api.chatSend({ to: alice.kp.nodeIdFull, text: 'hello from the new computer' });
    await waitFor(
      async () =>
        (await alice.api.chatHistory({ with: bobId })).some(
          (m) => m.body === 'hello from the new computer' && m.direction === 'in',
        ),
      30_000,
      'alice to accept the restored bob’s message',
    );
    await alice.api.marketPost({ category: 'request', title: 'Anyone have a drill?', body: 'thanks' });
    await waitFor(
      async () => (await restored!.api.marketList({})).posts.some((p) => p.title === 'Anyone have a drill?'),
      30_000,
      'the restored bob to sync alice’s new post',
    );
    expect(restored.api.peers().find((p) => p.node_id === alice.kp.nodeIdFull)?.refuses_us ?? null).toBeNull();
  }, 120_000);

  it('a backup whose community manifest was tampered with is refused naming the field, and nothing is left', async () => {
    const doc = JSON.parse(gunzipSync(readFileSync(join(scratch, 'bob.hnbackup'))).toString('utf8')) as {
      community: { manifest: Record<string, unknown> };
    };
    doc.community.manifest.name = 7;
    const file = join(scratch, 'tampered.hnbackup');
    writeFileSync(file, gzipSync(JSON.stringify(doc)));
    const fresh = mkdtempSync(join(scratch, 'tampered-'));
    const r = await hn(fresh, ['init', '--restore', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the community manifest in this backup is damaged: .*name/);
    expect(existsSync(join(fresh, 'keys', 'node.key'))).toBe(false);
    expect(existsSync(join(fresh, 'config.toml'))).toBe(false);
  });

  it('a damaged or foreign file is refused with a clear message and nothing is written', async () => {
    const fresh = mkdtempSync(join(scratch, 'bad-'));
    const notBackup = join(scratch, 'notes.txt');
    writeFileSync(notBackup, 'shopping list');
    const r = await hn(fresh, ['init', '--restore', notBackup]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a HearthNet backup/);
    expect(existsSync(join(fresh, 'keys'))).toBe(false);
    expect(existsSync(join(fresh, 'config.toml'))).toBe(false);
  });

  it('erase needs --yes, keeps the identity with --keep-keys, and otherwise leaves nothing', async () => {
    const home = mkdtempSync(join(scratch, 'erase-'));
    expect((await hn(home, ['init', '--name', 'dave', '--community', 'Elm Street', '--non-interactive'])).code).toBe(0);
    const id = loadKeyPair(join(home, 'keys')).nodeIdFull;
    const dry = await hn(home, ['erase']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/--yes/);
    expect(existsSync(join(home, 'state', 'events.db'))).toBe(true);

    const keep = await hn(home, ['erase', '--keep-keys', '--yes']);
    expect(keep.code, keep.stderr).toBe(0);
    expect(existsSync(join(home, 'state'))).toBe(false);
    expect(existsSync(join(home, 'config.toml'))).toBe(false);
    expect(loadKeyPair(join(home, 'keys')).nodeIdFull).toBe(id);

    const all = await hn(home, ['erase', '--yes']);
    expect(all.code, all.stderr).toBe(0);
    expect(existsSync(home)).toBe(false);
  }, 60_000);
});
