/**
 * The pieces a BlobStore is made of, handed to the modules that implement its operations
 * (blob-writes.ts, blob-reads.ts, partial-blobs.ts, blob-removal.ts). Internal to the store.
 */
import type { Logger } from '../observability/logger';
import { getLogger } from '../observability/logging';
import { utimes } from 'node:fs/promises';
import type { Cid } from '../../common';
import type { BlobManifest, ChunkRef } from './chunker';
import { ChunkFiles } from './chunk-files';
import { DeferredSyncs } from './deferred-sync';
import { LostBlobs } from './lost-blobs';
import { DISK_SAFETY_MARGIN_BYTES, statfsUsage, type DiskUsageFn } from './disk';
import { HeldChunks } from './held-chunks';
import { listDir, scanChunks, StoreLayout } from './layout';
import { readManifestFile } from './manifest';
import { ManifestFiles } from './manifest-files';
import { PackFiles } from './packs';
import { PinSet } from './pins';

/** Default fraction of the disk gc brings usage down to once it passes the threshold. */
export const GC_TARGET_FRACTION = 0.7;

export interface WriteChunkOptions {
  /** fsync the chunk before it becomes visible (default: the store's `fsync` setting). */
  durable?: boolean;
}

export interface BlobStoreOptions {
  /** Disk use fraction (0..1) above which gc deletes unpinned blobs. */
  gcThreshold?: number;
  /** How full the disk is; defaults to statfs on the store directory. Injectable for tests. */
  diskUsage?: DiskUsageFn;
  /** Bytes that must stay free after any write (default DISK_SAFETY_MARGIN_BYTES). */
  marginBytes?: number;
  /** fsync chunk and manifest files before they become visible (default true). */
  fsync?: boolean;
  /** Clock in ms, for last-use times. */
  now?: () => number;
  /** Where the store reports problems it handled itself (a damaged file set aside); default: the process-wide logger. */
  log?: Logger;
}

export interface StoreParts {
  readonly layout: StoreLayout;
  readonly chunks: ChunkFiles;
  readonly manifests: ManifestFiles;
  readonly packs: PackFiles;
  readonly held: HeldChunks;
  readonly pins: PinSet;
  readonly diskUsage: DiskUsageFn;
  /** Bytes that must stay free after any write. */
  readonly margin: number;
  /** fsync files before they become visible. */
  readonly fsync: boolean;
  readonly now: () => number;
  readonly log: Logger;
  /** Blobs no longer held because their linked file changed or went away. */
  readonly lost: LostBlobs;
  /** fsyncs a batch put off (imports, received files): made durable by `BlobStore.syncBatch`. */
  readonly later: DeferredSyncs;
  /** Keeps gc away while a blob is assembled; call the returned function when done. */
  hold(): Promise<() => void>;
}

/** The parts of a store at `dir` (nothing touches the disk until `openParts`). */
export function buildParts(dir: string, opts: BlobStoreOptions, hold: () => Promise<() => void>): StoreParts {
  const layout = new StoreLayout(dir);
  const diskUsage = opts.diskUsage ?? statfsUsage(dir);
  const margin = opts.marginBytes ?? DISK_SAFETY_MARGIN_BYTES;
  const fsync = opts.fsync ?? true;
  const log = opts.log ?? getLogger('blobs');
  const warn = (m: string, e?: Record<string, unknown>) => log.warn(m, e);
  const chunks = new ChunkFiles(layout, { diskUsage, marginBytes: margin, fsync, warn });
  const manifests = new ManifestFiles(layout, { diskUsage, marginBytes: margin });
  const packs = new PackFiles(layout.packs, {
    tmpDir: layout.tmp,
    onBroken: (blob, info) => forgetBrokenLink(parts, blob, info.path), // called only once the parts exist
  });
  const parts: StoreParts = {
    layout,
    chunks,
    manifests,
    packs,
    held: new HeldChunks(chunks, packs, warn),
    pins: new PinSet(layout.pins, layout.tmp),
    diskUsage,
    margin,
    fsync,
    now: opts.now ?? Date.now,
    log,
    later: new DeferredSyncs(),
    lost: new LostBlobs(),
    hold,
  };
  return parts;
}

/** Start-up: directories, tmp/ emptied, pins loaded, sizes summed once, packs and links checked. */
export async function openParts(p: StoreParts): Promise<void> {
  await p.layout.prepare();
  await p.pins.load();
  let chunkBytes = 0;
  for await (const c of scanChunks(p.layout)) chunkBytes += c.size;
  p.chunks.bytes = chunkBytes;
  await p.manifests.scan();
  const manifestOf = async (c: Cid) => {
    for (const path of [p.layout.manifestPath(c), p.layout.partialPath(c)]) {
      const m = await readManifestFile(path, c).catch(() => null);
      if (m) return m;
    }
    return null;
  };
  await p.packs.load(await listDir(p.layout.packs), manifestOf);
}

/** A linked file changed or went away: unless the blob is still held whole elsewhere, it is no longer held. */
async function forgetBrokenLink(p: StoreParts, blob: Cid, path: string): Promise<void> {
  const m = await readManifestFile(p.layout.manifestPath(blob), blob).catch(() => null);
  if (m && (await missingIn(p, m)).length === 0) return; // (runs during start too)
  await p.manifests.delete(p.layout.manifestPath(blob)).catch(() => 0);
  await p.pins.setMany([blob], false).catch(() => []); // nothing left to keep
  p.log.warn('a shared file was changed or removed; this device no longer offers it', { cid: blob, path });
  p.lost.report(blob);
}

/** Chunks of `manifest` the store does not hold (in manifest order; a repeated CID repeats). */
export async function missingIn(p: StoreParts, manifest: BlobManifest): Promise<ChunkRef[]> {
  const present = new Map<Cid, boolean>();
  const out: ChunkRef[] = [];
  for (const ref of manifest.chunks) {
    let ok = present.get(ref.cid);
    if (ok === undefined) present.set(ref.cid, (ok = await p.held.has(ref.cid)));
    if (!ok) out.push(ref);
  }
  return out;
}

/** The manifest of a complete blob ('not_found' otherwise), marked as recently used (gc's LRU order). */
export async function readCompleteManifest(p: StoreParts, cid: Cid): Promise<BlobManifest> {
  const path = p.layout.manifestPath(cid);
  const m = await readManifestFile(path, cid);
  const t = new Date(p.now());
  await utimes(path, t, t).catch(() => undefined); // losing a last-use time only reorders gc
  return m;
}

/** Bytes of the distinct chunks in `refs`. */
export function uniqueBytes(refs: readonly ChunkRef[]): number {
  const seen = new Map<Cid, number>();
  for (const r of refs) seen.set(r.cid, r.size_bytes);
  let n = 0;
  for (const v of seen.values()) n += v;
  return n;
}
