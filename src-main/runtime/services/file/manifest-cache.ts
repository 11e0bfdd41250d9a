/** Recently served manifests with a chunk index, so serving a chunk costs no manifest read or scan. */
import { deleteOldest, type Cid } from '../../../common';
import type { BlobManifest, BlobStore, ChunkRef } from '../../blobs';
import { BlobError } from '../../blobs';

/** Manifests kept (each of a 1 GiB blob is ~0.5 MB with its index). */
export const MANIFEST_CACHE_ENTRIES = 8;
/** How long a cached manifest is trusted to still be held here (existence, not content, can change). */
export const MANIFEST_CACHE_TTL_MS = 10_000;

interface Entry {
  readonly manifest: BlobManifest;
  readonly byCid: ReadonlyMap<string, ChunkRef>;
  readonly at: number;
}

/**
 * A manifest's content never changes (its CID is its hash), so only whether this node still holds
 * it can go stale: entries expire after `ttlMs`, and a chunk that is gone fails its own read with
 * `not_found` anyway. Without this, every chunk request re-read, re-hashed and re-scanned the
 * whole manifest (O(chunks) stats per chunk: quadratic in the file size).
 */
export class ManifestCache {
  readonly #entries = new Map<Cid, Entry>();

  constructor(
    private readonly store: BlobStore,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = MANIFEST_CACHE_TTL_MS,
    private readonly max = MANIFEST_CACHE_ENTRIES,
  ) {}

  /** The chunk of blob `cid` at `chunk` (an index) or with CID `chunkCid`; 'not_found' when the blob or piece is unknown. */
  async chunkRef(cid: Cid, chunk: number | undefined, chunkCid: string | undefined): Promise<ChunkRef> {
    const e = await this.#entry(cid);
    const ref = chunk !== undefined ? e.manifest.chunks[chunk] : e.byCid.get(chunkCid ?? '');
    if (!ref)
      throw new BlobError('not_found', `The file ${cid} has no piece ${String(chunk ?? chunkCid)}.`, {
        details: { cid },
      });
    return ref;
  }

  /** Forgets everything (e.g. after gc). */
  clear(): void {
    this.#entries.clear();
  }

  async #entry(cid: Cid): Promise<Entry> {
    const hit = this.#entries.get(cid);
    const t = this.now();
    if (hit && t - hit.at <= this.ttlMs) {
      this.#entries.delete(cid); // re-insert: Map order is the LRU order
      this.#entries.set(cid, hit);
      return hit;
    }
    const m = await this.#load(cid);
    const e: Entry = { manifest: m, byCid: new Map(m.chunks.map((r) => [r.cid, r])), at: t };
    this.#entries.delete(cid);
    this.#entries.set(cid, e);
    while (this.#entries.size > this.max) deleteOldest(this.#entries);
    return e;
  }

  /** A complete blob's manifest, else one still arriving (a node mid-download passes on what it has). */
  async #load(cid: Cid): Promise<BlobManifest> {
    try {
      return await this.store.readManifest(cid);
    } catch (err) {
      if (!(err instanceof BlobError) || err.code !== 'not_found') throw err;
    }
    const partial = await this.store.readPartial(cid);
    if (!partial) throw new BlobError('not_found', `This device does not hold the file ${cid}.`, { details: { cid } });
    return partial;
  }
}
