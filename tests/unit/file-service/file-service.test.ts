import { afterEach, describe, expect, it } from 'vitest';
import { HearthError } from '../../../src-main/common';
import { chunkBlob, type BlobManifest } from '../../../src-main/runtime/blobs';
import { FileClient, fetchFromMesh, SourceIndex, type FileChunkData } from '../../../src-main/runtime/services/file';
import { bytes, fileMesh, readCalls, tapChunks, type FileMesh } from './helpers';

const CHUNK = 4096;
let fm: FileMesh | null = null;
afterEach(async () => {
  await fm?.cleanup();
  fm = null;
});

async function expectCode(p: Promise<unknown>, code: string): Promise<HearthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HearthError);
  expect((err as HearthError).code).toBe(code);
  return err as HearthError;
}

/** Puts the same 10-chunk blob on each named node. */
async function seed(
  m: FileMesh,
  names: string[],
  data = bytes(10 * CHUNK - 100),
): Promise<{ manifest: BlobManifest; data: Uint8Array }> {
  const { manifest, chunks } = await chunkBlob(data, {
    chunkSize: CHUNK,
    filename: 'notes.bin',
    mimeType: 'application/octet-stream',
  });
  for (const n of names) await m.nodes[n].store.writeBlob(manifest, chunks);
  return { manifest, data };
}

describe('file.read', () => {
  it('serves the manifest, one chunk by index or CID, and the whole blob as a stream of chunk frames', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const { manifest, data } = await seed(fm, ['alice']);
    const bob = fm.nodes.bob.node.bus;
    const target = { params: { node_id: fm.nodes.alice.node.id } };
    const r = (await bob.call('file.read', '1.0', { cid: manifest.cid }, target)) as { manifest: BlobManifest };
    expect(r.manifest).toEqual(manifest);
    const c3 = (await bob.call('file.read', '1.0', { cid: manifest.cid, chunk: 3 }, target)) as FileChunkData;
    expect(c3.cid).toBe(manifest.chunks[3].cid);
    expect(Buffer.from(c3.data_b64, 'base64')).toEqual(Buffer.from(data.subarray(3 * CHUNK, 4 * CHUNK)));
    const byCid = (await bob.call(
      'file.read',
      '1.0',
      { cid: manifest.cid, chunk_cid: manifest.chunks[9].cid },
      target,
    )) as FileChunkData;
    expect(byCid.index).toBe(9);
    expect(byCid.size_bytes).toBe(CHUNK - 100);

    const frames = [];
    for await (const f of bob.stream('file.read', '1.0', { cid: manifest.cid }, target)) frames.push(f);
    expect(frames.map((f) => f.event)).toEqual(['manifest', ...Array<string>(10).fill('chunk'), 'done']);
    const joined = Buffer.concat(
      frames
        .filter((f) => f.event === 'chunk')
        .map((f) => Buffer.from((f.data as unknown as FileChunkData).data_b64, 'base64')),
    );
    expect(joined).toEqual(Buffer.from(data));
  });

  it('streams a batch of pieces by index, skipping one it lacks; a batch must be streamed', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const { manifest, data } = await seed(fm, ['alice']);
    await fm.nodes.alice.store.deleteChunk(manifest.chunks[4].cid);
    const bob = fm.nodes.bob.node.bus;
    const target = { params: { node_id: fm.nodes.alice.node.id } };
    const frames = [];
    for await (const f of bob.stream('file.read', '1.0', { cid: manifest.cid, chunks: [2, 4, 5, 2] }, target))
      frames.push(f);
    expect(frames.map((f) => f.event)).toEqual(['chunk', 'chunk', 'done']);
    const got = frames.slice(0, 2).map((f) => f.data as unknown as FileChunkData);
    expect(got.map((c) => c.index)).toEqual([2, 5]);
    expect(Buffer.from(got[1].data_b64, 'base64')).toEqual(Buffer.from(data.subarray(5 * CHUNK, 6 * CHUNK)));
    await expectCode(bob.call('file.read', '1.0', { cid: manifest.cid, chunks: [1] }, target), 'bad_request');
    await expectCode(
      bob.call('file.read', '1.0', { cid: manifest.cid, chunks: [1], chunk: 1 }, target),
      'schema_mismatch',
    );
    await expectCode(bob.call('file.read', '1.0', { cid: manifest.cid, chunks: [] }, target), 'schema_mismatch');
    const bad = bob.stream('file.read', '1.0', { cid: manifest.cid, chunks: [1, 99] }, target);
    await expectCode(
      (async () => {
        for await (const f of bad) void f;
      })(),
      'not_found',
    );
  });

  it('refuses unknown files, missing pieces and malformed ids with clear codes', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const { manifest } = await seed(fm, ['alice']);
    const bob = fm.nodes.bob.node.bus;
    const target = { params: { node_id: fm.nodes.alice.node.id } };
    const unknown = `blake3:${'0'.repeat(64)}`;
    await expectCode(bob.call('file.read', '1.0', { cid: unknown }, target), 'not_found');
    await expectCode(bob.call('file.read', '1.0', { cid: manifest.cid, chunk: 10 }, target), 'not_found');
    await expectCode(bob.call('file.read', '1.0', { cid: manifest.cid, chunk_cid: unknown }, target), 'not_found');
    await expectCode(bob.call('file.read', '1.0', { cid: '../../etc/passwd' }, target), 'schema_mismatch');
    await expectCode(
      bob.call('file.read', '1.0', { cid: manifest.cid, chunk: 1, chunk_cid: manifest.chunks[1].cid }, target),
      'schema_mismatch',
    );
    // Targeting a node that does not exist finds no instance.
    await expectCode(
      bob.call('file.read', '1.0', { cid: manifest.cid }, { params: { node_id: 'nobody' } }),
      'not_found',
    );
  });
});

