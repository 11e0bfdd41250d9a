/** Taking blobs off this device: `deleteBlob`, gc's deletions, and chunks nothing refers to any more. Internal to BlobStore. */
import { type Cid } from '../../common';
import { runGc } from './gc';
import { scanChunks } from './layout';
import { readManifestFile } from './manifest';
import type { StoreParts } from './store-parts';
import { BlobError } from './errors';

/**
 * Removes a blob: its manifest (complete or partial), its pack, and the chunk files no other blob
 * or pin refers to. Pinned blobs are refused ('io_error': unpin first). Resolves to the bytes freed.
 */
export async function deleteBlob(p: StoreParts, c: Cid): Promise<number> {
  if (p.pins.has(c))
    throw new BlobError('io_error', `${c} is pinned; unpin it before removing it.`, { details: { cid: c } });
  const release = await p.hold();
  try {
    const m =
      (await readManifestFile(p.layout.manifestPath(c), c).catch(() => null)) ??
      (await readManifestFile(p.layout.partialPath(c), c).catch(() => null));
    let freed =
      (await p.manifests.delete(p.layout.manifestPath(c))) +
      (await p.manifests.delete(p.layout.partialPath(c))) +
      (await p.packs.deleteBlob(c));
    const before = p.chunks.bytes;
    if (m)
      await dropUnreferenced(
        p,
        m.chunks.map((r) => r.cid),
      );
    freed += before - p.chunks.bytes;
    return freed;
  } finally {
    release();
  }
}

/** One gc pass when disk use is above `threshold`: frees down to `target` (fractions of the disk). */
export async function collectGarbage(p: StoreParts, threshold: number, target: number): Promise<number> {
  const u = await p.diskUsage();
  if (u.total <= 0 || 1 - u.free / u.total <= threshold) return 0;
  return runGc({
    need: u.total - u.free - target * u.total,
    manifests: await p.manifests.all(),
    chunks: scanChunks(p.layout),
    isPinned: (c) => p.pins.has(c),
    deleteChunk: (c) => p.chunks.delete(c),
    // A blob's pack goes with its manifest (packs are self-contained: see completeBlob).
    deleteManifest: async (e) =>
      (await p.manifests.delete(e.partial ? p.layout.partialPath(e.cid) : p.layout.manifestPath(e.cid))) +
      (await p.packs.deleteBlob(e.cid)),
  });
}

/** Deletes the given chunks unless a manifest (complete or partial) or a pin refers to them. */
export async function dropUnreferenced(p: StoreParts, cids: readonly Cid[]): Promise<void> {
  if (!cids.length) return;
  const used = new Set<Cid>();
  for (const m of await p.manifests.all()) for (const c of m.chunks) used.add(c);
  for (const c of cids) if (!used.has(c) && !p.pins.has(c)) await p.held.delete(c).catch(() => 0);
}
