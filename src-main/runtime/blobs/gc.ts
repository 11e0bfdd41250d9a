/** The gc plan: orphan chunks first, then unpinned blobs least recently used first. */
import type { Cid } from '../../common';

/** A manifest file as gc sees it. */
export interface GcManifest {
  cid: Cid;
  /** An unfinished transfer (partial/) rather than a complete blob. */
  partial: boolean;
  lastUsedMs: number;
  /** Its chunk CIDs (empty when the file could not be read). */
  chunks: readonly Cid[];
}

export interface GcDeps {
  /** Bytes to free. */
  need: number;
  manifests: readonly GcManifest[];
  /** Every stored chunk. */
  chunks: AsyncIterable<{ cid: Cid }>;
  isPinned(cid: Cid): boolean;
  /** Delete and return the bytes freed (0 if already gone). */
  deleteChunk(cid: Cid): Promise<number>;
  deleteManifest(m: GcManifest): Promise<number>;
}

/**
 * Frees at least `need` bytes if it can. Never deletes a pinned CID, a chunk of a pinned
 * manifest, or a chunk another kept manifest still uses. Returns the bytes freed.
 */
export async function runGc(d: GcDeps): Promise<number> {
  const refs = new Map<Cid, number>();
  const keep = new Set<Cid>();
  for (const m of d.manifests) {
    const pinned = d.isPinned(m.cid);
    for (const c of new Set(m.chunks)) {
      refs.set(c, (refs.get(c) ?? 0) + 1);
      if (pinned) keep.add(c);
    }
  }
  const deletable = (c: Cid) => !keep.has(c) && !d.isPinned(c);
  let freed = 0;
  // Orphans (left by an interrupted import or a removed blob) are pure waste: always remove them.
  const orphans: Cid[] = [];
  for await (const c of d.chunks) if (!refs.has(c.cid) && deletable(c.cid)) orphans.push(c.cid);
  for (const c of orphans) freed += await d.deleteChunk(c);

  // Unfinished transfers are older news than a blob of the same age someone finished fetching.
  const victims = d.manifests
    .filter((m) => !d.isPinned(m.cid))
    .sort((a, b) => a.lastUsedMs - b.lastUsedMs || Number(b.partial) - Number(a.partial) || (a.cid < b.cid ? -1 : 1));
  for (const m of victims) {
    if (freed >= d.need) break;
    // The manifest goes first, so a crash mid-way leaves orphans, never a blob with holes.
    freed += await d.deleteManifest(m);
    for (const c of new Set(m.chunks)) {
      const n = (refs.get(c) ?? 1) - 1;
      refs.set(c, n);
      if (n === 0 && deletable(c)) freed += await d.deleteChunk(c);
    }
  }
  return freed;
}
