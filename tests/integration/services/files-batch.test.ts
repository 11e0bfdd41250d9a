/**
 * Issue 13: many files at once (a folder of photos) — added in one batch (one round of fsyncs, one
 * write of the pin list) and received in shared requests (`file.read {manifests}`, binary
 * `{blobs: [...]}`) — and a file saved straight into its place is never visible half-written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../src-main/runtime/node';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('files: many at once, and never half-written', () => {
  let mesh: Mesh;
  let alice: RunningNode;
  let bob: RunningNode;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hn-batch-'));
    mesh = await createMesh(2);
    [alice, bob] = mesh.nodes.map((m) => m.node);
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 1), 20_000, 'mesh');
    await waitFor(
      () => bob.bus.registry.find('file.read', [1, 0]).some((e) => !e.is_local),
      20_000,
      'file.read at alice',
    );
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a folder of small files (and one large) is added in one batch and received whole by a neighbour', async () => {
    const folder = join(dir, 'photos');
    mkdirSync(folder);
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 40; i++) files.set(`img-${i}.jpg`, randomBytes(1 + ((i * 7919) % 300_000))); // 1 or 2 pieces
    files.set('empty.txt', new Uint8Array(0));
    files.set('video.mp4', randomBytes(5 * 256 * 1024 + 3)); // 6 pieces: goes the per-file way
    for (const [name, bytes] of files) writeFileSync(join(folder, name), bytes);
    const paths = [...files.keys()].map((n) => join(folder, n));

    const a = alice.scope()!.services;
    const added = await a.fileClient.addFiles(paths, { pin: true });
    expect(added.map((m) => m.filename)).toEqual([...files.keys()]);
    expect((await a.blobs.listPins()).sort()).toEqual(added.map((m) => m.cid).sort());
    for (let i = 0; i < added.length; i += 256) await a.files.advertise(added.slice(i, i + 256).map((m) => m.cid));

    const b = bob.scope()!.services;
    await waitFor(() => added.every((m) => b.sources.sourcesOf(m.cid).length > 0), 20_000, 'bob to learn the files');
    const out = join(dir, 'bob-photos');
    mkdirSync(out);
    // Count the binary piece requests alice serves: one by one, 42 files would take at least 41.
    let requests = 0;
    const serve = a.files.serveChunks.bind(a.files);
    a.files.serveChunks = (caller, req, signal) => (requests++, serve(caller, req, signal));
    const saved = await b.fileClient.fetchManyToFiles(
      added.map((m) => m.cid),
      (m) => join(out, m.filename!),
    );
    a.files.serveChunks = serve;
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThanOrEqual(1 + 6); // the 40 small ones share one; the video takes at most one per piece
    expect(saved.map((s) => s.manifest.filename).sort()).toEqual([...files.keys()].sort());
    for (const [name, bytes] of files) expect(sha256(readFileSync(join(out, name)))).toBe(sha256(bytes));
    expect(readdirSync(out).sort()).toEqual([...files.keys()].sort()); // no temp names left behind
    // Bob's store holds every one of them (linked to the saved files), so he can offer them onward.
    for (const m of added) expect(await b.blobs.hasBlob(m.cid)).toBe(true);
  }, 120_000);

  it('a file fetched straight into its place never appears under its final name before it is whole', async () => {
    const data = randomBytes(8 * 1024 * 1024 + 99);
    const src = join(dir, 'film.bin');
    writeFileSync(src, data);
    const a = alice.scope()!.services;
    const m = await a.fileClient.addFile(src);
    await a.files.advertise([m.cid]);
    const b = bob.scope()!.services;
    await waitFor(() => b.sources.sourcesOf(m.cid).length > 0, 20_000, 'bob to learn the file');

    const target = join(dir, 'bob-film.bin');
    let polling = true;
    const watcher = (async () => {
      // Whenever the name exists, it must hold every byte already.
      for (let i = 0; polling && i < 100_000; i++) {
        if (existsSync(target)) {
          expect(sha256(readFileSync(target))).toBe(sha256(data));
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      const r = await b.fileClient.fetchToFile(m.cid, () => target);
      expect(r.path).toBe(target);
    } finally {
      polling = false;
      await watcher;
    }
    expect(sha256(readFileSync(target))).toBe(sha256(data));
  }, 60_000);

  it('a shared file changed by its owner is withdrawn: file.cid.unpinned reaches the neighbours, who stop naming the holder', async () => {
    const src = join(dir, 'recipe.txt');
    writeFileSync(src, randomBytes(300_000));
    const a = alice.scope()!.services;
    const m = await a.fileClient.addFile(src, { pin: true });
    await a.files.advertise([m.cid]);
    const b = bob.scope()!.services;
    await waitFor(
      () => b.sources.sourcesOf(m.cid).includes(alice.kp.nodeIdFull),
      20_000,
      'bob to learn alice holds it',
    );
    writeFileSync(src, randomBytes(300_001)); // the owner edits the file
    await waitFor(
      async () => {
        await a.blobs.readChunk(m.chunks[0].cid).catch(() => undefined); // any read notices (at most once a second)
        return !(await a.blobs.hasBlob(m.cid));
      },
      10_000,
      'alice to notice',
    );
    await waitFor(() => !b.sources.sourcesOf(m.cid).includes(alice.kp.nodeIdFull), 20_000, 'bob to drop alice');
  }, 60_000);
});
