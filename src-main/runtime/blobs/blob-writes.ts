/** Putting whole blobs into the store: from memory (`writeBlob`) and from a local file (`importFile`). Internal to BlobStore. */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { canonicalJson, type Cid } from '../../common';
import { dropUnreferenced } from './blob-removal';
import { chunkFile, verifyChunk, type BlobManifest, type ChunkFileOptions, type ChunkRef } from './chunker';
import { assertRoom } from './disk';
import { errnoOf, ioError } from './fs-util';
import { parseManifest, readManifestFile } from './manifest';
import { missingIn, uniqueBytes, type StoreParts } from './store-parts';
import { BlobError } from './errors';

export interface ImportOptions extends Omit<ChunkFileOptions, 'chunkSize'> {
  chunkSize?: number;
  /**
   * Copy the bytes into the store (chunk files, each fsync'd) instead of keeping the blob in the
   * file itself. Default false: the file is read once to hash it and stays where it is; if it is
   * later changed or removed, this device no longer holds the blob.
   */
  copy?: boolean;
  /**
   * Make the new link and manifest durable now (default true). A batch of imports passes false and
   * calls `BlobStore.syncBatch()` once at the end: one round of fsyncs for the whole batch.
   */
  durable?: boolean;
}

/** Checks a whole blob held in memory, then writes it; the manifest last, so it is visible only when complete. */
export async function writeBlob(
  p: StoreParts,
  manifest: BlobManifest,
  chunks: readonly Uint8Array[],
): Promise<BlobManifest> {
  const m = await parseManifest(manifest);
  if (chunks.length !== m.chunks.length)
    throw new BlobError(
      'manifest_invalid',
      `The manifest lists ${m.chunks.length} chunks but ${chunks.length} were given.`,
    );
  for (const ref of m.chunks) {
    const data = chunks[ref.index];
    if (data.length !== ref.size_bytes)
      throw new BlobError(
        'hash_mismatch',
        `Chunk ${ref.index} has ${data.length} bytes; the manifest says ${ref.size_bytes}.`,
        { details: { index: ref.index } },
      );
    await verifyChunk(data, ref.cid);
  }
  const release = await p.hold();
  try {
    // Chunk files of its own (not chunks some pack holds): a blob written here never depends on
    // another blob's pack, which goes when that blob does.
    const missing: ChunkRef[] = [];
    for (const ref of m.chunks) if (!(await p.chunks.has(ref.cid))) missing.push(ref);
    const needed = uniqueBytes(missing) + Buffer.byteLength(canonicalJson(m));
    assertRoom(await p.diskUsage(), needed, p.margin, m.filename ? `"${m.filename}"` : 'this file');
    for (const ref of missing) await p.chunks.put(ref.cid, chunks[ref.index]);
    await p.manifests.write(p.layout.manifestPath(m.cid), m, p.fsync);
    return m;
  } finally {
    release();
  }
}

/**
 * Imports a file by streaming it (one chunk in memory at a time). By default the file is only
 * read (hashed, one pass) and the store keeps a link to it (pack-links.ts); with `copy` the chunks
 * are copied into the store. On failure no blob becomes visible and the chunks this import added
 * (and no other blob uses) are removed.
 */
export async function importFile(p: StoreParts, path: string, opts: ImportOptions = {}): Promise<BlobManifest> {
  let before: Stats;
  try {
    before = await stat(path);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT')
      throw new BlobError('not_found', `The file ${path} does not exist.`, { details: { path } });
    throw ioError(`reading ${path}`, err);
  }
  if (!opts.copy && before.isFile()) return importLinked(p, resolve(path), before, opts);
  assertRoom(await p.diskUsage(), before.size, p.margin, `"${opts.filename ?? path}"`);
  const release = await p.hold();
  const fresh: Cid[] = [];
  try {
    const m = await chunkFile(
      path,
      async (ref, bytes) => {
        if (await p.chunks.put(ref.cid, bytes)) fresh.push(ref.cid);
      },
      opts,
    );
    await p.manifests.write(p.layout.manifestPath(m.cid), m, p.fsync);
    return m;
  } catch (err) {
    await dropUnreferenced(p, fresh);
    throw err;
  } finally {
    release();
  }
}

/** Hashes the file where it is and links the blob to it (nothing copied). */
async function importLinked(p: StoreParts, path: string, before: Stats, opts: ImportOptions): Promise<BlobManifest> {
  const release = await p.hold();
  try {
    const m = await chunkFile(path, () => Promise.resolve(), opts);
    const after = await stat(path).catch(() => null);
    if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs || after.size !== m.size_bytes) {
      throw new BlobError(
        'io_error',
        `The file ${path} changed while it was being read; add it again once it is finished.`,
        { details: { path } },
      );
    }
    if (await heldWhole(p, m.cid)) return m; // already held (imported or fetched before)
    const durable = p.fsync && opts.durable !== false;
    await p.packs.link(m, { path, size: after.size, mtime_ms: after.mtimeMs }, { hashed: true, durable });
    await p.manifests.write(p.layout.manifestPath(m.cid), m, durable); // after the link: never a blob without bytes
    if (p.fsync && !durable) {
      p.later.file(p.layout.linkPath(m.cid), p.layout.packs);
      p.later.file(p.layout.manifestPath(m.cid), p.layout.manifests);
    }
    return m;
  } finally {
    release();
  }
}

/** True when the blob's manifest and every one of its chunks are stored. */
export async function heldWhole(p: StoreParts, cid: Cid): Promise<boolean> {
  const m = await readManifestFile(p.layout.manifestPath(cid), cid).catch((err: unknown) => {
    if (err instanceof BlobError && err.code === 'not_found') return null;
    throw err;
  });
  return m !== null && (await missingIn(p, m)).length === 0;
}
