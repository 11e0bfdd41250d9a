/**
 * Packs: a fetched blob's chunks kept in ONE file (`packs/<hex>.pack`, each chunk at its offset in
 * the blob, i.e. the file itself) instead of one file per chunk, which cost the kernel far more than
 * the bytes (docs/decisions/blobs.md, "Packs"). Which chunks a pack holds is a set in memory,
 * appended as 4-byte indices to `packs/<hex>.have` (no fsync: a chunk torn by a crash fails its
 * hash on the next read and is fetched again). A pack whose blob has no manifest is removed at start.
 *
 * A pack may also be LINKED (pack-links.ts): complete, read-only, its bytes in a file outside the
 * store (the user's file after `files add`, or after `files get --out` moved the pack there), not
 * counted as the store's; removing the blob removes only the link. If the file changed or went
 * away, the link is dropped and `onBroken` tells the store.
 */
import { link as hardLink, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Cid } from '../../common';
import { CheckedSet } from './checked-set';
import { cidHex } from './cid';
import { placementOf, type BlobManifest, type ChunkPlacement } from './chunker';
import { PackIndex, type Pack } from './pack-index';
import { errnoOf, ioError, readFullyAt } from './fs-util';
import { flushHave, HAVE_BATCH, readFullyAtSync, syncOrSlow, writeHaveFile, writePiece, type Handles } from './pack-io';
import { PackHandles } from './pack-handles';
import { DeferredSyncs } from './deferred-sync';
import { checkLink, linkMatches, readLinkFile, writeLinkFile, type LinkInfo } from './pack-links';

/** A pack open for a receiver thread (PackFiles.openWriter). */
export interface PackWriter {
  /** The pack file (the thread opens its own descriptor: a late write after a cancel is still verified bytes at their place). */
  readonly path: string;
  readonly places: ReadonlyMap<Cid, ChunkPlacement>;
  /** Records that the verified bytes of `cid` were written at all its offsets. */
  written(cid: Cid): Promise<void>;
  /** Done writing: the descriptor may be closed. */
  release(): void;
}

/** How often a linked file is checked for changes while it is being read (each chunk is hash-checked anyway). */
const LINK_RECHECK_MS = 1000;

export interface PackFilesOptions {
  /** Temp files for atomic writes (the store's tmp/). */
  readonly tmpDir: string;
  /** A linked file changed or went away: the blob is no longer held here. */
  readonly onBroken?: (blob: Cid, info: LinkInfo) => Promise<void> | void;
}

export class PackFiles {
  /** Bytes of chunk positions held in the store's own packs. */
  get bytes(): number {
    return this.#ix.bytes;
  }

