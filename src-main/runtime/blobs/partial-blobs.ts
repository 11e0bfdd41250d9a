/** Blobs still arriving (`partial/<hex>.json`, the transfer's resume state) and turning one into a complete blob. Internal to BlobStore. */
import { rename } from 'node:fs/promises';
import { type Cid } from '../../common';
import { exists } from './chunk-files';
import type { BlobManifest } from './chunker';
import { fsyncDir, fsyncFile, ioError } from './fs-util';
import { parseManifest, readManifestFile } from './manifest';
import { missingIn, type StoreParts } from './store-parts';
import { BlobError } from './errors';

/** The manifest of an unfinished transfer, or null. */
export async function readPartial(p: StoreParts, c: Cid): Promise<BlobManifest | null> {
  try {
    return await readManifestFile(p.layout.partialPath(c), c);
  } catch (err) {
    if (err instanceof BlobError && (err.code === 'not_found' || err.code === 'manifest_invalid')) return null;
    throw err;
  }
}

/** Records a verified manifest whose chunks are still arriving (so a later fetch resumes). */
export async function writePartial(p: StoreParts, manifest: BlobManifest): Promise<void> {
  const m = await parseManifest(manifest);
  await p.manifests.write(p.layout.partialPath(m.cid), m, false);
}

/**
 * Turns a finished partial blob into a complete, visible one; 'not_found' if chunks are missing.
 * `durable: false` leaves the fsyncs to `BlobStore.syncBatch` (a batch of small files: one round
 * of fsyncs for all of them).
 */
export async function completeBlob(p: StoreParts, c: Cid, opts: { durable?: boolean } = {}): Promise<BlobManifest> {
  const from = p.layout.partialPath(c);
  const m = await readManifestFile(from, c);
  await p.packs.flush(c); // writes still in flight count once they are done
  const missing = await missingIn(p, m);
  if (missing.length)
    throw new BlobError('not_found', `${missing.length} chunk(s) of ${c} are still missing.`, {
      details: { cid: c, missing: missing.map((r) => r.index) },
    });
  if (p.packs.hasPack(c)) {
    // Chunks held elsewhere before the fetch go into this blob's own pack: it never depends on
    // a chunk file or another pack that gc may remove with its own blob.
    const buf = new Uint8Array(m.chunk_size_bytes);
    for (const ref of m.chunks)
      if (!p.packs.holds(c, ref.cid)) await p.packs.write(m, ref.cid, await p.held.readInto(ref, buf));
    await p.packs.flush(c); // every record in .have before the manifest names a complete blob
  }
  const durable = p.fsync && opts.durable !== false;
  const to = p.layout.manifestPath(c);
  try {
    if (await exists(to)) {
      await p.manifests.delete(from);
    } else {
      // The partial manifest was written without fsync: make it durable before it names a blob.
      if (durable) await fsyncFile(from);
      await rename(from, to);
      if (durable) await fsyncDir(p.layout.manifests);
      else if (p.fsync) p.later.file(to, p.layout.manifests);
    }
  } catch (err) {
    throw ioError(`finishing ${c}`, err);
  }
  return m;
}
