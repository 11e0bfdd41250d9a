/** Manifest files of the blob store (complete and partial): atomic writes, deletes, a running byte count. */
import { stat } from 'node:fs/promises';
import { canonicalJson } from '../../common';
import type { BlobManifest } from './chunker';
import { assertRoom, type DiskUsageFn } from './disk';
import { ioError, tmpName, unlinkSized, writeAtomic } from './fs-util';
import type { GcManifest } from './gc';
import { scanManifests, type StoreLayout } from './layout';
import { readManifestFile } from './manifest';

/** Internal to BlobStore: paths come from its layout. */
export class ManifestFiles {
  /** Bytes of all manifest files (set by `scan`, then kept up to date). */
  bytes = 0;

  constructor(
    private readonly layout: StoreLayout,
    private readonly o: { diskUsage: DiskUsageFn; marginBytes: number },
  ) {}

  /** Start-up: counts the bytes of every manifest file. */
  async scan(): Promise<void> {
    let n = 0;
    for (const d of [this.layout.manifests, this.layout.partial]) for (const m of await scanManifests(d)) n += m.size;
    this.bytes = n;
  }

  /** Writes `m` atomically at `path` (complete or partial), fsync'd when asked. */
  async write(path: string, m: BlobManifest, fsync: boolean): Promise<void> {
    const text = canonicalJson(m);
    const existed = await stat(path).then(
      (s) => s.size,
      () => null,
    );
    const bytes = Buffer.byteLength(text);
    assertRoom(await this.o.diskUsage(), bytes, this.o.marginBytes, 'a file description');
    try {
      await writeAtomic(tmpName(this.layout.tmp, 'manifest'), path, text, { fsync });
    } catch (err) {
      throw ioError(`storing the description of ${m.cid}`, err);
    }
    this.bytes += bytes - (existed ?? 0);
  }

  /** Deletes a manifest file; resolves to the bytes freed (0 when it was not there). */
  async delete(path: string): Promise<number> {
    const size = await unlinkSized(path, 'freeing space');
    this.bytes -= size;
    return size;
  }

  /** Every manifest, complete and partial, as gc sees it. An unreadable one protects nothing. */
  async all(): Promise<GcManifest[]> {
    const out: GcManifest[] = [];
    for (const partial of [false, true]) {
      for (const e of await scanManifests(partial ? this.layout.partial : this.layout.manifests)) {
        const path = partial ? this.layout.partialPath(e.cid) : this.layout.manifestPath(e.cid);
        const m = await readManifestFile(path, e.cid).catch(() => null);
        out.push({ cid: e.cid, partial, lastUsedMs: e.mtimeMs, chunks: m ? m.chunks.map((r) => r.cid) : [] });
      }
    }
    return out;
  }
}
