/** §3.2: the content-addressed blob store on disk (chunks, manifests, pins, gc). */
import { rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BLOB_GC_DISK_THRESHOLD, HearthError, promiseTry, type Cid } from '../../common';
import { deleteBlob, collectGarbage } from './blob-removal';
import { exportToFile, fillAssembly, readBlobBytes, readBlobStream } from './blob-reads';
import { heldWhole, importFile, writeBlob, type ImportOptions } from './blob-writes';
import { assertCid, CID_PREFIX } from './cid';
import { verifyChunk, type BlobManifest, type ChunkRef } from './chunker';
import { assertRoom } from './disk';
import type { FileCidUnpinnedData } from './events';
import { ioError } from './fs-util';
import { scanManifests, StoreLayout } from './layout';
import { readManifestFile } from './manifest';
import { completeBlob, readPartial, writePartial } from './partial-blobs';
import type { PackWriter } from './packs';
import type { ExportOptions, FileAssembly } from './export';
import {
  buildParts,
  GC_TARGET_FRACTION,
  missingIn,
  openParts,
  readCompleteManifest,
  type BlobStoreOptions,
  type StoreParts,
  type WriteChunkOptions,
} from './store-parts';
import { BlobError } from './errors';
import { GcGuard } from './gc-guard';
import { StartGate, type Startable } from '../lifecycle';

export { READ_BLOB_BYTES_MAX } from './blob-reads';
export type { ImportOptions } from './blob-writes';
export { GC_TARGET_FRACTION, type BlobStoreOptions, type WriteChunkOptions } from './store-parts';

/**
 * Content-addressed blob store, a Startable: `start()` (idempotent) creates the directories,
 * empties tmp/, loads pins and sums the sizes once; `stop()` waits for a running gc and closes
 * the packs. Operations before `start()` (or after `stop()`) fail with BlobError('not_started'). One process owns a store directory. Every file becomes visible by rename, so a
 * crash leaves either nothing or a whole file; a blob is visible only once all its chunks are.
 */
