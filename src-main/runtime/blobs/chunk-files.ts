/** Chunk files of the blob store: verified reads and writes, one write per CID, a running byte count. */
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { type Cid } from '../../common';
import { CheckedSet } from './checked-set';
import { verifyChunk, type ChunkRef } from './chunker';
import { assertRoom, type DiskUsageFn } from './disk';
import { errnoOf, ioError, readFullyAt, tmpName, unlinkSized, writeAtomic } from './fs-util';
import type { StoreLayout } from './layout';
import { BlobError } from './errors';

export interface ChunkFilesOptions {
  diskUsage: DiskUsageFn;
  marginBytes: number;
  fsync: boolean;
  warn: (message: string, extras?: Record<string, unknown>) => void;
}

/** Internal to BlobStore: takes already-checked CIDs. */
export class ChunkFiles {
  /** Bytes of all chunk files (set by the start-up scan, then kept up to date). */
  bytes = 0;
  readonly #writing = new Map<Cid, Promise<boolean>>();
  /** Chunks whose file this process wrote (from verified bytes) or has already re-hashed. */
  readonly #checked = new CheckedSet();

  constructor(
    private readonly layout: StoreLayout,
    private readonly o: ChunkFilesOptions,
  ) {}

  has(cid: Cid): Promise<boolean> {
    return exists(this.layout.chunkPath(cid));
  }

  /** The chunk's bytes, verified (a damaged chunk is deleted and 'hash_mismatch' thrown). */
  async read(cid: Cid): Promise<Uint8Array> {
    const data = await this.readUnverified(cid);
    await this.#verifyStored(cid, data);
    return data;
  }

  /**
   * For serving a peer: the chunk's bytes, re-hashed only the first time this process reads a file
   * it did not write itself (a damaged one is then deleted and 'hash_mismatch' thrown). The peer
   * verifies every chunk anyway; this keeps damage on this disk from being served forever without
   * paying a second hash per byte on every upload.
   */
  async readForPeer(cid: Cid): Promise<Uint8Array> {
    const data = await this.readUnverified(cid);
    if (!this.#checked.has(cid)) {
      await this.#verifyStored(cid, data);
      this.#checked.add(cid);
    }
    return data;
  }

  /** The chunk's bytes as stored (the caller verifies them, or hands them to one who does). */
  async readUnverified(cid: Cid): Promise<Uint8Array> {
    try {
      const buf = await readFile(this.layout.chunkPath(cid));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.length); // a plain view, no copy
    } catch (err) {
      throw readError(cid, err);
    }
  }

  /**
   * Like read, but into `buf` (at least the chunk's size), returning a view of it: no allocation
   * per chunk, for callers that finish with the bytes before the next read.
   */
  async readInto(ref: ChunkRef, buf: Uint8Array): Promise<Uint8Array> {
    let fh;
    let n = 0;
    try {
      fh = await open(this.layout.chunkPath(ref.cid), 'r');
      n = await readFullyAt(fh, buf, ref.size_bytes, 0);
    } catch (err) {
      throw readError(ref.cid, err);
    } finally {
      await fh?.close().catch(() => undefined);
    }
    const data = buf.subarray(0, n);
    await this.#verifyStored(ref.cid, data);
    return data;
  }

  /**
   * Writes verified bytes unless present (resolves true when newly written); one write per CID at
   * a time. `sync` (default: the store's fsync setting) fsyncs the chunk before it becomes visible.
   */
  async put(cid: Cid, data: Uint8Array, sync = this.o.fsync): Promise<boolean> {
    const running = this.#writing.get(cid);
    if (running) {
      await running;
      return false;
    }
    const p = this.#write(cid, data, sync);
    this.#writing.set(cid, p);
    try {
      return await p;
    } finally {
      this.#writing.delete(cid);
    }
  }

  /** Deletes a chunk; resolves to the bytes freed (0 when it was not there). */
  async delete(cid: Cid): Promise<number> {
    this.#checked.delete(cid);
    const size = await unlinkSized(this.layout.chunkPath(cid), `deleting chunk ${cid}`);
    this.bytes -= size;
    return size;
  }

  async #write(cid: Cid, data: Uint8Array, sync: boolean): Promise<boolean> {
    const path = this.layout.chunkPath(cid);
    if (await exists(path)) return false;
    assertRoom(await this.o.diskUsage(), data.length, this.o.marginBytes, 'this file');
    try {
      await mkdir(this.layout.chunkDir(cid), { recursive: true });
      await writeAtomic(tmpName(this.layout.tmp, 'chunk'), path, data, { fsync: sync });
    } catch (err) {
      throw ioError(`storing chunk ${cid}`, err);
    }
    this.bytes += data.length;
    this.#checked.add(cid); // put() is only given verified bytes
    return true;
  }

  /** Verifies stored bytes; a damaged chunk is deleted so a transfer can fetch it again. */
  async #verifyStored(cid: Cid, data: Uint8Array): Promise<void> {
    try {
      await verifyChunk(data, cid);
    } catch (err) {
      await this.delete(cid);
      this.o.warn('deleted a chunk damaged on disk', { cid });
      throw new BlobError(
        'hash_mismatch',
        `The stored chunk ${cid} was damaged on disk; it was removed and can be fetched again from a neighbour.`,
        { cause: err, details: { cid } },
      );
    }
  }
}

function readError(cid: Cid, err: unknown): BlobError {
  if (errnoOf(err) === 'ENOENT')
    return new BlobError('not_found', `This device does not hold the chunk ${cid}.`, { details: { cid } });
  return ioError(`reading chunk ${cid}`, err);
}

/** True when `path` exists; other errors than ENOENT are io_error. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return false;
    throw ioError(`checking ${path}`, err);
  }
}
