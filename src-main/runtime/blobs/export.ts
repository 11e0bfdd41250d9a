/**
 * Writing a blob out to a user's file: a temp file beside the target, filled chunk by chunk at
 * each chunk's offset, then datasync'd and renamed onto the target — which is therefore either
 * untouched or the whole verified file. The temp file is removed on any failure.
 *
 * A download writes each chunk here the moment it is verified (no second pass that reads the
 * whole blob back from the store); `BlobStore.fillAssembly` copies whatever did not come that way
 * (chunks held before the download, or fetched by another caller at the same time).
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { HearthError, type Cid } from '../../common';
import { chunkPlacements, type BlobManifest, type ByteProgress, type ChunkPlacement, type ChunkRef } from './chunker';
import { fsyncDir, ioError, tmpName, writeAllAt } from './fs-util';

export interface ExportOptions {
  onProgress?: (p: ByteProgress) => void;
  signal?: AbortSignal;
}

export class FileAssembly {
  /** Every offset each chunk fills (a repeated chunk fills several). */
  readonly #places: Map<Cid, ChunkPlacement>;
  readonly #written = new Set<Cid>();
  #fh: FileHandle | null;
  #bytes = 0;

  private constructor(
    readonly manifest: BlobManifest,
    readonly outPath: string,
    private readonly tmpPath: string,
    fh: FileHandle,
  ) {
    this.#fh = fh;
    this.#places = chunkPlacements(manifest);
  }

  /** Starts the temp file for `outPath` (nothing at `outPath` changes until `commit`). */
  static async open(m: BlobManifest, outPath: string): Promise<FileAssembly> {
    const tmp = tmpName(dirname(outPath), `.${basename(outPath)}`);
    try {
      return new FileAssembly(m, outPath, tmp, await open(tmp, 'wx'));
    } catch (err) {
      throw ioError(`saving to ${outPath}`, err);
    }
  }

  /** Bytes written so far (positions filled). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Writes a verified chunk at every position it fills; a chunk already written is skipped. */
  async write(cid: Cid, data: Uint8Array): Promise<void> {
    const offsets = this.#places.get(cid)?.offsets;
    if (!offsets || this.#written.has(cid)) return;
    this.#written.add(cid);
    try {
      for (const off of offsets) {
        await writeAllAt(this.#handle(), data, off);
        this.#bytes += data.length;
      }
    } catch (err) {
      this.#written.delete(cid);
      throw ioError(`saving to ${this.outPath}`, err);
    }
  }

  /** Chunks not written yet (first position of each). */
  missing(): ChunkRef[] {
    const seen = new Set<Cid>();
    return this.manifest.chunks.filter((r) => !this.#written.has(r.cid) && !seen.has(r.cid) && seen.add(r.cid));
  }

  /** Every chunk written: datasync, then rename onto the target. */
  async commit(): Promise<void> {
    if (this.missing().length)
      throw new HearthError(
        'internal_error',
        `saving to ${this.outPath}: ${this.missing().length} pieces were never written`,
      );
    const fh = this.#handle();
    try {
      await fh.datasync();
      await fh.close();
      this.#fh = null;
      await rename(this.tmpPath, this.outPath);
      await fsyncDir(dirname(this.outPath));
    } catch (err) {
      await this.discard();
      throw ioError(`saving to ${this.outPath}`, err);
    }
  }

  /** Gives up: the temp file goes, the target is untouched. Safe to call more than once. */
  async discard(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close().catch(() => undefined);
    await unlink(this.tmpPath).catch(() => undefined);
  }

  #handle(): FileHandle {
    if (!this.#fh) throw new HearthError('internal_error', `saving to ${this.outPath}: the file was already closed`);
    return this.#fh;
  }
}
