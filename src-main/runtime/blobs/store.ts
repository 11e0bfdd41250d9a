/** M07 §3.2 of ../shared/spec/hearthnet-reference.md: the content-addressed blob store on disk (chunks, manifests, pins, gc). */
import { rename, stat, utimes } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { resolve } from 'node:path';
import { BLOB_GC_DISK_THRESHOLD, HearthError, canonicalJson, type Cid } from '../../common';
import { assertCid, CID_PREFIX } from './cid';
import { chunkFile, verifyChunk, type BlobManifest, type ChunkFileOptions, type ChunkRef } from './chunker';
import { assertRoom, DISK_SAFETY_MARGIN_BYTES, statfsUsage, type DiskUsageFn } from './disk';
import type { FileCidUnpinnedData } from './events';
import { errnoOf, fsyncDir, fsyncFile, ioError } from './fs-util';
import { runGc } from './gc';
import { listDir, scanChunks, scanManifests, StoreLayout } from './layout';
import { parseManifest, readManifestFile } from './manifest';
import { ChunkFiles, exists } from './chunk-files';
import { ManifestFiles } from './manifest-files';
import { PackFiles } from './packs';
import { HeldChunks } from './held-chunks';
import { PinSet } from './pins';
import { FileAssembly, type ExportOptions } from './export';
import { BlobError } from './errors';

/** Largest blob `readBlobBytes` will put in memory; bigger ones must be streamed. */
export const READ_BLOB_BYTES_MAX = 64 * 1024 * 1024;
/** Default fraction of the disk gc brings usage down to once it passes the threshold. */
export const GC_TARGET_FRACTION = 0.7;

/** Where the store reports problems it handled itself (a damaged file set aside). */
export interface BlobStoreLogger {
  warn(message: string, extras?: Record<string, unknown>): void;
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
  logger?: BlobStoreLogger;
}

export interface WriteChunkOptions {
  /** fsync the chunk before it becomes visible (default: the store's `fsync` setting). */
  durable?: boolean;
}

export interface ImportOptions extends Omit<ChunkFileOptions, 'chunkSize'> {
  chunkSize?: number;
  /**
   * Copy the bytes into the store (chunk files, each fsync'd) instead of keeping the blob in the
   * file itself. Default false: the file is read once to hash it and stays where it is; if it is
   * later changed or removed, this device no longer holds the blob.
   */
  copy?: boolean;
}

/**
 * Content-addressed blob store. Lifecycle: `start()` (idempotent; every method also awaits it)
 * creates the directories, empties tmp/, loads pins and sums the sizes once; `stop()` waits for
 * a running gc. One process owns a store directory. Every file becomes visible by rename, so a
 * crash leaves either nothing or a whole file; a blob is visible only once all its chunks are.
 */
export class BlobStore {
  readonly layout: StoreLayout;
  readonly gcThreshold: number;
  readonly #diskUsage: DiskUsageFn;
  readonly #margin: number;
  readonly #fsync: boolean;
  readonly #now: () => number;
  readonly #log: BlobStoreLogger;
  readonly #pins: PinSet;
  #started: Promise<void> | null = null;
  #holds = 0;
  #gc: Promise<number> | null = null;
  readonly #chunks: ChunkFiles;
  readonly #manifests: ManifestFiles;
  readonly #packs: PackFiles;
  readonly #held: HeldChunks;

