import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore, chunkBlob, hashBytes, type BlobStoreOptions } from '../../../src-main/runtime/blobs';
import { bytes, FakeDisk, rejectsWith, tempDir } from './helpers';

const MB = 1024 * 1024;
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

async function newStore(opts: BlobStoreOptions = {}): Promise<{ store: BlobStore; dir: string }> {
  const t = await tempDir('store');
  cleanups.push(t.cleanup);
  const store = new BlobStore(t.dir, { marginBytes: 0, ...opts });
  await store.start();
  return { store, dir: t.dir };
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('chunks', () => {
  it('write, has, read, delete; sharded by prefix; totalBytes follows', async () => {
    const { store, dir } = await newStore();
    const data = bytes(1000);
    const cid = await hashBytes(data);
    expect(await store.writeChunk(cid, data)).toBe(true);
    expect(await store.writeChunk(cid, data)).toBe(false); // already there
    expect(await store.has(cid)).toBe(true);
    expect(await store.readChunk(cid)).toEqual(data);
    const hex = cid.slice(7);
    await expect(readFile(join(dir, 'chunks', hex.slice(0, 2), hex.slice(2, 4), hex))).resolves.toHaveLength(1000);
    expect(store.totalBytes()).toBe(1000);
    expect(await store.deleteChunk(cid)).toBe(true);
    expect(await store.deleteChunk(cid)).toBe(false);
    expect(store.totalBytes()).toBe(0);
    await rejectsWith(store.readChunk(cid), 'not_found');
  });

  it('refuses a chunk whose bytes do not match its CID and stores nothing', async () => {
    const { store, dir } = await newStore();
    const cid = await hashBytes(bytes(10, 1));
    await rejectsWith(store.writeChunk(cid, bytes(10, 2)), 'hash_mismatch');
    expect(await store.has(cid)).toBe(false);
    expect(await filesUnder(join(dir, 'chunks'))).toEqual([]);
    expect(store.totalBytes()).toBe(0);
  });

  it('refuses malformed CIDs (no path tricks) with manifest_invalid', async () => {
    const { store } = await newStore();
    for (const bad of ['../../etc/passwd', 'blake3:../../x', 'blake3:ABC', `blake3:${'g'.repeat(64)}`, '']) {
      await rejectsWith(store.has(bad), 'manifest_invalid');
      await rejectsWith(store.writeChunk(bad, bytes(1)), 'manifest_invalid');
    }
  });

  it('a chunk damaged on disk is reported as hash_mismatch, removed, and then listed as missing', async () => {
    const { store, dir } = await newStore();
    const { manifest, chunks } = await chunkBlob(bytes(300, 4), { chunkSize: 100 });
    await store.writeBlob(manifest, chunks);
    const hex = manifest.chunks[1].cid.slice(7);
    await writeFile(join(dir, 'chunks', hex.slice(0, 2), hex.slice(2, 4), hex), bytes(100, 99));
    await rejectsWith(store.readChunk(manifest.chunks[1].cid), 'hash_mismatch');
    expect((await store.missingChunks(manifest)).map((r) => r.index)).toEqual([1]);
    expect(await store.hasBlob(manifest.cid)).toBe(false);
  });

  it('serving a peer re-hashes a chunk once per process: damage found on disk is removed, not served', async () => {
    const { store, dir } = await newStore();
    const { manifest, chunks } = await chunkBlob(bytes(300, 5), { chunkSize: 100 });
    await store.writeBlob(manifest, chunks);
    const hex = manifest.chunks[1].cid.slice(7);
    await writeFile(join(dir, 'chunks', hex.slice(0, 2), hex.slice(2, 4), hex), bytes(100, 98));
    // A later run of the node (a new store on the same folder) has not checked this file yet.
    const restarted = new BlobStore(dir, { marginBytes: 0 });
    await restarted.start();
    await rejectsWith(restarted.readChunkForPeer(manifest.chunks[1].cid), 'hash_mismatch');
    expect((await restarted.missingChunks(manifest)).map((r) => r.index)).toEqual([1]);
    // Good chunks are served, and re-hashed only the first time.
    expect(await restarted.readChunkForPeer(manifest.chunks[0].cid)).toEqual(chunks[0]);
    expect(await restarted.readChunkForPeer(manifest.chunks[0].cid)).toEqual(chunks[0]);
  });
});

describe('blobs', () => {
  it('writeBlob makes a blob visible with its manifest; listCids/listBlobs/readBlobBytes', async () => {
    const { store } = await newStore();
    const data = bytes(2500, 8);
    const { manifest, chunks } = await chunkBlob(data, {
      chunkSize: 1000,
      filename: 'x.bin',
      mimeType: 'application/octet-stream',
    });
    await store.writeBlob(manifest, chunks);
    expect(await store.hasBlob(manifest.cid)).toBe(true);
    expect(await store.readManifest(manifest.cid)).toEqual(manifest);
    expect(await store.listCids()).toEqual([manifest.cid]);
    expect(await store.listCids(manifest.cid.slice(7, 12))).toEqual([manifest.cid]);
    expect(await store.listCids('ffffffffff')).toEqual(
      manifest.cid.startsWith('blake3:ffffffffff') ? [manifest.cid] : [],
    );
    expect(await store.listBlobs()).toEqual([manifest]);
    expect(await store.readBlobBytes(manifest.cid)).toEqual(data);
    await rejectsWith(store.readBlobBytes(manifest.cid, { maxBytes: 100 }), 'io_error');
  });

  it('writeBlob with one bad chunk writes nothing at all', async () => {
    const { store, dir } = await newStore();
    const { manifest, chunks } = await chunkBlob(bytes(300, 4), { chunkSize: 100 });
    const bad = [chunks[0], chunks[1], bytes(100, 77)];
    await rejectsWith(store.writeBlob(manifest, bad), 'hash_mismatch');
    await rejectsWith(store.writeBlob(manifest, chunks.slice(0, 2)), 'manifest_invalid');
    expect(await filesUnder(join(dir, 'chunks'))).toEqual([]);
    expect(await store.listCids()).toEqual([]);
    expect(store.totalBytes()).toBe(0);
  });

  it('an interrupted write leaves no visible partial blob; restart clears temp files and recounts bytes', async () => {
    const { store, dir } = await newStore();
    const { manifest, chunks } = await chunkBlob(bytes(300, 4), { chunkSize: 100 });
    // A crash after two chunks and before the manifest: chunks present, temp file left over.
    await store.writeChunk(manifest.chunks[0].cid, chunks[0]);
    await store.writeChunk(manifest.chunks[1].cid, chunks[1]);
    await writeFile(join(dir, 'tmp', 'manifest.123.abc.tmp'), '{"cid":');
    expect(await store.hasBlob(manifest.cid)).toBe(false);
    await rejectsWith(store.readManifest(manifest.cid), 'not_found');
    const again = new BlobStore(dir, { marginBytes: 0 });
    await again.start();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await again.listCids()).toEqual([]);
    expect(again.totalBytes()).toBe(200);
    expect((await again.missingChunks(manifest)).map((r) => r.index)).toEqual([2]);
  });

  it('readBlobStream yields each chunk in order with its ref', async () => {
    const { store } = await newStore();
    const { manifest, chunks } = await chunkBlob(bytes(250, 12), { chunkSize: 100 });
    await store.writeBlob(manifest, chunks);
    const seen: [number, number][] = [];
    for await (const [ref, data] of store.readBlobStream(manifest.cid)) {
      expect(data).toEqual(chunks[ref.index]);
      seen.push([ref.index, data.length]);
    }
    expect(seen).toEqual([
      [0, 100],
      [1, 100],
      [2, 50],
    ]);
  });

  it('an import cancelled part-way leaves no blob and removes the chunks it added', async () => {
    const { store, dir } = await newStore();
    const path = join(dir, 'in.bin');
    await writeFile(path, bytes(1024 * 1024, 13));
    const ctrl = new AbortController();
    const err = await rejectsWith(
      store.importFile(path, {
        chunkSize: 64 * 1024,
        signal: ctrl.signal,
        onProgress: (p) => p.bytes >= 256 * 1024 && ctrl.abort(),
      }),
      'cancelled',
    );
    expect(err.wireCode).toBe('cancelled');
    expect(await store.listCids()).toEqual([]);
    expect(await filesUnder(join(dir, 'chunks'))).toEqual([]);
    expect(store.totalBytes()).toBe(0);
  });

  it('unknown blobs are not_found', async () => {
    const { store } = await newStore();
    const cid = await hashBytes(bytes(3));
    expect(await store.hasBlob(cid)).toBe(false);
    await rejectsWith(store.readManifest(cid), 'not_found');
    await rejectsWith(store.exportToFile(cid, '/tmp/never-written'), 'not_found');
  });
});

