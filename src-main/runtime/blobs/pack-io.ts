/**
 * How a pack's bytes are read and written (internal to packs.ts): synchronously while the disk
 * keeps up, else through the thread pool with a bounded write-behind.
 */
import { readSync, writeSync } from 'node:fs';
import { writeFile, type FileHandle } from 'node:fs/promises';
import { ioError, writeAllAt } from './fs-util';

/** A synchronous read or write slower than this moves its pack to async I/O (the event loop stays free). */
export const SYNC_IO_SLOW_MS = 20;

/** Runs a synchronous I/O step; if it was slow, later ones of this pack go through the thread pool. */
export function syncOrSlow(h: { syncIo: boolean }, step: () => void): void {
  const t = performance.now();
  step();
  if (performance.now() - t > SYNC_IO_SLOW_MS) h.syncIo = false;
}

export function readFullyAtSync(fd: number, buf: Uint8Array, length: number, position: number): number {
  let n = 0;
  for (let r = 1; r > 0 && n < length; n += r) r = readSync(fd, buf, n, length - n, position + n);
  return n;
}

export function writeAllAtSync(fd: number, data: Uint8Array, position: number): void {
  for (let n = 0; n < data.length;) n += writeSync(fd, data, n, data.length - n, position + n);
}

/** Writes in flight per pack (each holds a copy of one chunk: 8 x 256 KiB). */
export const WRITE_BEHIND = 8;

/** `.have` records are appended this many at a time (a crash loses at most these: refetched). */
export const HAVE_BATCH = 64;

export interface Handles {
  readonly pack: FileHandle;
  readonly have: FileHandle | null;
  /** Chunk indices written to the pack, not yet appended to `.have`. */
  pending: number[];
  /** Reads in progress outside the pack's queue. */
  readers: number;
  /** When a linked file's size and mtime were last compared with its link (performance.now()). */
  checkedAt: number;
  /**
   * Reads and writes of this pack are synchronous (pread/pwrite on the event loop) while each
   * takes under SYNC_IO_SLOW_MS: a 256 KiB copy to or from the page cache takes tens of
   * microseconds, while a thread-pool round trip wakes a thread per chunk — on a busy machine the
   * main thread is then descheduled (measured: ~1.3 ms per write, 1.4 s of a 256 MiB download).
   * A slower one (a slow or busy disk) switches the pack to async I/O for good.
   */
  syncIo: boolean;
  /** Write-behind: writes in flight, their reusable buffers, and the first failure (reported by the next write or flush). */
  readonly writes: Set<Promise<void>>;
  readonly buffers: Uint8Array[];
  error: Error | null;
}

/**
 * Writes a verified chunk at each of its offsets: synchronously when the pack allows it (no copy),
 * else as write-behind (copied into one of WRITE_BEHIND reusable buffers; the caller goes on while
 * it is written, and waits only when that many are in flight). `done` runs once the bytes are
 * written, `settled` in any case; a failed write-behind is reported by the next write or flush.
 */
export async function writePiece(
  h: Handles,
  offsets: readonly number[],
  data: Uint8Array,
  chunkSize: number,
  what: string,
  on: { done: () => Promise<void>; settled: () => void },
): Promise<void> {
  if (h.syncIo && !h.writes.size) {
    try {
      syncOrSlow(h, () => {
        for (const off of offsets) writeAllAtSync(h.pack.fd, data, off);
      });
      await on.done();
    } catch (err) {
      throw ioError(what, err);
    } finally {
      on.settled();
    }
    return;
  }
  try {
    while (h.writes.size >= WRITE_BEHIND) await Promise.race(h.writes);
    if (h.error) throw h.error;
  } catch (err) {
    on.settled();
    throw err;
  }
  const buf = h.buffers.pop() ?? new Uint8Array(Math.max(chunkSize, data.length));
  const bytes = buf.subarray(0, data.length);
  bytes.set(data);
  const w = (async () => {
    try {
      for (const off of offsets) await writeAllAt(h.pack, bytes, off);
      await on.done();
    } catch (err) {
      h.error ??= ioError(what, err);
    } finally {
      h.buffers.push(buf);
      on.settled();
    }
  })();
  h.writes.add(w);
  void w.finally(() => h.writes.delete(w));
}

/** Appends the pending `.have` records (one write per batch instead of one per chunk). */
export async function flushHave(h: Handles): Promise<void> {
  if (!h.have || !h.pending.length) return;
  const rec = Buffer.alloc(4 * h.pending.length);
  h.pending.forEach((index, i) => rec.writeUInt32BE(index, 4 * i));
  h.pending = [];
  await h.have.write(rec);
}

/** Replaces a `.have` file with exactly these chunk indices (after a chunk was dropped from the pack). */
export async function writeHaveFile(path: string, indices: readonly number[]): Promise<void> {
  const rec = Buffer.alloc(4 * indices.length);
  indices.forEach((index, i) => rec.writeUInt32BE(index, 4 * i));
  await writeFile(path, rec);
}
