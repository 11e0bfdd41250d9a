/** Linked blobs: a file added is hashed in place, a fetched file is moved onto the user's path (blobs/pack-links.ts). */
import { memoryLogger } from '../../support/memory-logger';
import { readdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore, chunkBlob, type BlobManifest } from '../../../src-main/runtime/blobs';
import { bytes, rejectsWith, tempDir } from './helpers';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function dir(): Promise<string> {
  const t = await tempDir('links');
  cleanups.push(t.cleanup);
  return t.dir;
}

async function open_(d: string): Promise<BlobStore> {
  const s = new BlobStore(join(d, 'store'), { marginBytes: 0, log: memoryLogger('blobs').log });
  await s.start();
  cleanups.unshift(() => s.stop());
  return s;
}

const filesIn = async (d: string) =>
  (await readdir(d, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();

async function fetchInto(store: BlobStore, m: BlobManifest, chunks: Uint8Array[]): Promise<void> {
  await store.writePartial(m);
  for (const ref of m.chunks) await store.writeFetchedChunk(m, ref.cid, chunks[ref.index]);
  await store.completeBlob(m.cid);
}

describe('linked blobs', () => {
  it('an added file is hashed where it is: no copy in the store, readable, kept across a restart, and the same id as a copy', async () => {
    const d = await dir();
    const path = join(d, 'photo.jpg');
    const data = bytes(700_000, 5);
    await writeFile(path, data);
    const store = await open_(d);
    const m = await store.importFile(path, { chunkSize: 65_536 });
    expect(m.cid).toBe((await chunkBlob(data, { chunkSize: 65_536 })).manifest.cid);
    const kept = await filesIn(join(d, 'store'));
    expect(kept.filter((n) => n.endsWith('.pack') || /^[0-9a-f]{64}$/.test(n))).toEqual([]); // no pack, no chunk files
    expect(kept.filter((n) => n.endsWith('.link')).length).toBe(1);
    expect(store.totalBytes()).toBeLessThan(10_000); // the bytes are the user's, not the store's
    expect(Buffer.from(await store.readBlobBytes(m.cid)).equals(Buffer.from(data))).toBe(true);
    await store.stop();
    const again = await open_(d);
    expect(await again.hasBlob(m.cid)).toBe(true);
    expect(
      Buffer.from(await again.readChunkForPeer(m.chunks[3].cid)).equals(
        Buffer.from(data.subarray(3 * 65_536, 4 * 65_536)),
      ),
    ).toBe(true);
    // Removing the blob removes the link, never the user's file.
    await again.deleteBlob(m.cid);
    expect(await again.hasBlob(m.cid)).toBe(false);
    expect((await readFile(path)).equals(Buffer.from(data))).toBe(true);
  });

  it('a linked file that is changed or removed no longer holds the blob (found at read and at start)', async () => {
    const d = await dir();
    const a = join(d, 'a.bin');
    const b = join(d, 'b.bin');
    await writeFile(a, bytes(300_000, 6));
    await writeFile(b, bytes(300_000, 7));
    const store = await open_(d);
    const lost: string[] = [];
    store.onBlobLost((cid) => lost.push(cid));
    const ma = await store.importFile(a, { chunkSize: 65_536 });
    const mb = await store.importFile(b, { chunkSize: 65_536 });
    await store.pin(ma.cid);
    // Changed while running: the next read sees a new mtime, drops the link and the blob, and says so.
    await writeFile(a, bytes(300_000, 8));
    await utimes(a, new Date(), new Date(Date.now() + 5000));
    await rejectsWith(store.readChunk(ma.chunks[0].cid), 'not_found');
    expect(await store.listCids()).toEqual([mb.cid]);
    expect(lost).toEqual([ma.cid]);
    expect(await store.isPinned(ma.cid)).toBe(false); // nothing left to keep
    await store.stop();
    // Removed while stopped: gone at the next start, told to the first listener.
    await unlink(b);
    const again = await open_(d);
    expect(await again.listCids()).toEqual([]);
    const lostAtStart: string[] = [];
    again.onBlobLost((cid) => lostAtStart.push(cid));
    expect(lostAtStart).toEqual([mb.cid]);
  });

  it('a linked file removed while its handle is open is noticed (the handle still reads the old bytes)', async () => {
    const d = await dir();
    const c = join(d, 'c.bin');
    await writeFile(c, bytes(200_000, 9));
    const store = await open_(d);
    const lost: string[] = [];
    store.onBlobLost((cid) => lost.push(cid));
    const m = await store.importFile(c, { chunkSize: 65_536 });
    await store.readChunk(m.chunks[0].cid); // opens the handle
    await unlink(c);
    await new Promise((r) => setTimeout(r, 1100)); // the link is re-checked at most once a second
    await rejectsWith(store.readChunk(m.chunks[1].cid), 'not_found');
    expect(lost).toEqual([m.cid]);
    expect(await store.hasBlob(m.cid)).toBe(false);
  });

  it("a fetched blob is moved onto the user's path: written once, no temp name left, still held and served", async () => {
    const d = await dir();
    const store = await open_(d);
    const data = bytes(500_000, 9);
    const { manifest: m, chunks } = await chunkBlob(data, { chunkSize: 65_536, filename: 'x.bin' });
    await fetchInto(store, m, chunks);
    const out = join(d, 'x.bin');
    expect(await store.moveToFile(m.cid, out)).toBe(true);
    expect((await readFile(out)).equals(Buffer.from(data))).toBe(true);
    expect((await filesIn(join(d, 'store', 'packs'))).filter((n) => !n.endsWith('.link'))).toEqual([]);
    expect(await filesIn(d)).toEqual(expect.arrayContaining(['x.bin']));
    expect(await store.hasBlob(m.cid)).toBe(true);
    expect(Buffer.from(await store.readChunkForPeer(m.chunks[2].cid)).equals(Buffer.from(chunks[2]))).toBe(true);
    // A second copy elsewhere cannot move (the blob is the user's file now): the caller copies.
    expect(await store.moveToFile(m.cid, join(d, 'y.bin'))).toBe(false);
    await store.stop();
    const again = await open_(d);
    expect(await again.hasBlob(m.cid)).toBe(true);
    expect((await stat(out)).size).toBe(data.length);
  });

  it('moving never replaces an existing file', async () => {
    const d = await dir();
    const store = await open_(d);
    const { manifest: m, chunks } = await chunkBlob(bytes(200_000, 10), { chunkSize: 65_536 });
    await fetchInto(store, m, chunks);
    const out = join(d, 'taken.bin');
    await writeFile(out, 'mine');
    await rejectsWith(store.moveToFile(m.cid, out), 'io_error');
    expect(await readFile(out, 'utf8')).toBe('mine');
    expect(Buffer.from(await store.readBlobBytes(m.cid)).equals(Buffer.concat(chunks))).toBe(true);
  });
});
