/**
 * Linked packs: a blob whose bytes live in a file outside the store — the user's own file after
 * `files add` (hashed in place, never copied) or `files get --out` (the fetched pack moved onto the
 * user's path). `packs/<hex>.link` records where, and the size and mtime the file had then; a file
 * whose size or mtime changed no longer holds the blob (as Syncthing treats its folders), and
 * every chunk read from it is still checked against its CID (local reads always, serving once).
 */
import { readFile, stat } from 'node:fs/promises';
import { errnoOf, ioError, tmpName, writeAtomic } from './fs-util';

/** What `packs/<hex>.link` holds (JSON). */
export interface LinkInfo {
  /** Absolute path of the file that holds the blob's bytes at their offsets. */
  readonly path: string;
  readonly size: number;
  /** mtime in ms when the link was made. */
  readonly mtime_ms: number;
}

/**
 * True when the file still looks as it did when linked. `nlink` 0 (from an open handle's fstat)
 * means the name is gone — removed, or replaced by an editor saving a new file over it — even
 * though the handle still reads the old bytes.
 */
export function linkMatches(info: LinkInfo, s: { size: number; mtimeMs: number; nlink?: number }): boolean {
  return s.size === info.size && Math.abs(s.mtimeMs - info.mtime_ms) < 1 && s.nlink !== 0;
}

/** The link's current state: the info if the file is still as linked, else null (gone or changed). */
export async function checkLink(info: LinkInfo): Promise<LinkInfo | null> {
  const s = await stat(info.path).catch(() => null);
  return s && s.isFile() && linkMatches(info, s) ? info : null;
}

/** Reads a `.link` file; null when it is missing or malformed. */
export async function readLinkFile(path: string): Promise<LinkInfo | null> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<LinkInfo>;
    if (typeof v.path !== 'string' || typeof v.size !== 'number' || typeof v.mtime_ms !== 'number') return null;
    return { path: v.path, size: v.size, mtime_ms: v.mtime_ms };
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || err instanceof SyntaxError) return null;
    throw ioError('reading a file link', err);
  }
}

/**
 * Writes a `.link` file atomically, and durably unless `durable` is false (a batch of imports
 * makes its links durable together afterwards: `BlobStore.syncBatch`).
 */
export async function writeLinkFile(tmpDir: string, path: string, info: LinkInfo, durable = true): Promise<void> {
  try {
    await writeAtomic(tmpName(tmpDir, 'link'), path, JSON.stringify(info), { fsync: durable });
  } catch (err) {
    throw ioError('recording where a file is kept', err);
  }
}