export class BlobStore implements Startable {
  readonly layout: StoreLayout;
  readonly gcThreshold: number;
  /** The store's parts, shared with the modules that implement its operations. */
  readonly #p: StoreParts;
  readonly #gate = new StartGate(
    () => this.#open(),
    () => this.#close(),
  );
  readonly #gcGuard = new GcGuard();

  constructor(
    readonly dir: string,
    opts: BlobStoreOptions = {},
  ) {
    this.gcThreshold = opts.gcThreshold ?? BLOB_GC_DISK_THRESHOLD;
    this.#p = buildParts(dir, opts, () => this.hold());
    this.layout = this.#p.layout;
  }

  /** Opens the store (idempotent); a failed start leaves it stopped, to be started again. */
  start(): Promise<void> {
    return this.#gate.start();
  }

  /** Waits for a running gc and closes the open packs; `start()` opens the store again. */
  stop(): Promise<void> {
    return this.#gate.stop();
  }

  async #open(): Promise<void> {
    try {
      await openParts(this.#p);
    } catch (err) {
      throw err instanceof HearthError ? err : ioError(`opening the file store at ${this.dir}`, err);
    }
  }

  async #close(): Promise<void> {
    await this.#gcGuard.idle();
    await this.#p.packs.close();
  }

  /** Every operation needs an open store: before start (or after stop) it fails with 'not_started'. */
  #assertOpen(): void {
    if (!this.#gate.running)
      throw new BlobError('not_started', `the file store at ${this.dir} is not open (start() it first)`);
  }

  /**
   * Keeps gc away while a caller assembles a blob from chunks (its chunks are not referenced by
   * a manifest yet). Waits for a running gc first. Call the returned function when done.
   */
  async hold(): Promise<() => void> {
    this.#assertOpen();
    return this.#gcGuard.hold();
  }

  /** Throws BlobError('disk_full') unless `bytes` more can be written and the safety margin stays free. */
  async assertRoomFor(bytes: number, what = 'this file'): Promise<void> {
    assertRoom(await this.#p.diskUsage(), bytes, this.#p.margin, what);
  }

  /** Bytes held on disk by chunks and manifests (a running figure, not a scan). */
  totalBytes(): number {
    return this.#p.chunks.bytes + this.#p.manifests.bytes + this.#p.packs.bytes;
  }

  // ---- chunks ----

  /** True when the chunk is stored. */
  async has(cid: string): Promise<boolean> {
    this.#assertOpen();
    return this.#p.held.has(assertCid(cid));
  }

  /**
   * The chunk's bytes, verified against its CID. A chunk damaged on disk is deleted (so a
   * transfer can fetch it again) and BlobError('hash_mismatch') thrown; a missing one is 'not_found'.
   */
  async readChunk(cid: string): Promise<Uint8Array> {
    this.#assertOpen();
    return this.#p.held.read(assertCid(cid));
  }

  /**
   * The chunk's bytes for serving a peer, who verifies every chunk against its CID itself and
   * refuses a damaged one (then asks another holder). So they are re-hashed here only once per
   * process — chunks this process stored from verified bytes not at all — instead of on every
   * upload, which doubled the sender's CPU per byte. A chunk found damaged is deleted
   * ('hash_mismatch'), as readChunk does. Local reads use readChunk.
   */
  async readChunkForPeer(cid: string): Promise<Uint8Array> {
    this.#assertOpen();
    return this.#p.held.readForPeer(assertCid(cid));
  }

  /**
   * Stores a chunk fetched for blob `m` in the blob's pack (see packs.ts) after checking its
   * bytes hash to `cid`. Not fsync'd: a chunk torn by a crash fails its hash on the next read,
   * is dropped, and is fetched again.
   */
  async writeFetchedChunk(m: BlobManifest, cid: string, data: Uint8Array): Promise<void> {
    const c = assertCid(cid);
    await verifyChunk(data, c);
    // No statfs per chunk (a thread-pool round trip each): the transfer holds the store and checked
    // room for every missing byte before asking; a disk filled meanwhile fails the write (ENOSPC -> disk_full).
    this.#assertOpen();
    await this.#p.packs.write(m, c, data);
  }

  /** The pack of `m` ready for a receiver thread to write checked pieces into (PackFiles.openWriter); null if linked. */
  openPackWriter(m: BlobManifest): Promise<PackWriter | null> {
    this.#assertOpen();
    return this.#p.packs.openWriter(m);
  }

  /**
   * Records durably-enough which fetched chunks the pack of `cid` holds (its `.have` is appended in
   * batches): the transfer calls it when it stops, so a resume after a cancel asks only for what
   * is missing. After a crash at most one batch is forgotten and fetched again.
   */
  async flushFetched(cid: string): Promise<void> {
    this.#assertOpen();
    await this.#p.packs.flush(assertCid(cid));
  }

  /**
   * Stores a chunk after checking its bytes hash to `cid`. Resolves true when newly written.
   * `durable: false` skips the per-chunk fsync, for chunks that can be fetched again (a transfer):
   * a chunk torn by a crash fails its hash on the next read, is deleted, and is fetched again.
   */
  async writeChunk(cid: string, data: Uint8Array, opts: WriteChunkOptions = {}): Promise<boolean> {
    const c = assertCid(cid);
    await verifyChunk(data, c);
    const release = await this.hold();
    try {
      return await this.#p.chunks.put(c, data, this.#p.fsync && opts.durable !== false);
    } finally {
      release();
    }
  }

  /** Deletes a chunk; resolves false when it was not there. */
  async deleteChunk(cid: string): Promise<boolean> {
    this.#assertOpen();
    return (await this.#p.held.delete(assertCid(cid))) > 0;
  }

  /** Chunks of `manifest` this store does not hold (in manifest order; a repeated CID repeats). */
  async missingChunks(manifest: BlobManifest): Promise<ChunkRef[]> {
    this.#assertOpen();
    return missingIn(this.#p, manifest);
  }

  // ---- blobs ----

  /** True when the blob's manifest and every one of its chunks are stored. */
  async hasBlob(cid: string): Promise<boolean> {
    this.#assertOpen();
    return heldWhole(this.#p, assertCid(cid));
  }

  /** The manifest of a complete blob ('not_found' otherwise); marks the blob as recently used. */
  async readManifest(cid: string): Promise<BlobManifest> {
    this.#assertOpen();
    return readCompleteManifest(this.#p, assertCid(cid));
  }

  /**
   * Stores a whole blob held in memory. Checks the manifest and every chunk and that the disk
   * has room before writing anything; the manifest is written last, so the blob is visible only
   * when complete.
   */
  async writeBlob(manifest: BlobManifest, chunks: readonly Uint8Array[]): Promise<BlobManifest> {
    this.#assertOpen();
    return writeBlob(this.#p, manifest, chunks);
  }

  /**
   * Imports a file by streaming it (one chunk in memory at a time); resolves to its manifest.
   * By default the file is only read (hashed, one pass) and the store keeps a link to it (see
   * pack-links.ts); with `copy` the chunks are copied into the store. On failure no blob becomes
   * visible and the chunks this import added (and no other blob uses) are removed.
   */
  async importFile(path: string, opts: ImportOptions = {}): Promise<BlobManifest> {
    this.#assertOpen();
    return importFile(this.#p, path, opts);
  }

  /**
   * Turns a complete blob fetched into this store into the file at `outPath` (which must not
   * exist) by moving its pack there: the bytes are written once, and the file appears whole and
   * durable or not at all. The store keeps the blob linked to that file. Resolves false when the
   * blob is not in a pack of its own or `outPath` is on another filesystem (copy it instead).
   */
  async moveToFile(cid: string, outPath: string, opts: { durable?: boolean } = {}): Promise<boolean> {
    this.#assertOpen();
    return this.#p.packs.moveOut(assertCid(cid), resolve(outPath), opts.durable === false ? this.#p.later : undefined);
  }

  /** A complete blob's chunks in order, each verified as it is read. */
  async *readBlobStream(cid: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<[ChunkRef, Uint8Array]> {
    this.#assertOpen();
    yield* readBlobStream(this.#p, assertCid(cid), opts.signal);
  }

  /** A small blob's bytes in memory (at most `maxBytes`; stream bigger ones). */
  async readBlobBytes(cid: string, opts: { maxBytes?: number } = {}): Promise<Uint8Array> {
    this.#assertOpen();
    return readBlobBytes(this.#p, assertCid(cid), opts.maxBytes);
  }

  /** Writes a complete blob to `outPath` atomically (temp file beside it, then rename). */
  async exportToFile(cid: string, outPath: string, opts: ExportOptions = {}): Promise<BlobManifest> {
    this.#assertOpen();
    return exportToFile(this.#p, assertCid(cid), outPath, opts);
  }

  /** Copies into `a` every chunk it still lacks, each verified as it is read (one chunk in memory). */
  async fillAssembly(a: FileAssembly, opts: ExportOptions = {}): Promise<void> {
    this.#assertOpen();
    return fillAssembly(this.#p, a, opts);
  }

  /** CIDs of complete blobs, sorted; `prefix` may be given with or without `blake3:`. */
  async listCids(prefix?: string): Promise<Cid[]> {
    this.#assertOpen();
    const p = prefix === undefined ? CID_PREFIX : prefix.startsWith(CID_PREFIX) ? prefix : CID_PREFIX + prefix;
    return (await scanManifests(this.layout.manifests))
      .map((e) => e.cid)
      .filter((c) => c.startsWith(p))
      .sort();
  }

  /** Manifests of all complete blobs. A damaged manifest file is set aside and reported, not returned. */
  async listBlobs(): Promise<BlobManifest[]> {
    const out: BlobManifest[] = [];
    for (const cid of await this.listCids()) {
      const path = this.layout.manifestPath(cid);
      try {
        out.push(await readManifestFile(path, cid));
      } catch (err) {
        if (!(err instanceof BlobError) || err.code !== 'manifest_invalid') throw err;
        await rename(path, `${path}.damaged`).catch(() => undefined);
        this.#p.log.warn('set aside a damaged manifest file', { cid, path: `${path}.damaged` });
      }
    }
    return out;
  }

  // ---- partial blobs (transfer resume state) ----

  /** The manifest of an unfinished transfer, or null. */
  async readPartial(cid: string): Promise<BlobManifest | null> {
    this.#assertOpen();
    return readPartial(this.#p, assertCid(cid));
  }

  /** Records a verified manifest whose chunks are still arriving (so a later fetch resumes). */
  async writePartial(manifest: BlobManifest): Promise<void> {
    this.#assertOpen();
    await writePartial(this.#p, manifest);
  }

  /**
   * Turns a finished partial blob into a complete, visible one. 'not_found' if chunks are missing.
   * `durable: false` leaves its fsyncs to `syncBatch()`.
   */
  async completeBlob(cid: string, opts: { durable?: boolean } = {}): Promise<BlobManifest> {
    this.#assertOpen();
    return completeBlob(this.#p, assertCid(cid), opts);
  }

  /**
   * Makes durable everything a batch wrote with `durable: false` (imports, completions, moves):
   * one round of concurrent fsyncs, each directory once. Call it before reporting the batch done.
   */
  async syncBatch(): Promise<void> {
    this.#assertOpen();
    await this.#p.later.flush();
  }

  /**
   * Removes a blob from this device: its manifest (complete or partial), its pack, and the chunk
   * files no other blob or pin refers to. Pinned blobs are refused ('io_error': unpin first).
   * Resolves to the bytes freed.
   */
  async deleteBlob(cid: string): Promise<number> {
    this.#assertOpen();
    return deleteBlob(this.#p, assertCid(cid));
  }

  // ---- pins ----

  /** Protects a blob (manifest CID: the manifest and all its chunks) or a single chunk from gc. */
  async pin(cid: string): Promise<void> {
    await this.#pins().set(assertCid(cid), true);
  }

  /**
   * Calls `fn` with each blob this device stops holding because its linked file (the user's own)
   * was changed or removed — also those found at start, before anyone listened. Returns the
   * unsubscribe. The file service appends `file.cid.unpinned` for them.
   */
  onBlobLost(fn: (cid: Cid) => void): () => void {
    return this.#p.lost.listen(fn);
  }

  /** Pins many blobs with one write of the pin list (a batch of added files). */
  async pinMany(cids: readonly string[]): Promise<void> {
    await this.#pins().setMany(
      cids.map((c) => assertCid(c)),
      true,
    );
  }

  /** Removes a pin; resolves to the `file.cid.unpinned` event data, or null if it was not pinned. */
  async unpin(cid: string): Promise<FileCidUnpinnedData | null> {
    const c = assertCid(cid);
    return (await this.#pins().set(c, false)) ? { cids: [c] } : null;
  }

  /** A closed store or a bad CID rejects (promiseTry), not throws. */
  isPinned(cid: string): Promise<boolean> {
    return promiseTry(() => this.#pins().has(assertCid(cid)));
  }

  listPins(): Promise<Cid[]> {
    return promiseTry(() => this.#pins().all());
  }

  #pins(): StoreParts['pins'] {
    this.#assertOpen();
    return this.#p.pins;
  }

  // ---- gc ----

  /**
   * When disk use is above `gcThreshold`, deletes what is not pinned until use is at or below
   * `targetFraction`: first chunks no manifest refers to, then unfinished transfers and unpinned
   * blobs, least recently used first. Resolves to the bytes freed (0 when under the threshold,
   * or when a blob is being assembled: call again later).
   */
  async gc(targetFraction = GC_TARGET_FRACTION): Promise<number> {
    this.#assertOpen();
    return this.#gcGuard.run(() => collectGarbage(this.#p, this.gcThreshold, targetFraction));
  }
}