describe('fetching through the bus', () => {
  it('pulls one blob from two peers at once into a third node, verified', async () => {
    fm = await fileMesh();
    const { manifest, data } = await seed(fm, ['alice', 'bob']);
    const [ta, tb] = [tapChunks(fm.nodes.alice), tapChunks(fm.nodes.bob)];
    const carol = fm.nodes.carol;
    const progress: number[] = [];
    const got = await fetchFromMesh(carol.node.bus, manifest.cid, {
      store: carol.store,
      sources: [fm.nodes.alice.node.id, fm.nodes.bob.node.id],
      onProgress: (p) => progress.push(p.done_chunks),
    });
    expect(got).toEqual(manifest);
    expect(Buffer.from(await carol.store.readBlobBytes(manifest.cid))).toEqual(Buffer.from(data));
    const calls = readCalls(carol.node);
    expect(calls.alice).toBeGreaterThan(0);
    expect(calls.bob).toBeGreaterThan(0);
    expect((calls.alice ?? 0) + (calls.bob ?? 0)).toBeLessThan(11); // 1 manifest + batches of chunks
    expect(ta.served + tb.served).toBe(10); // none twice
    expect(progress.at(-1)).toBe(10);
  });

  it('resumes after an abort, fetching only the missing chunks', async () => {
    fm = await fileMesh();
    const { manifest, data } = await seed(fm, ['alice', 'bob']);
    const carol = fm.nodes.carol;
    const sources = [fm.nodes.alice.node.id, fm.nodes.bob.node.id];
    const [ta, tb] = [tapChunks(fm.nodes.alice), tapChunks(fm.nodes.bob)];
    const client = new FileClient({ bus: carol.node.bus, store: carol.store }, { concurrency: 2, batchChunks: 2 });
    const ctl = new AbortController();
    const first = client.fetch(manifest.cid, {
      sources,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.done_chunks >= 4) ctl.abort();
      },
    });
    await expectCode(first, 'cancelled');
    expect(await carol.store.hasBlob(manifest.cid)).toBe(false);
    const partial = await carol.store.readPartial(manifest.cid);
    const missing = (await carol.store.missingChunks(partial!)).length;
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThanOrEqual(6);

    carol.node.transport.sent.length = 0;
    ta.served = tb.served = 0;
    await client.fetch(manifest.cid, { sources });
    const calls = readCalls(carol.node);
    expect((calls.alice ?? 0) + (calls.bob ?? 0)).toBeLessThanOrEqual(missing); // no manifest; batches of at most 2
    expect(ta.served + tb.served).toBe(missing); // no chunk already held
    expect(Buffer.from(await carol.store.readBlobBytes(manifest.cid))).toEqual(Buffer.from(data));
    await client.stop();
  });

  it('refuses a corrupted chunk from one peer and gets it from the other', async () => {
    fm = await fileMesh();
    const { manifest, data } = await seed(fm, ['alice', 'bob']);
    // alice flips one byte of every chunk she serves.
    const alice = fm.nodes.alice;
    const ta = tapChunks(alice);
    const tb = tapChunks(fm.nodes.bob);
    ta.corrupt = true;
    const carol = fm.nodes.carol;
    await fetchFromMesh(carol.node.bus, manifest.cid, {
      store: carol.store,
      sources: [alice.node.id, fm.nodes.bob.node.id],
    });
    expect(ta.served).toBeGreaterThan(0);
    expect(Buffer.from(await carol.store.readBlobBytes(manifest.cid))).toEqual(Buffer.from(data));
    expect(tb.served).toBe(10); // every chunk ended up coming from bob
  });

  it('with no known holder, lets the bus route to whichever peer has it', async () => {
    fm = await fileMesh();
    const { manifest, data } = await seed(fm, ['bob']);
    const carol = fm.nodes.carol;
    await fetchFromMesh(carol.node.bus, manifest.cid, { store: carol.store });
    expect(Buffer.from(await carol.store.readBlobBytes(manifest.cid))).toEqual(Buffer.from(data));
  });
});