describe('pins and gc', () => {
  it('pins persist across restarts; unpin returns the file.cid.unpinned data', async () => {
    const { store, dir } = await newStore();
    const cid = await hashBytes(bytes(3));
    await store.pin(cid);
    expect(await store.isPinned(cid)).toBe(true);
    const again = new BlobStore(dir);
    await again.start();
    expect(await again.isPinned(cid)).toBe(true);
    expect(await again.unpin(cid)).toEqual({ cids: [cid] });
    expect(await again.unpin(cid)).toBeNull();
    const third = new BlobStore(dir);
    await third.start();
    expect(await third.isPinned(cid)).toBe(false);
  });

  it('does nothing under the threshold; above it deletes unpinned blobs LRU-first down to the target, sparing pinned ones and shared chunks', async () => {
    let clock = 1_000_000;
    // 10 MB disk, 4.4 MB used by other files; each blob is 1 MB; gc above 75%.
    const disk = new FakeDisk(10 * MB, 4.4 * MB);
    const { store: s } = await newStore({ gcThreshold: 0.75, diskUsage: disk.usage, now: () => clock });
    const store = disk.holds(s);
    const blobs = [];
    for (let i = 0; i < 3; i++) {
      const { manifest, chunks } = await chunkBlob(bytes(MB, 10 + i), { chunkSize: 256 * 1024 });
      await store.writeBlob(manifest, chunks);
      blobs.push(manifest);
    }
    expect(await store.gc(0.72)).toBe(0); // 7.4 MB used: under the threshold
    await store.pin(blobs[0].cid);
    // Use order: blob 2 oldest, then blob 1 (readManifest stamps last use).
    clock += 1000;
    await store.readManifest(blobs[2].cid);
    clock += 1000;
    await store.readManifest(blobs[1].cid);
    // An orphan chunk (from an interrupted import) goes first.
    const orphan = bytes(200 * 1024, 55);
    await store.writeChunk(await hashBytes(orphan), orphan);

    // ~7.6 MB used of 10: over 75%; down to 72% needs ~0.4 MB: the orphan, then the LRU unpinned blob (2).
    const freed = await store.gc(0.72);
    expect(freed).toBeGreaterThan(MB);
    expect(freed).toBeLessThan(1.3 * MB);
    expect(await store.hasBlob(blobs[2].cid)).toBe(false);
    expect(await store.has(blobs[2].chunks[0].cid)).toBe(false);
    expect(await store.hasBlob(blobs[1].cid)).toBe(true);
    expect(await store.hasBlob(blobs[0].cid)).toBe(true);
    expect(await store.has(await hashBytes(orphan))).toBe(false);
    // Now ~6.4 MB: under the threshold, nothing more goes.
    expect(await store.gc(0.1)).toBe(0);
    // With a lower threshold, blob 1 goes too but the pinned blob 0 never does.
    const lowDisk = new FakeDisk(10 * MB, 4.4 * MB);
    const low = lowDisk.holds(new BlobStore(store.dir, { gcThreshold: 0.5, diskUsage: lowDisk.usage }));
    await low.start();
    expect(await low.gc(0.1)).toBeGreaterThan(MB);
    expect(await low.listCids()).toEqual([blobs[0].cid]);
    expect(await low.hasBlob(blobs[0].cid)).toBe(true);
  });

  it('gc never deletes a chunk that a kept blob shares, nor a pinned chunk', async () => {
    const disk = new FakeDisk(10 * MB, 5 * MB);
    const { store: s } = await newStore({ gcThreshold: 0.1, diskUsage: disk.usage });
    const store = disk.holds(s);
    const shared = bytes(100, 1);
    const a = await chunkBlob(new Uint8Array([...shared, ...bytes(100, 2)]), { chunkSize: 100 });
    const b = await chunkBlob(new Uint8Array([...shared, ...bytes(100, 3)]), { chunkSize: 100 });
    await store.writeBlob(a.manifest, a.chunks);
    await store.writeBlob(b.manifest, b.chunks);
    await store.pin(b.manifest.cid);
    const lone = bytes(50, 9);
    const loneCid = await hashBytes(lone);
    await store.writeChunk(loneCid, lone);
    await store.pin(loneCid);
    await store.gc(0);
    expect(await store.hasBlob(a.manifest.cid)).toBe(false);
    expect(await store.hasBlob(b.manifest.cid)).toBe(true);
    expect(await store.has(loneCid)).toBe(true);
  });
});

