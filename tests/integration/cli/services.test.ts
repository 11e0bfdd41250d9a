/**
 * The household CLI against real nodes: three in-process nodes (alice, bob, carol) that write
 * runtime.json, driven by the real `bin/hearthnet` in child processes with each node's home.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { hn } from './helpers';

let mesh: Mesh;
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  mesh = await createMesh(3, { node: { writeRuntimeFile: true } });
}, 60_000);
afterAll(async () => {
  await mesh?.close();
});

describe('hearthnet market / files / chat / rag against a running mesh', () => {
  it('market post on alice is found by market search on bob, and alice can take it down', async () => {
    const alice = mesh.byName('alice');
    const bob = mesh.byName('bob');
    const posted = await hn(alice.home, [
      'market',
      'post',
      '--category',
      'offer',
      '--title',
      'Ladder to lend',
      '--body',
      'Aluminium, 3 m',
      '--tags',
      'tools,garden',
      '--json',
    ]);
    expect(posted.code, posted.stderr).toBe(0);
    const post = JSON.parse(posted.stdout) as { event_id: string; author: string; tags: string[] };
    expect(post.author).toBe(alice.node.kp.nodeIdFull);
    expect(post.tags).toEqual(['tools', 'garden']);

    // Replicated to bob within 5 s (the log syncs every 500 ms in tests).
    await waitFor(
      async () => (await bob.node.api.marketSearch({ query: 'ladder' })).length > 0,
      5_000,
      'the post on bob',
    );
    const found = await hn(bob.home, ['market', 'search', 'ladder']);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toContain('[offer] Ladder to lend — alice');
    expect(found.stdout).toContain(post.event_id);

    const [notMine, expired] = [
      await hn(bob.home, ['market', 'expire', post.event_id]),
      await hn(alice.home, ['market', 'expire', post.event_id, '--json']),
    ];
    expect(notMine.code).toBe(4); // forbidden: only the author takes a post down
    expect(notMine.stderr).toMatch(/only the person who posted this/);
    expect(expired.code, expired.stderr).toBe(0);
    expect(JSON.parse(expired.stdout)).toMatchObject({ post_id: post.event_id, already_expired: false });
    expect((await alice.node.api.marketList({})).posts).toHaveLength(0);
  }, 60_000);

  it('files add on alice, files get on bob writes an identical file with progress', async () => {
    const alice = mesh.byName('alice');
    const bob = mesh.byName('bob');
    const src = join(alice.home, 'photos.bin');
    writeFileSync(src, randomBytes(700_000)); // three chunks
    const added = await hn(alice.home, ['files', 'add', 'photos.bin']); // relative to the CLI's working directory
    expect(added.code, added.stderr).toBe(0);
    const cid = added.stdout.trim();
    expect(cid).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(added.stderr).toContain('Shared "photos.bin"');

    await waitFor(
      async () =>
        (await bob.node.api.filesList()).some(
          (f) => f.cid === cid && !f.local && f.holders.some((h) => h.name === 'alice'),
        ),
      5_000,
      'the advertisement on bob',
    );
    const got = await hn(bob.home, ['files', 'get', cid, '--out', 'copy.bin'], { timeoutMs: 30_000 });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stderr).toMatch(/Downloading: 100% \(683\.6 KB \/ 683\.6 KB\)/);
    expect(sha256(join(bob.home, 'copy.bin'))).toBe(sha256(src));

    const listed = await hn(bob.home, ['files', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ cid, local: true, filename: 'photos.bin' })]),
    );

    // The file is there now: a second get refuses to overwrite it.
    const again = await hn(bob.home, ['files', 'get', cid, '--out', 'copy.bin']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  }, 60_000);

  it('files add of a folder offers every file in it; files get of several ids saves them all into a folder', async () => {
    const alice = mesh.byName('alice');
    const bob = mesh.byName('bob');
    mkdirSync(join(alice.home, 'album'));
    for (const name of ['a.jpg', 'b.jpg']) writeFileSync(join(alice.home, 'album', name), randomBytes(90_000));
    const added = await hn(alice.home, ['files', 'add', 'album', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const files = JSON.parse(added.stdout) as { cid: string; filename: string }[];
    expect(files.map((f) => f.filename)).toEqual(['a.jpg', 'b.jpg']);

    await waitFor(
      async () => {
        const listed = await bob.node.api.filesList();
        return files.every((f) => listed.some((l) => l.cid === f.cid && l.holders.some((h) => h.name === 'alice')));
      },
      5_000,
      'both advertisements on bob',
    );
    mkdirSync(join(bob.home, 'album-copy'));
    const got = await hn(bob.home, ['files', 'get', ...files.map((f) => f.cid), '--out', 'album-copy'], {
      timeoutMs: 30_000,
    });
    expect(got.code, got.stderr).toBe(0);
    for (const name of ['a.jpg', 'b.jpg'])
      expect(sha256(join(bob.home, 'album-copy', name))).toBe(sha256(join(alice.home, 'album', name)));

    // Several ids need a folder to go into.
    const bad = await hn(bob.home, ['files', 'get', ...files.map((f) => f.cid), '--out', 'one-file.bin']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must be an existing folder/);
  }, 60_000);

  it('files get of a file nobody has exits 1 with a clear message', async () => {
    const bob = mesh.byName('bob');
    const r = await hn(bob.home, ['files', 'get', `blake3:${'ab'.repeat(32)}`, '--out', 'nothing.bin'], {
      timeoutMs: 40_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No neighbour/i);
  }, 60_000);

  it('chat send to carol by name arrives in her history', async () => {
    const alice = mesh.byName('alice');
    const carol = mesh.byName('carol');
    const sent = await hn(alice.home, ['chat', 'send', 'Carol', 'Soup', 'is', 'ready', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({
      to: carol.node.kp.nodeIdFull,
      to_name: 'carol',
      delivery: 'direct',
      delivery_state: 'delivered',
    });
    await waitFor(
      async () => (await carol.node.api.chatHistory({})).some((m) => m.body === 'Soup is ready'),
      5_000,
      'the message at carol',
    );
    const history = await hn(carol.home, ['chat', 'history', 'alice']);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain('alice -> you');
    expect(history.stdout).toContain('Soup is ready');
    const nobody = await hn(alice.home, ['chat', 'send', 'dave', 'hi']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no member is called "dave"; members: .*bob.*carol/);
  }, 60_000);

  it('rag ingest of a Markdown file, then rag list and ask with sources', async () => {
    const alice = mesh.byName('alice');
    writeFileSync(
      join(alice.home, 'guide.md'),
      '# Burns\n\nCool a burn under running water for twenty minutes.\n\n# Cuts\n\nPress on a cut with a clean cloth.\n',
    );
    const ingested = await hn(alice.home, [
      'rag',
      'ingest',
      'guide.md',
      '--corpus',
      'first-aid',
      '--title',
      'First aid guide',
    ]);
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(ingested.stdout).toMatch(/Added "First aid guide" to "first-aid": \d+ passages/);
    expect(ingested.stderr).toMatch(/Indexing: 100%/);

    const listed = await hn(alice.home, ['rag', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { local: unknown }).local).toEqual([
      expect.objectContaining({ corpus: 'first-aid', documents: 1 }),
    ]);

    const asked = await hn(alice.home, ['ask', 'how', 'long', 'to', 'cool', 'a', 'burn', '--corpus', 'first-aid']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain('twenty minutes');
    expect(asked.stdout).toMatch(/Sources:\n {2}\[1\] First aid guide/);
  }, 60_000);

  it('models list and add through the node (a non-GGUF file is refused, nothing is copied)', async () => {
    const bob = mesh.byName('bob');
    writeFileSync(join(bob.home, 'notes.gguf'), 'plain text, not a model');
    const [added, listed] = [
      await hn(bob.home, ['models', 'add', 'notes.gguf']),
      await hn(bob.home, ['models', 'list', '--json']),
    ];
    expect(added.code).toBe(1);
    expect(added.stderr).toMatch(/is not a GGUF model file/);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { local: unknown }).local).toEqual([]);
  }, 60_000);
});