describe('file.put', () => {
  it('uploads in steps: open, verified chunks, complete; refuses bad pieces and untrusted callers', async () => {
    fm = await fileMesh(['alice', 'bob', 'carol']);
    const alice = fm.nodes.alice;
    const bob = fm.nodes.bob;
    fm.mesh.trust.levels.set(bob.node.id, 'trusted');
    const data = bytes(3 * CHUNK - 10, 3);
    const { manifest, chunks } = await chunkBlob(data, { chunkSize: CHUNK, filename: 'up.bin' });
    const to = { params: { node_id: alice.node.id } };
    const call = (body: unknown) => bob.node.bus.call('file.put', '1.0', body, to) as Promise<Record<string, unknown>>;

    await expectCode(fm.nodes.carol.node.bus.call('file.put', '1.0', { manifest }, to), 'forbidden'); // a plain member
    const opened = await call({ manifest });
    expect(opened).toMatchObject({ cid: manifest.cid, state: 'open', missing: [0, 1, 2], total_chunks: 3 });
    // hash_mismatch locally; a remote caller sees its wire code.
    const bad = await expectCode(
      call({ cid: manifest.cid, chunk_index: 0, data_b64: Buffer.from(chunks[1]).toString('base64') }),
      'bad_request',
    );
    expect(bad.message).toMatch(/does not match/);
    await expectCode(
      call({ cid: manifest.cid, chunk_index: 7, data_b64: Buffer.from(chunks[0]).toString('base64') }),
      'bad_request',
    );
    expect(await alice.store.has(manifest.chunks[0].cid)).toBe(false);
    const w0 = await call({ cid: manifest.cid, chunk_index: 0, data_b64: Buffer.from(chunks[0]).toString('base64') });
    expect(w0).toMatchObject({ missing: [1, 2], done_chunks: 1, stored: true });
    const early = await expectCode(call({ cid: manifest.cid, complete: true }), 'not_found');
    expect(early.message).toMatch(/missing/);
    expect(await alice.store.hasBlob(manifest.cid)).toBe(false);

    // Streamed step: a progress frame, then done.
    const frames = [];
    for await (const f of bob.node.bus.stream(
      'file.put',
      '1.0',
      { cid: manifest.cid, chunk_index: 1, data_b64: Buffer.from(chunks[1]).toString('base64') },
      to,
    ))
      frames.push(f);
    expect(frames.map((f) => f.event)).toEqual(['progress', 'done']);
    expect(frames[0].data).toMatchObject({ done_chunks: 2, missing: [2] });

    await call({ cid: manifest.cid, chunk_index: 2, data_b64: Buffer.from(chunks[2]).toString('base64') });
    const done = await call({ cid: manifest.cid, complete: true, pin: true });
    expect(done).toMatchObject({ state: 'complete', missing: [], pinned: true, bytes: data.length });
    expect(Buffer.from(await alice.store.readBlobBytes(manifest.cid))).toEqual(Buffer.from(data));
    const list = (await bob.node.bus.call('file.list', '1.0', {}, to)) as { blobs: unknown[] };
    expect(list.blobs).toEqual([
      { cid: manifest.cid, filename: 'up.bin', mime_type: null, size_bytes: data.length, pinned: true },
    ]);
    // Re-opening a complete blob needs nothing.
    expect(await call({ manifest })).toMatchObject({ state: 'complete', missing: [] });
    expect(alice.files.health()).toMatchObject({ open_uploads: 0 });
  });

  it('refuses a manifest whose cid does not match its content', async () => {
    fm = await fileMesh(['alice', 'bob']);
    fm.mesh.trust.levels.set(fm.nodes.bob.node.id, 'trusted');
    const { manifest } = await chunkBlob(bytes(100), { chunkSize: CHUNK });
    const forged = { ...manifest, filename: 'other.bin' };
    await expectCode(
      fm.nodes.bob.node.bus.call(
        'file.put',
        '1.0',
        { manifest: forged },
        { params: { node_id: fm.nodes.alice.node.id } },
      ),
      'bad_request',
    );
    expect(await fm.nodes.alice.store.readPartial(manifest.cid)).toBeNull();
  });
});