  constructor(
    readonly dir: string,
    opts: BlobStoreOptions = {},
  ) {
    this.layout = new StoreLayout(dir);
    this.gcThreshold = opts.gcThreshold ?? BLOB_GC_DISK_THRESHOLD;
    this.#diskUsage = opts.diskUsage ?? statfsUsage(dir);
    this.#margin = opts.marginBytes ?? DISK_SAFETY_MARGIN_BYTES;
    this.#fsync = opts.fsync ?? true;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger ?? { warn: (m, e) => console.warn(`[blobs] ${m}`, e ?? '') };
    this.#pins = new PinSet(this.layout.pins, this.layout.tmp);
    this.#chunks = new ChunkFiles(this.layout, {
      diskUsage: this.#diskUsage,
      marginBytes: this.#margin,
      fsync: this.#fsync,
      warn: (m, e) => this.#log.warn(m, e),
    });
    this.#manifests = new ManifestFiles(this.layout, { diskUsage: this.#diskUsage, marginBytes: this.#margin });
    this.#packs = new PackFiles(this.layout.packs, {
      tmpDir: this.layout.tmp,
      onBroken: (blob, info) => this.#linkBroken(blob, info.path),
    });
    this.#held = new HeldChunks(this.#chunks, this.#packs, (m, e) => this.#log.warn(m, e));
  }

  start(): Promise<void> {
    this.#started ??= this.#start().catch((err: unknown) => {
      this.#started = null;
      throw err instanceof HearthError ? err : ioError(`opening the file store at ${this.dir}`, err);
    });
    return this.#started;
  }

  async #start(): Promise<void> {
    await this.layout.prepare();
    await this.#pins.load();
    let chunkBytes = 0;
    for await (const c of scanChunks(this.layout)) chunkBytes += c.size;
    this.#chunks.bytes = chunkBytes;
    await this.#manifests.scan();
    const manifestOf = async (c: Cid) => {
      for (const path of [this.layout.manifestPath(c), this.layout.partialPath(c)]) {
        const m = await readManifestFile(path, c).catch(() => null);
        if (m) return m;
      }
      return null;
    };
    await this.#packs.load(await listDir(this.layout.packs), manifestOf);
  }

  async stop(): Promise<void> {
    await this.#gc?.catch(() => undefined);
    await this.#packs.close();
  }

  /**
   * Keeps gc away while a caller assembles a blob from chunks (its chunks are not referenced by
   * a manifest yet). Waits for a running gc first. Call the returned function when done.
   */
  async hold(): Promise<() => void> {
    await this.start();
    while (this.#gc) await this.#gc.catch(() => undefined);
    this.#holds++;
    let released = false;
    return () => {
      if (!released) ((released = true), this.#holds--);
    };
  }

  /** Throws BlobError('disk_full') unless `bytes` more can be written and the safety margin stays free. */
  async assertRoomFor(bytes: number, what = 'this file'): Promise<void> {
    assertRoom(await this.#diskUsage(), bytes, this.#margin, what);
  }

  /** Bytes held on disk by chunks and manifests (a running figure, not a scan). */
  totalBytes(): number {
    return this.#chunks.bytes + this.#manifests.bytes + this.#packs.bytes;
  }

  // ---- chunks ----

  /** True when the chunk is stored. */
  async has(cid: string): Promise<boolean> {
    await this.start();
    return this.#held.has(assertCid(cid));
  }

  /**
   * The chunk's bytes, verified against its CID. A chunk damaged on disk is deleted (so a
   * transfer can fetch it again) and BlobError('hash_mismatch') thrown; a missing one is 'not_found'.
   */
  async readChunk(cid: string): Promise<Uint8Array> {
    await this.start();
    return this.#held.read(assertCid(cid));
  }

  /**
   * The chunk's bytes for serving a peer, who verifies every chunk against its CID itself and
   * refuses a damaged one (then asks another holder). So they are re-hashed here only once per
   * process — chunks this process stored from verified bytes not at all — instead of on every
   * upload, which doubled the sender's CPU per byte. A chunk found damaged is deleted
   * ('hash_mismatch'), as readChunk does. Local reads use readChunk.
   */
  async readChunkForPeer(cid: string): Promise<Uint8Array> {
    await this.start();
    return this.#held.readForPeer(assertCid(cid));
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
    await this.start();
    await this.#packs.write(m, c, data);
  }

  /**
   * Records durably-enough which fetched chunks the pack of `cid` holds (its `.have` is appended in
   * batches): the transfer calls it when it stops, so a resume after a cancel asks only for what
   * is missing. After a crash at most one batch is forgotten and fetched again.
   */
  async flushFetched(cid: string): Promise<void> {
    await this.start();
    await this.#packs.flush(assertCid(cid));
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
      return await this.#chunks.put(c, data, this.#fsync && opts.durable !== false);
    } finally {
      release();
    }
  }

  /** Deletes a chunk; resolves false when it was not there. */
  async deleteChunk(cid: string): Promise<boolean> {
    await this.start();
    return (await this.#held.delete(assertCid(cid))) > 0;
  }

  /** Chunks of `manifest` this store does not hold (in manifest order; a repeated CID repeats). */
  async missingChunks(manifest: BlobManifest): Promise<ChunkRef[]> {
    await this.start();
    return this.#missing(manifest);
  }

  async #missing(manifest: BlobManifest): Promise<ChunkRef[]> {
    const present = new Map<Cid, boolean>();
    const out: ChunkRef[] = [];
    for (const ref of manifest.chunks) {
      let ok = present.get(ref.cid);
      if (ok === undefined) present.set(ref.cid, (ok = await this.#held.has(ref.cid)));
      if (!ok) out.push(ref);
    }
    return out;
  }

  // ---- blobs ----

  /** True when the blob's manifest and every one of its chunks are stored. */
  async hasBlob(cid: string): Promise<boolean> {
    await this.start();
    const c = assertCid(cid);
    if (!(await exists(this.layout.manifestPath(c)))) return false;
    const m = await readManifestFile(this.layout.manifestPath(c), c);
    return (await this.missingChunks(m)).length === 0;
  }

  /** The manifest of a complete blob ('not_found' otherwise); marks the blob as recently used. */
  async readManifest(cid: string): Promise<BlobManifest> {
    await this.start();
    const c = assertCid(cid);
    const path = this.layout.manifestPath(c);
    const m = await readManifestFile(path, c);
    const t = new Date(this.#now());
    await utimes(path, t, t).catch(() => undefined); // last-use time for gc; losing it only reorders gc
    return m;
  }

  /**
   * Stores a whole blob held in memory. Checks the manifest and every chunk and that the disk
   * has room before writing anything; the manifest is written last, so the blob is visible only
   * when complete.
   */
  async writeBlob(manifest: BlobManifest, chunks: readonly Uint8Array[]): Promise<BlobManifest> {
    await this.start();
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
    const release = await this.hold();
    try {
      // Chunk files of its own (not chunks some pack holds): a blob written here never depends on
      // another blob's pack, which goes when that blob does.
      const missing: ChunkRef[] = [];
      for (const ref of m.chunks) if (!(await this.#chunks.has(ref.cid))) missing.push(ref);
      const needed = uniqueBytes(missing) + Buffer.byteLength(canonicalJson(m));
      assertRoom(await this.#diskUsage(), needed, this.#margin, m.filename ? `"${m.filename}"` : 'this file');
      for (const ref of missing) await this.#chunks.put(ref.cid, chunks[ref.index]);
      await this.#manifests.write(this.layout.manifestPath(m.cid), m, this.#fsync);
      return m;
    } finally {
      release();
    }
  }

  /**
   * Imports a file by streaming it (one chunk in memory at a time); resolves to its manifest.
   * By default the file is only read (hashed, one pass) and the store keeps a link to it (see
   * pack-links.ts); with `copy` the chunks are copied into the store. On failure no blob becomes
   * visible and the chunks this import added (and no other blob uses) are removed.
   */
  async importFile(path: string, opts: ImportOptions = {}): Promise<BlobManifest> {
    await this.start();
    let before: Stats;
    try {
      before = await stat(path);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT')
        throw new BlobError('not_found', `The file ${path} does not exist.`, { details: { path } });
      throw ioError(`reading ${path}`, err);
    }
    if (!opts.copy && before.isFile()) return this.#importLinked(resolve(path), before, opts);
    assertRoom(await this.#diskUsage(), before.size, this.#margin, `"${opts.filename ?? path}"`);
    const release = await this.hold();
    const fresh: Cid[] = [];
    try {
      const m = await chunkFile(
        path,
        async (ref, bytes) => {
          if (await this.#chunks.put(ref.cid, bytes)) fresh.push(ref.cid);
        },
        opts,
      );
      await this.#manifests.write(this.layout.manifestPath(m.cid), m, this.#fsync);
      return m;
    } catch (err) {
      await this.#dropUnreferenced(fresh);
      throw err;
    } finally {
      release();
    }
  }

  /** Hashes the file where it is and links the blob to it (nothing copied). */
  async #importLinked(path: string, before: Stats, opts: ImportOptions): Promise<BlobManifest> {
    const release = await this.hold();
    try {
      const m = await chunkFile(path, async () => undefined, opts);
      const after = await stat(path).catch(() => null);
      if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs || after.size !== m.size_bytes) {
        throw new BlobError(
          'io_error',
          `The file ${path} changed while it was being read; add it again once it is finished.`,
          { details: { path } },
        );
      }
      if (await this.hasBlob(m.cid)) return m; // already held (imported or fetched before)
      await this.#packs.link(m, { path, size: after.size, mtime_ms: after.mtimeMs }, { hashed: true });
      await this.#manifests.write(this.layout.manifestPath(m.cid), m, this.#fsync); // after the link: never a blob without bytes
      return m;
    } finally {
      release();
    }
  }

  /**
   * Turns a complete blob fetched into this store into the file at `outPath` (which must not
   * exist) by moving its pack there: the bytes are written once, and the file appears whole and
   * durable or not at all. The store keeps the blob linked to that file. Resolves false when the
   * blob is not in a pack of its own or `outPath` is on another filesystem (copy it instead).
   */
  async moveToFile(cid: string, outPath: string): Promise<boolean> {
    await this.start();
    return this.#packs.moveOut(assertCid(cid), resolve(outPath));
  }

  /** A linked file changed or went away: unless the blob is still held whole elsewhere, it is no longer held. */
  async #linkBroken(blob: Cid, path: string): Promise<void> {
    const m = await readManifestFile(this.layout.manifestPath(blob), blob).catch(() => null);
    if (m && (await this.#missing(m)).length === 0) return; // (runs during start too: no start() here)
    await this.#manifests.delete(this.layout.manifestPath(blob)).catch(() => 0);
    this.#log.warn('a shared file was changed or removed; this device no longer offers it', { cid: blob, path });
  }

  /** A complete blob's chunks in order, each verified as it is read. */
  async *readBlobStream(cid: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<[ChunkRef, Uint8Array]> {
    const m = await this.readManifest(cid);
    for (const ref of m.chunks) {
      if (opts.signal?.aborted)
        throw new HearthError('cancelled', 'Reading the file was cancelled.', { cause: opts.signal.reason });
      yield [ref, await this.readChunk(ref.cid)];
    }
  }

  /** readBlobStream through one reused buffer: each yielded view is valid until the next step. */
  async *#reusedStream(m: BlobManifest, signal?: AbortSignal): AsyncGenerator<[ChunkRef, Uint8Array]> {
    const buf = new Uint8Array(m.chunk_size_bytes);
    for (const ref of m.chunks) {
      if (signal?.aborted)
        throw new HearthError('cancelled', 'Saving the file was cancelled.', { cause: signal.reason });
      yield [ref, await this.#held.readInto(ref, buf)];
    }
  }

  /** A small blob's bytes in memory (at most `maxBytes`; stream bigger ones). */
  async readBlobBytes(cid: string, opts: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const m = await this.readManifest(cid);
    const max = opts.maxBytes ?? READ_BLOB_BYTES_MAX;
    if (m.size_bytes > max)
      throw new BlobError(
        'io_error',
        `The file is ${m.size_bytes} bytes, too big to read into memory (limit ${max}); stream it instead.`,
      );
    const out = new Uint8Array(m.size_bytes);
    let off = 0;
    for await (const [, data] of this.#reusedStream(m)) out.set(data, (off += data.length) - data.length);
    return out;
  }

  /** Writes a complete blob to `outPath` atomically (temp file beside it, then rename). */
  async exportToFile(cid: string, outPath: string, opts: ExportOptions = {}): Promise<BlobManifest> {
    const m = await this.readManifest(cid);
    const a = await FileAssembly.open(m, outPath);
    try {
      await this.fillAssembly(a, opts);
      await a.commit();
    } catch (err) {
      await a.discard();
      throw err;
    }
    return m;
  }

  /** Copies into `a` every chunk it still lacks, each verified as it is read (one chunk in memory). */
  async fillAssembly(a: FileAssembly, opts: ExportOptions = {}): Promise<void> {
    const buf = new Uint8Array(a.manifest.chunk_size_bytes);
    for (const ref of a.missing()) {
      if (opts.signal?.aborted)
        throw new HearthError('cancelled', 'Saving the file was cancelled.', { cause: opts.signal.reason });
      await a.write(ref.cid, await this.#held.readInto(ref, buf));
      opts.onProgress?.({ bytes: a.bytes, total_bytes: a.manifest.size_bytes });
    }
  }

  /** CIDs of complete blobs, sorted; `prefix` may be given with or without `blake3:`. */
  async listCids(prefix?: string): Promise<Cid[]> {
    await this.start();
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
        this.#log.warn('set aside a damaged manifest file', { cid, path: `${path}.damaged` });
      }
    }
    return out;
  }

  // ---- partial blobs (transfer resume state) ----

  /** The manifest of an unfinished transfer, or null. */
  async readPartial(cid: string): Promise<BlobManifest | null> {
    await this.start();
    const c = assertCid(cid);
    try {
      return await readManifestFile(this.layout.partialPath(c), c);
    } catch (err) {
      if (err instanceof BlobError && (err.code === 'not_found' || err.code === 'manifest_invalid')) return null;
      throw err;
    }
  }

  /** Records a verified manifest whose chunks are still arriving (so a later fetch resumes). */
  async writePartial(manifest: BlobManifest): Promise<void> {
    await this.start();
    const m = await parseManifest(manifest);
    await this.#manifests.write(this.layout.partialPath(m.cid), m, false);
  }

  /** Turns a finished partial blob into a complete, visible one. 'not_found' if chunks are missing. */
  async completeBlob(cid: string): Promise<BlobManifest> {
    await this.start();
    const c = assertCid(cid);
    const from = this.layout.partialPath(c);
    const m = await readManifestFile(from, c);
    await this.#packs.flush(c); // writes still in flight count once they are done
    const missing = await this.missingChunks(m);
    if (missing.length)
      throw new BlobError('not_found', `${missing.length} chunk(s) of ${c} are still missing.`, {
        details: { cid: c, missing: missing.map((r) => r.index) },
      });
    if (this.#packs.hasPack(c)) {
      // Chunks held elsewhere before the fetch go into this blob's own pack: it never depends on
      // a chunk file or another pack that gc may remove with its own blob.
      const buf = new Uint8Array(m.chunk_size_bytes);
      for (const ref of m.chunks)
        if (!this.#packs.holds(c, ref.cid)) await this.#packs.write(m, ref.cid, await this.#held.readInto(ref, buf));
      await this.#packs.flush(c); // every record in .have before the manifest names a complete blob
    }
    const to = this.layout.manifestPath(c);
    try {
      if (await exists(to)) {
        await this.#manifests.delete(from);
      } else {
        // The partial manifest was written without fsync: make it durable before it names a blob.
        if (this.#fsync) await fsyncFile(from);
        await rename(from, to);
        if (this.#fsync) await fsyncDir(this.layout.manifests);
      }
    } catch (err) {
      throw ioError(`finishing ${c}`, err);
    }
    return m;
  }

  /**
   * Removes a blob from this device: its manifest (complete or partial), its pack, and the chunk
   * files no other blob or pin refers to. Pinned blobs are refused ('io_error': unpin first).
   * Resolves to the bytes freed.
   */
  async deleteBlob(cid: string): Promise<number> {
    await this.start();
    const c = assertCid(cid);
    if (this.#pins.has(c))
      throw new BlobError('io_error', `${c} is pinned; unpin it before removing it.`, { details: { cid: c } });
    const release = await this.hold();
    try {
      const m =
        (await readManifestFile(this.layout.manifestPath(c), c).catch(() => null)) ??
        (await readManifestFile(this.layout.partialPath(c), c).catch(() => null));
      let freed =
        (await this.#manifests.delete(this.layout.manifestPath(c))) +
        (await this.#manifests.delete(this.layout.partialPath(c))) +
        (await this.#packs.deleteBlob(c));
      const before = this.#chunks.bytes;
      if (m) await this.#dropUnreferenced(m.chunks.map((r) => r.cid));
      freed += before - this.#chunks.bytes;
      return freed;
    } finally {
      release();
    }
  }

  // ---- pins ----

  /** Protects a blob (manifest CID: the manifest and all its chunks) or a single chunk from gc. */
  async pin(cid: string): Promise<void> {
    await this.start();
    await this.#pins.set(assertCid(cid), true);
  }

  /** Removes a pin; resolves to the `file.cid.unpinned` event data, or null if it was not pinned. */
  async unpin(cid: string): Promise<FileCidUnpinnedData | null> {
    await this.start();
    const c = assertCid(cid);
    return (await this.#pins.set(c, false)) ? { cids: [c] } : null;
  }

  async isPinned(cid: string): Promise<boolean> {
    await this.start();
    return this.#pins.has(assertCid(cid));
  }

  async listPins(): Promise<Cid[]> {
    await this.start();
    return this.#pins.all();
  }

  // ---- gc ----

  /**
   * When disk use is above `gcThreshold`, deletes what is not pinned until use is at or below
   * `targetFraction`: first chunks no manifest refers to, then unfinished transfers and unpinned
   * blobs, least recently used first. Resolves to the bytes freed (0 when under the threshold,
   * or when a blob is being assembled: call again later).
   */
  async gc(targetFraction = GC_TARGET_FRACTION): Promise<number> {
    await this.start();
    if (this.#gc) return this.#gc;
    if (this.#holds > 0) return 0;
    const run = this.#runGc(targetFraction);
    this.#gc = run;
    try {
      return await run;
    } finally {
      this.#gc = null;
    }
  }

  async #runGc(target: number): Promise<number> {
    const u = await this.#diskUsage();
    if (u.total <= 0 || 1 - u.free / u.total <= this.gcThreshold) return 0;
    const need = u.total - u.free - target * u.total;
    return runGc({
      need,
      manifests: await this.#manifests.all(),
      chunks: scanChunks(this.layout),
      isPinned: (c) => this.#pins.has(c),
      deleteChunk: (c) => this.#chunks.delete(c),
      // A blob's pack goes with its manifest (packs are self-contained: see completeBlob).
      deleteManifest: async (e) =>
        (await this.#manifests.delete(e.partial ? this.layout.partialPath(e.cid) : this.layout.manifestPath(e.cid))) +
        (await this.#packs.deleteBlob(e.cid)),
    });
  }

  /** Deletes the given chunks unless a manifest (complete or partial) or a pin refers to them. */
  async #dropUnreferenced(cids: readonly Cid[]): Promise<void> {
    if (!cids.length) return;
    const used = new Set<Cid>();
    for (const m of await this.#manifests.all()) for (const c of m.chunks) used.add(c);
    for (const c of cids) if (!used.has(c) && !this.#pins.has(c)) await this.deleteChunk(c).catch(() => false);
  }
}

/** Bytes of the distinct chunks in `refs`. */
function uniqueBytes(refs: readonly ChunkRef[]): number {
  const seen = new Map<Cid, number>();
  for (const r of refs) seen.set(r.cid, r.size_bytes);
  let n = 0;
  for (const v of seen.values()) n += v;
  return n;
}
