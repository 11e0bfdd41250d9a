/** Small filesystem helpers for the blob store: atomic writes, fsync, errno mapping. */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BlobError } from './errors';

/** The errno code of a Node fs error, if any. */
export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/** Maps an fs failure to a BlobError a person can act on (ENOSPC -> disk_full). */
export function ioError(action: string, err: unknown): BlobError {
  const code = errnoOf(err);
  if (code === 'ENOSPC')
    return new BlobError('disk_full', `The disk is full while ${action}. Free some space and try again.`, {
      cause: err,
    });
  return new BlobError('io_error', `A disk error (${code ?? 'unknown'}) happened while ${action}.`, {
    cause: err,
    details: { errno: code ?? null },
  });
}

/** A unique temporary file name inside `tmpDir`. */
export function tmpName(tmpDir: string, hint: string): string {
  return join(tmpDir, `${hint.slice(0, 16)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** fsync a directory so a rename into it survives a crash (best effort: not every OS allows it). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open a directory for fsync; the rename is still atomic there.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** fdatasync an existing file. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` to `tmpPath`, fsyncs it when asked, then renames it onto `finalPath`: readers
 * see either no file or the whole file, never a partial one. The temp file is removed on failure.
 */
export async function writeAtomic(
  tmpPath: string,
  finalPath: string,
  data: Uint8Array | string,
  opts: { fsync: boolean },
): Promise<void> {
  let fh;
  try {
    fh = await open(tmpPath, 'wx');
    await fh.writeFile(data);
    if (opts.fsync) await fh.datasync();
    await fh.close();
    fh = undefined;
    await rename(tmpPath, finalPath);
    if (opts.fsync) await fsyncDir(dirname(finalPath));
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmpPath).catch(() => undefined);
    throw err;
  }
}

/** Reads up to `length` bytes at `position` into the start of `buf`; resolves to the count (short only at end of file). */
export async function readFullyAt(fh: FileHandle, buf: Uint8Array, length: number, position: number): Promise<number> {
  let n = 0;
  for (let r = 1; r > 0 && n < length; n += r) r = (await fh.read(buf, n, length - n, position + n)).bytesRead;
  return n;
}

/** Writes all of `data` at `position`. */
export async function writeAllAt(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  for (let n = 0; n < data.length;) n += (await fh.write(data, n, data.length - n, position + n)).bytesWritten;
}

/** Deletes a file; resolves to the bytes it held (0 when it was not there). */
export async function unlinkSized(path: string, action: string): Promise<number> {
  try {
    const { size } = await stat(path);
    await unlink(path);
    return size;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return 0;
    throw ioError(action, err);
  }
}
