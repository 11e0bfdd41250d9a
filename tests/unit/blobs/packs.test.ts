/** Fetched blobs live in packs (one file per blob, chunks at their offsets) — see blobs/packs.ts. */
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore, chunkBlob, type BlobManifest } from '../../../src-main/runtime/blobs';
import { bytes, FakeDisk, rejectsWith, tempDir } from './helpers';

const MB = 1024 * 1024;
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function dir(): Promise<string> {
  const t = await tempDir('packs');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function open_(d: string, opts = {}): Promise<BlobStore> {
  const s = new BlobStore(d, { marginBytes: 0, ...opts });
  await s.start();
  cleanups.unshift(() => s.stop());
  return s;
}

/** Fetches `chunks` of `m` into `store` as a transfer does (partial manifest, pack writes, complete). */
async function fetchInto(store: BlobStore, m: BlobManifest, chunks: Uint8Array[], only?: number[]): Promise<void> {
  await store.writePartial(m);
  for (const ref of m.chunks)
    if (!only || only.includes(ref.index)) await store.writeFetchedChunk(m, ref.cid, chunks[ref.index]);
}

const filesIn = async (d: string, sub: string) =>
  (await readdir(join(d, sub), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();

describe('packs', () => {
  it('a fetched blob is one pack file, readable chunk by chunk and whole, counted in totalBytes', async () => {
    const d = await dir();
    const store = await open_(d);
    const data = bytes(2500, 3);
    const { manifest: m, chunks } = await chunkBlob(new Uint8Array([...data, ...data.subarray(0, 1000)]), {
      chunkSize: 1000,
    }); // a repeated chunk
    await fetchInto(store, m, chunks);
    await store.completeBlob(m.cid);
    expect(await store.hasBlob(m.cid)).toBe(true);
    expect(await filesIn(d, 'chunks')).toEqual([]);
    expect((await filesIn(d, 'packs')).length).toBe(2);
    for (const ref of m.chunks) expect(await store.readChunk(ref.cid)).toEqual(chunks[ref.index]);
    expect(Buffer.compare(Buffer.from(await store.readBlobBytes(m.cid)), Buffer.concat(chunks))).toBe(0);
    expect(store.totalBytes()).toBeGreaterThanOrEqual(m.size_bytes);
  });

  it('survives a restart: which chunks a pack holds is read back, so a fetch resumes where it stopped', async () => {
    const d = await dir();
    const { manifest: m, chunks } = await chunkBlob(bytes(4000, 4), { chunkSize: 1000 });
    const first = await open_(d);
    await fetchInto(first, m, chunks, [0, 2]);
    await first.stop();
    const again = await open_(d);
    expect((await again.missingChunks(m)).map((r) => r.index)).toEqual([1, 3]);
    await fetchInto(again, m, chunks, [1, 3]);
    await again.completeBlob(m.cid);
    expect(Buffer.compare(Buffer.from(await again.readBlobBytes(m.cid)), Buffer.concat(chunks))).toBe(0);
  });

  it('a chunk damaged inside a pack is refused, dropped, and fetched again', async () => {
    const d = await dir();
    const { manifest: m, chunks } = await chunkBlob(bytes(3000, 5), { chunkSize: 1000 });
    const first = await open_(d);
    await fetchInto(first, m, chunks);
    await first.completeBlob(m.cid);
    await first.stop();
    const fh = await open(join(d, 'packs', `${m.cid.slice(7)}.pack`), 'r+');
    await fh.write(Buffer.from('garbage'), 0, 7, 1500); // inside chunk 1
    await fh.close();
    const store = await open_(d);
    await rejectsWith(store.readChunkForPeer(m.chunks[1].cid), 'hash_mismatch');
    expect(await store.hasBlob(m.cid)).toBe(false);
    expect((await store.missingChunks(m)).map((r) => r.index)).toEqual([1]);
    await store.writeFetchedChunk(m, m.chunks[1].cid, chunks[1]);
    expect(await store.hasBlob(m.cid)).toBe(true);
    expect(await store.readChunk(m.chunks[1].cid)).toEqual(chunks[1]);
  });

  it('a damaged pack copy falls back to a good chunk file of the same chunk', async () => {
    const d = await dir();
    const { manifest: m, chunks } = await chunkBlob(bytes(2000, 15), { chunkSize: 1000 });
    const first = await open_(d);
    await fetchInto(first, m, chunks);
    await first.completeBlob(m.cid);
    await first.writeChunk(m.chunks[0].cid, chunks[0]); // also held as a chunk file
    await first.stop();
    const fh = await open(join(d, 'packs', `${m.cid.slice(7)}.pack`), 'r+');
    await fh.write(Buffer.from('garbage'), 0, 7, 10);
    await fh.close();
    const store = await open_(d);
    expect(await store.readChunk(m.chunks[0].cid)).toEqual(chunks[0]);
    expect(await store.hasBlob(m.cid)).toBe(true);
  });

  it('a pack whose blob has no manifest is removed at start', async () => {
    const d = await dir();
    const { manifest: m, chunks } = await chunkBlob(bytes(2000, 6), { chunkSize: 1000 });
    const first = await open_(d);
    await fetchInto(first, m, chunks);
    await first.stop();
    await rm(join(d, 'partial', `${m.cid.slice(7)}.json`));
    const store = await open_(d);
    expect(await filesIn(d, 'packs')).toEqual([]);
    expect(await store.has(m.chunks[0].cid)).toBe(false);
  });

  it('a packed blob holds its own copy of chunks it shares, so gc of the other blob leaves it whole', async () => {
    const d = await dir();
    const disk = new FakeDisk(10 * MB, 5 * MB);
    const store = disk.holds(await open_(d, { gcThreshold: 0.1, diskUsage: disk.usage }));
    const shared = bytes(1000, 7);
    const a = await chunkBlob(new Uint8Array([...shared, ...bytes(1000, 8)]), { chunkSize: 1000 });
    const b = await chunkBlob(new Uint8Array([...shared, ...bytes(1000, 9)]), { chunkSize: 1000 });
    await store.writeBlob(a.manifest, a.chunks); // imported: chunk files
    await fetchInto(store, b.manifest, b.chunks, [1]); // the shared chunk is "already held"
    await store.completeBlob(b.manifest.cid);
    await store.pin(b.manifest.cid);
    await store.gc(0);
    expect(await store.hasBlob(a.manifest.cid)).toBe(false);
    // Even with the shared chunk file gone, b reads from its own pack.
    const hex = b.manifest.chunks[0].cid.slice(7);
    await rm(join(d, 'chunks', hex.slice(0, 2), hex.slice(2, 4), hex), { force: true });
    expect(await store.hasBlob(b.manifest.cid)).toBe(true);
    expect(await store.readChunk(b.manifest.chunks[0].cid)).toEqual(shared);
  });

  it('gc removes a blob together with its pack', async () => {
    const d = await dir();
    const disk = new FakeDisk(10 * MB, 5 * MB);
    const store = disk.holds(await open_(d, { gcThreshold: 0.1, diskUsage: disk.usage }));
    const { manifest: m, chunks } = await chunkBlob(bytes(3000, 10), { chunkSize: 1000 });
    await fetchInto(store, m, chunks);
    await store.completeBlob(m.cid);
    const before = store.totalBytes();
    expect(await store.gc(0)).toBeGreaterThanOrEqual(m.size_bytes);
    expect(await store.hasBlob(m.cid)).toBe(false);
    expect(await filesIn(d, 'packs')).toEqual([]);
    expect(store.totalBytes()).toBeLessThan(before - m.size_bytes + 1);
  });
});

describe('deleteBlob', () => {
  it('removes the manifest, the pack and chunk files nothing else uses; refuses a pinned blob', async () => {
    const d = await dir();
    const store = await open_(d);
    const shared = bytes(1000, 11);
    const a = await chunkBlob(new Uint8Array([...shared, ...bytes(1000, 12)]), { chunkSize: 1000 });
    const b = await chunkBlob(new Uint8Array([...shared, ...bytes(1000, 13)]), { chunkSize: 1000 });
    await store.writeBlob(a.manifest, a.chunks);
    await store.writeBlob(b.manifest, b.chunks);
    const { manifest: f, chunks } = await chunkBlob(bytes(2000, 14), { chunkSize: 1000 });
    await fetchInto(store, f, chunks);
    await store.completeBlob(f.cid);
    await store.pin(b.manifest.cid);
    await rejectsWith(store.deleteBlob(b.manifest.cid), 'io_error');
    expect(await store.deleteBlob(a.manifest.cid)).toBeGreaterThanOrEqual(1000);
    expect(await store.hasBlob(b.manifest.cid)).toBe(true); // the shared chunk stays for b
    expect(await store.deleteBlob(f.cid)).toBeGreaterThanOrEqual(2000);
    expect(await filesIn(d, 'packs')).toEqual([]);
    expect(await store.listCids()).toEqual([b.manifest.cid]);
  });
});