  readonly #ix = new PackIndex();
  readonly #handles = new PackHandles({
    data: (blob) => this.#dataPath(blob),
    have: (blob) => this.#havePath(blob),
    linked: (blob) => Boolean(this.#ix.packs.get(blob)?.link),
  });
  /** Chunks written by this process from verified bytes, or re-hashed once already. */
  readonly #checked = new CheckedSet();

  constructor(
    readonly dir: string,
    private readonly o: PackFilesOptions,
  ) {}

  packPath(blob: Cid): string {
    return join(this.dir, `${cidHex(blob)}.pack`);
  }

  #linkPath(blob: Cid): string {
    return join(this.dir, `${cidHex(blob)}.link`);
  }

  /** Where the bytes of the pack of `blob` are: its own file, or the linked one. */
  #dataPath(blob: Cid): string {
    return this.#ix.packs.get(blob)?.link?.path ?? this.packPath(blob);
  }

  #havePath(blob: Cid): string {
    return join(this.dir, `${cidHex(blob)}.have`);
  }

  /** Start-up: loads every pack's chunk set; removes packs whose blob has no manifest. */
  async load(names: readonly string[], manifestOf: (blob: Cid) => Promise<BlobManifest | null>): Promise<void> {
    for (const name of names) {
      if (!/^[0-9a-f]{64}\.pack$/.test(name)) continue;
      const blob = `blake3:${name.slice(0, 64)}` as Cid;
      const m = await manifestOf(blob);
      if (!m) {
        await this.#unlinkFiles(blob);
        continue;
      }
      const p = this.#ix.pack(m);
      const raw = await readFile(this.#havePath(blob)).catch(() => Buffer.alloc(0));
      for (let i = 0; i + 4 <= raw.length; i += 4) {
        const ref = m.chunks.at(raw.readUInt32BE(i)); // from disk: may be out of range
        if (ref) this.#ix.add(p, ref.cid);
      }
    }
    for (const name of names) {
      if (!/^[0-9a-f]{64}\.link$/.test(name)) continue;
      const blob = `blake3:${name.slice(0, 64)}` as Cid;
      const info = await readLinkFile(this.#linkPath(blob));
      const m = await manifestOf(blob);
      if (this.#ix.packs.has(blob) || !info || !m) {
        // A move onto the user's path that did not finish (the pack is still here), or an orphan.
        await unlink(this.#linkPath(blob)).catch(() => undefined);
        continue;
      }
      if (!(await checkLink(info))) {
        await unlink(this.#linkPath(blob)).catch(() => undefined);
        await this.o.onBroken?.(blob, info);
        continue;
      }
      await unlink(this.#havePath(blob)).catch(() => undefined); // left by a move that finished
      this.#ix.linked(m, info);
    }
  }

  /** Registers `m` as held in full by the file `info` names (an import by reference); records the link (durably, if asked). */
  async link(m: BlobManifest, info: LinkInfo, opts: { hashed: boolean; durable: boolean }): Promise<void> {
    await this.#handles.withPack(m.cid, async () => {
      if (this.#ix.packs.has(m.cid)) return; // already held in a pack of its own, or linked
      await writeLinkFile(this.o.tmpDir, this.#linkPath(m.cid), info, opts.durable);
      const p = this.#ix.linked(m, info);
      if (opts.hashed) for (const cid of p.have) this.markChecked(cid);
    });
  }

  /**
   * Moves the complete, own pack of `blob` onto `outPath` (which must not exist) and keeps it
   * there as a linked pack: the user's file IS the stored copy, written once. The pack is
   * datasync'd first, so the name appears only on a whole, durable file (a hard link, which also
   * refuses to replace an existing file). Resolves false when it cannot (no complete own pack, or
   * another filesystem): the caller copies instead. With `later` (a batch of files), the `.link`
   * and the directories are made durable, and the pack's old name removed, at `later.flush()`; a
   * crash before that keeps the pack in the store (the unfinished move is undone at start).
   */
  async moveOut(blob: Cid, outPath: string, later?: DeferredSyncs): Promise<boolean> {
    return this.#handles.withPack(blob, async () => {
      const p = this.#ix.packs.get(blob);
      if (!p || p.link || p.have.size !== p.places.size) return false;
      const from = this.packPath(blob);
      const info: LinkInfo = { path: outPath, size: 0, mtime_ms: 0 };
      const sync = later ?? new DeferredSyncs();
      try {
        const h = await this.#handles.get(blob);
        await h.pack.datasync();
        await this.#handles.close(blob);
        const s = await stat(from);
        Object.assign(info, { size: s.size, mtime_ms: s.mtimeMs });
        // The .link is written before the move (durable before the pack's old name goes): a crash
        // after the move still finds the bytes.
        await writeLinkFile(this.o.tmpDir, this.#linkPath(blob), info, false);
        sync.file(this.#linkPath(blob), this.dir);
        try {
          await hardLink(from, outPath);
        } catch (err) {
          await unlink(this.#linkPath(blob)).catch(() => undefined);
          if (['EXDEV', 'EPERM', 'ENOTSUP', 'ENOSYS', 'EMLINK'].includes(errnoOf(err) ?? '')) return false;
          throw err;
        }
        sync.dir(dirname(outPath));
        sync.after(async () => {
          await unlink(from).catch(() => undefined);
          await unlink(this.#havePath(blob)).catch(() => undefined);
        });
        if (!later) await sync.flush();
      } catch (err) {
        throw ioError(`saving to ${outPath}`, err);
      }
      for (const cid of p.have) this.#ix.bytes -= this.#ix.placeBytes(p, cid); // the user's file now, not the store's
      p.link = info;
      return true;
    });
  }

  has(cid: Cid): boolean {
    return this.#ix.holderOf(cid) !== undefined;
  }

  /** True when `blob` has a pack (complete or not). */
  hasPack(blob: Cid): boolean {
    return this.#ix.packs.has(blob);
  }

  /** True when the pack of `blob` itself holds `cid`. */
  holds(blob: Cid, cid: Cid): boolean {
    return this.#ix.packs.get(blob)?.have.has(cid) ?? false;
  }

  /** Whether this process wrote or already re-hashed the chunk (see ChunkFiles.readForPeer). */
  checked(cid: Cid): boolean {
    return this.#checked.has(cid);
  }

  markChecked(cid: Cid): void {
    this.#checked.add(cid);
  }

  /** The chunk's bytes from a pack that holds it (not verified), into `buf` when given; null if none does. */
  async read(cid: Cid, buf?: Uint8Array): Promise<Uint8Array | null> {
    const blob = this.#ix.holderOf(cid);
    if (!blob) return null;
    const place = this.#ix.packs.get(blob)?.places.get(cid);
    if (!place) return null; // the index's packs and holders change together: not reached
    const size = place.size;
    const out = buf && buf.length >= size ? buf.subarray(0, size) : new Uint8Array(size);
    const off = place.offsets[0];
    // Only opening the handle runs in the pack's queue; the read itself does not, so the streams
    // serving one blob to peers read in parallel (a close waits for readers: see #closeHandles).
    const got = await this.#handles.withPack(blob, async () => {
      const pk = this.#ix.packs.get(blob);
      if (!pk?.have.has(cid)) return null; // dropped or deleted meanwhile
      try {
        const h = await this.#handles.get(blob);
        // A linked file may have been changed by its owner since: then it no longer holds the blob.
        if (pk.link && performance.now() - h.checkedAt > LINK_RECHECK_MS) {
          if (!linkMatches(pk.link, await h.pack.stat())) return 'broken' as const;
          h.checkedAt = performance.now();
        }
        h.readers++;
        return h;
      } catch (err) {
        if (pk.link && errnoOf(err) === 'ENOENT') return 'broken' as const;
        throw ioError(`reading chunk ${cid}`, err);
      }
    });
    if (got && got !== 'broken') {
      try {
        if (got.syncIo) syncOrSlow(got, () => readFullyAtSync(got.pack.fd, out, size, off));
        else await readFullyAt(got.pack, out, size, off); // a short read fails the caller's hash check
        return out;
      } catch (err) {
        throw ioError(`reading chunk ${cid}`, err);
      } finally {
        got.readers--;
      }
    }
    if (got === null) return null;
    await this.#breakLink(blob);
    return this.read(cid, buf); // another pack may hold it
  }

  /** Forgets a linked pack whose file changed or went away, and tells the store. */
  async #breakLink(blob: Cid): Promise<void> {
    const info = this.#ix.packs.get(blob)?.link;
    if (!info) return;
    await this.deleteBlob(blob);
    await this.o.onBroken?.(blob, info);
  }

  /** Writes verified bytes of `cid` at every position it fills in the pack of `m`. */
  async write(m: BlobManifest, cid: Cid, data: Uint8Array): Promise<void> {
    // Write-behind: the bytes are copied into one of the pack's WRITE_BEHIND buffers and written
    // while the caller goes on receiving; the chunk counts as held once its write is done. A
    // transfer's writes to one pack no longer wait for each other (each is a thread-pool round
    // trip, milliseconds on a busy machine). `flush` waits for them and reports a failed one.
    const got = await this.#handles.withPack(m.cid, async () => {
      const p = this.#ix.pack(m);
      const place = p.places.get(cid);
      if (!place || p.have.has(cid) || p.link || p.writing.has(cid)) return null;
      try {
        const h = await this.#handles.get(m.cid);
        p.writing.add(cid);
        h.readers++; // keeps the handle open until the write is done
        return { p, place, h };
      } catch (err) {
        throw ioError(`storing chunk ${cid}`, err);
      }
    });
    if (!got) return;
    const { p, place, h } = got;
    await writePiece(h, place.offsets, data, m.chunk_size_bytes, `storing chunk ${cid}`, {
      done: () => this.#held(p, h, cid),
      settled: () => {
        p.writing.delete(cid);
        h.readers--;
      },
    });
  }

  /** Counts `cid` as held by the pack (its bytes are written), its `.have` record appended with the next batch. */
  async #held(p: Pack, h: Handles, cid: Cid): Promise<void> {
    this.#ix.add(p, cid);
    this.markChecked(cid);
    h.pending.push(placementOf(p.places, cid).index);
    if (h.pending.length >= HAVE_BATCH) await flushHave(h);
  }

  /**
   * The pack of `m` made ready for a receiver thread to write verified pieces into itself: its path
   * (created), where each chunk goes, and `written` to record each; its `.have` stays open until
   * `release`. Null for a linked pack.
   */
  async openWriter(m: BlobManifest): Promise<PackWriter | null> {
    return this.#handles.withPack(m.cid, async () => {
      const p = this.#ix.pack(m);
      if (p.link) return null;
      const h = await this.#handles.get(m.cid).catch((err: unknown) => Promise.reject(ioError('storing chunks', err)));
      h.readers++; // keeps the `.have` handle open
      let open = true;
      return {
        path: this.packPath(m.cid),
        places: p.places,
        written: (cid: Cid) => (open && !p.have.has(cid) ? this.#held(p, h, cid) : Promise.resolve()),
        release: () => {
          if (open) {
            open = false;
            h.readers--;
          }
        },
      };
    });
  }

  /** Forgets `cid` in every pack (damaged, or deleted); resolves to the bytes freed. */
  async drop(cid: Cid): Promise<number> {
    const blobs = this.#ix.holders(cid);
    let freed = 0;
    for (const blob of blobs) {
      const p = this.#ix.packs.get(blob);
      if (!p) continue;
      if (p.link) {
        await this.#breakLink(blob); // a damaged chunk in the user's file: the file no longer holds the blob
        continue;
      }
      freed += await this.#handles.withPack(blob, async () => {
        const n = this.#ix.remove(p, cid);
        if (n) await this.#rewriteHave(p);
        return n;
      });
    }
    this.#checked.delete(cid);
    return freed;
  }

  /** Removes the pack of `blob` (gc, or its manifest is gone); resolves to the bytes freed. */
  async deleteBlob(blob: Cid): Promise<number> {
    return this.#handles.withPack(blob, async () => {
      const p = this.#ix.packs.get(blob);
      let freed = 0;
      if (p) for (const cid of [...p.have]) freed += this.#ix.remove(p, cid);
      this.#ix.packs.delete(blob);
      await this.#unlinkFiles(blob, p?.link ?? null);
      return p?.link ? 0 : freed; // a linked file is the user's: nothing of the store's is freed
    });
  }

  async close(): Promise<void> {
    for (const blob of this.#handles.openPacks()) await this.#handles.withPack(blob, () => this.#handles.close(blob));
  }

  async #rewriteHave(p: Pack): Promise<void> {
    await this.#handles.close(p.m.cid);
    await writeHaveFile(
      this.#havePath(p.m.cid),
      [...p.have].map((cid) => placementOf(p.places, cid).index),
    );
  }

  /**
   * Waits for the pack's writes in flight and appends their `.have` records; throws the first
   * write that failed. Call before asking which chunks are held (a transfer's end, completeBlob).
   */
  async flush(blob: Cid): Promise<void> {
    const h = this.#handles.peek(blob);
    if (!h) return;
    for (let i = 0; h.writes.size && i < 1_000_000; i++) await Promise.all([...h.writes]);
    await this.#handles.withPack(blob, () =>
      flushHave(h).catch((err: unknown) => Promise.reject(ioError('recording a received piece', err))),
    );
    const err = h.error;
    h.error = null;
    if (err) throw err;
  }

  /** Removes the store's files of a pack; of a linked one only the link, never the user's file. */
  async #unlinkFiles(blob: Cid, link: LinkInfo | null = null): Promise<void> {
    await this.#handles.close(blob);
    const paths = link
      ? [this.#linkPath(blob), this.#havePath(blob)]
      : [this.packPath(blob), this.#havePath(blob), this.#linkPath(blob)];
    for (const path of paths) {
      await unlink(path).catch((err: unknown) => {
        if (errnoOf(err) !== 'ENOENT') throw ioError('freeing space', err);
      });
    }
  }
}