describe('file.advertise and the SourceIndex', () => {
  it('appends file.cid.advertised for held blobs only; the index learns and forgets holders', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const { manifest } = await seed(fm, ['alice']);
    const alice = fm.nodes.alice;
    const bus = fm.nodes.bob.node.bus;
    const to = { params: { node_id: alice.node.id } };
    const r = (await bus.call('file.advertise', '1.0', { cids: [manifest.cid] }, to)) as {
      event_id: string;
      blobs: unknown[];
    };
    expect(r.blobs).toEqual([
      {
        cid: manifest.cid,
        size_bytes: manifest.size_bytes,
        mime_type: 'application/octet-stream',
        filename: 'notes.bin',
      },
    ]);
    await expectCode(
      bus.call('file.advertise', '1.0', { cids: [manifest.cid, `blake3:${'1'.repeat(64)}`] }, to),
      'not_found',
    );
    const events = [...alice.log.replay()];
    expect(events.map((e) => e.event_type)).toEqual(['file.cid.advertised']); // the refused call appended nothing

    const index = new SourceIndex();
    for (const e of events) index.apply(e);
    expect(index.sourcesOf(manifest.cid)).toEqual([alice.kp.nodeIdFull]);
    expect(index.blob(manifest.cid)?.filename).toBe('notes.bin');
    const restored = new SourceIndex();
    restored.restoreState(JSON.parse(JSON.stringify(index.snapshotState())) as Record<string, unknown>);
    expect(restored.sourcesOf(manifest.cid)).toEqual([alice.kp.nodeIdFull]);

    await alice.store.pin(manifest.cid);
    const unpinned = await alice.store.unpin(manifest.cid);
    index.apply(alice.log.appendLocal('file.cid.unpinned', { cids: [...unpinned!.cids] }, alice.kp));
    expect(index.sourcesOf(manifest.cid)).toEqual([]);
    expect(index.cids()).toEqual([]);
  });
});