describe('disk_full', () => {
  it('a write that would leave less than the safety margin fails with disk_full and writes nothing', async () => {
    const t = await tempDir('full');
    cleanups.push(t.cleanup);
    const disk = new FakeDisk(4 * MB, 1 * MB);
    const store = disk.holds(new BlobStore(t.dir, { diskUsage: disk.usage, marginBytes: 2.9 * MB }));
    await store.start();
    const { manifest, chunks } = await chunkBlob(bytes(1.5 * MB, 3));
    const err = await rejectsWith(store.writeBlob(manifest, chunks), 'disk_full');
    expect(err.wireCode).toBe('capacity_exceeded');
    const path = join(t.dir, 'big.bin');
    await writeFile(path, bytes(1.5 * MB, 3));
    await rejectsWith(store.importFile(path, { copy: true }), 'disk_full');
    await rejectsWith(store.writeChunk(manifest.chunks[0].cid, chunks[0]), 'disk_full');
    expect(await filesUnder(join(t.dir, 'chunks'))).toEqual([]);
    expect(await filesUnder(join(t.dir, 'manifests'))).toEqual([]);
    expect(store.totalBytes()).toBe(0);
    // A small one still fits.
    const small = await chunkBlob(bytes(1000, 4));
    await store.writeBlob(small.manifest, small.chunks);
    expect(await store.hasBlob(small.manifest.cid)).toBe(true);
  });

  it('an import that runs out of space part-way leaves no blob and removes the chunks it added', async () => {
    const t = await tempDir('full2');
    cleanups.push(t.cleanup);
    let shrink = 0;
    // Other files grow during the import, so the up-front check passes but a later chunk fails.
    const disk = new FakeDisk(10 * MB, () => 2 * MB + shrink);
    const store = disk.holds(new BlobStore(t.dir, { diskUsage: disk.usage, marginBytes: 1 * MB }));
    await store.start();
    await mkdir(join(t.dir, 'in'), { recursive: true });
    const path = join(t.dir, 'in', 'f.bin');
    await writeFile(path, bytes(3 * MB, 6));
    const run = store.importFile(path, { copy: true, onProgress: (p) => (shrink = p.bytes >= MB ? 5 * MB : 0) });
    await rejectsWith(run, 'disk_full');
    expect(await store.listCids()).toEqual([]);
    expect(await filesUnder(join(t.dir, 'chunks'))).toEqual([]);
    expect(store.totalBytes()).toBe(0);
  });
});
