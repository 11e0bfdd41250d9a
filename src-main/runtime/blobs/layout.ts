/** On-disk layout of a blob store directory, and the one full scan done at start. */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cid } from '../../common';
import { CID_PREFIX, cidHex } from './cid';
import { errnoOf } from './fs-util';

/**
 * ```
 * <dir>/chunks/ab/cd/<64 hex>     chunk bytes, sharded by the first two hex pairs
 * <dir>/manifests/<64 hex>.json   complete blobs (every chunk present), canonical JSON
 * <dir>/partial/<64 hex>.json     manifests of transfers not finished yet (resume state)
 * <dir>/packs/<64 hex>.pack       a fetched blob's chunks in one file, at their offsets (packs.ts)
 * <dir>/packs/<64 hex>.have       which of them it holds: 4-byte chunk indices
 * <dir>/packs/<64 hex>.link       a blob whose bytes are a file outside the store (pack-links.ts)
 * <dir>/pins.json                 pinned CIDs, canonical JSON list
 * <dir>/tmp/                      temp files, renamed into place; emptied at start
 * ```
 */
export class StoreLayout {
  readonly chunks: string;
  readonly manifests: string;
  readonly partial: string;
  readonly packs: string;
  readonly tmp: string;
  readonly pins: string;

  constructor(readonly dir: string) {
    this.chunks = join(dir, 'chunks');
    this.manifests = join(dir, 'manifests');
    this.partial = join(dir, 'partial');
    this.packs = join(dir, 'packs');
    this.tmp = join(dir, 'tmp');
    this.pins = join(dir, 'pins.json');
  }

  chunkDir(cid: Cid): string {
    const h = cidHex(cid);
    return join(this.chunks, h.slice(0, 2), h.slice(2, 4));
  }

  chunkPath(cid: Cid): string {
    return join(this.chunkDir(cid), cidHex(cid));
  }

  manifestPath(cid: Cid): string {
    return join(this.manifests, `${cidHex(cid)}.json`);
  }

  partialPath(cid: Cid): string {
    return join(this.partial, `${cidHex(cid)}.json`);
  }

  /** Where a linked blob's `.link` is (pack-links.ts). */
  linkPath(cid: Cid): string {
    return join(this.packs, `${cidHex(cid)}.link`);
  }

  /** Creates the directories and throws away temp files a crash left behind. */
  async prepare(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    for (const d of [this.chunks, this.manifests, this.partial, this.packs, this.tmp])
      await mkdir(d, { recursive: true });
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Every stored chunk with its size (walks the shard directories). */
export async function* scanChunks(layout: StoreLayout): AsyncGenerator<{ cid: Cid; size: number; mtimeMs: number }> {
  for (const a of await listDir(layout.chunks)) {
    for (const b of await listDir(join(layout.chunks, a))) {
      const dir = join(layout.chunks, a, b);
      for (const name of await listDir(dir)) {
        if (!HEX64.test(name)) continue;
        const s = await stat(join(dir, name)).catch(() => null);
        if (s?.isFile()) yield { cid: `${CID_PREFIX}${name}` as Cid, size: s.size, mtimeMs: s.mtimeMs };
      }
    }
  }
}

/** Manifest files in `dir` (manifests/ or partial/) with their size and last-use time. */
export async function scanManifests(dir: string): Promise<{ cid: Cid; size: number; mtimeMs: number }[]> {
  const out: { cid: Cid; size: number; mtimeMs: number }[] = [];
  for (const name of await listDir(dir)) {
    const hex = name.slice(0, -'.json'.length);
    if (!name.endsWith('.json') || !HEX64.test(hex)) continue;
    const s = await stat(join(dir, name)).catch(() => null);
    if (s?.isFile()) out.push({ cid: `${CID_PREFIX}${hex}` as Cid, size: s.size, mtimeMs: s.mtimeMs });
  }
  return out;
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
}
