/** Resumable model download: HTTP Range into `<name>.part`, progress callbacks, SHA-256 check, atomic rename. */
import { open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { ModelStoreError } from './errors';
import { isGguf } from './gguf';
import { hashFile, writeSidecar } from './sha256';

/** Extra attempts after a dropped connection within one `pull` (each resumes where the last stopped). */
export const PULL_DEFAULT_RETRIES = 3;

export interface PullProgress {
  readonly received_bytes: number;
  /** Full size when the server said; null otherwise. */
  readonly total_bytes: number | null;
  /** Bytes already on disk when this attempt started (0 for a fresh download). */
  readonly resumed_from: number;
}

export interface PullOptions {
  /** Expected hex SHA-256; a mismatch deletes the download and throws `checksum_mismatch`. */
  readonly sha256?: string;
  readonly onProgress?: (p: PullProgress) => void;
  /** Aborting keeps the `.part` file so a later pull resumes. */
  readonly signal?: AbortSignal;
  readonly retries?: number;
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** Total size from `Content-Range: bytes a-b/total`, or offset + Content-Length. */
function totalOf(res: Response, offset: number): number | null {
  const cr = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  if (cr) return Number(cr[1]);
  const len = res.headers.get('content-length');
  return len !== null ? offset + Number(len) : null;
}

/** One attempt: returns true when the file is complete, false when the connection dropped (retryable). */
async function attempt(url: string, part: string, o: PullOptions): Promise<boolean> {
  let offset = await sizeOf(part);
  let res: Response;
  try {
    res = await fetch(url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, signal: o.signal });
  } catch (e) {
    if (o.signal?.aborted)
      throw new ModelStoreError('cancelled', 'the download was cancelled; run it again to resume', { cause: e });
    return false; // refused / reset: retry
  }
  if (res.status === 416 && offset > 0) return true; // nothing left to fetch: the .part is complete
  if (res.status === 200 && offset > 0) {
    offset = 0; // the server ignores Range: start over
    await truncate(part, 0);
  } else if (res.status === 206) {
    const start = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    if (!start || Number(start[1]) !== offset)
      throw new ModelStoreError(
        'download_failed',
        `the server resumed at the wrong place (${res.headers.get('content-range')}, wanted byte ${offset})`,
      );
  } else if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    throw new ModelStoreError('download_failed', `the server answered HTTP ${res.status} for ${url}`, {
      details: { status: res.status },
    });
  }
  if (!res.body) return false; // a 200/206 always has a body; without one, nothing arrived
  const total = totalOf(res, offset);
  let received = offset;
  o.onProgress?.({ received_bytes: received, total_bytes: total, resumed_from: offset });
  // Written chunk by chunk and awaited, so every byte that arrived is on disk when the connection drops.
  const fh = await open(part, offset > 0 ? 'a' : 'w');
  try {
    for await (const chunk of res.body) {
      await fh.write(chunk);
      received += chunk.length;
      o.onProgress?.({ received_bytes: received, total_bytes: total, resumed_from: offset });
    }
  } catch (e) {
    if (o.signal?.aborted)
      throw new ModelStoreError('cancelled', 'the download was cancelled; run it again to resume', { cause: e });
    return false; // dropped mid-body: what arrived is on disk
  } finally {
    await fh.close();
  }
  return total === null || received >= total;
}

/**
 * Download `url` to `dest` via `dest.part`, resuming an existing `.part`. On success the file is
 * verified (GGUF magic, SHA-256 when given), its sidecar written, and renamed into place; returns
 * the hex SHA-256. A dropped connection after all retries throws `download_failed` and keeps the
 * `.part` (details.partial_bytes) for the next pull. A bad checksum or non-GGUF deletes it.
 */
export async function downloadModel(url: string, dest: string, o: PullOptions = {}): Promise<string> {
  const part = `${dest}.part`;
  const retries = o.retries ?? PULL_DEFAULT_RETRIES;
  let complete = false;
  for (let i = 0; i <= retries && !complete; i++) complete = await attempt(url, part, o);
  if (!complete) {
    const have = await sizeOf(part);
    throw new ModelStoreError(
      'download_failed',
      `the download of ${url} kept being cut off (${have} bytes saved); run the same pull again to resume`,
      { details: { partial_bytes: have } },
    );
  }
  if (!(await isGguf(part))) {
    await unlink(part).catch(() => {});
    throw new ModelStoreError(
      'not_gguf',
      `${url} is not a GGUF model file (it does not start with "GGUF"); the download was deleted`,
    );
  }
  const hex = await hashFile(part);
  if (o.sha256 && hex !== o.sha256.toLowerCase()) {
    await unlink(part).catch(() => {});
    throw new ModelStoreError(
      'checksum_mismatch',
      `the downloaded file's SHA-256 is ${hex}, expected ${o.sha256}; the download was deleted (it was corrupted or is a different file)`,
      { details: { actual: hex, expected: o.sha256 } },
    );
  }
  await rename(part, dest);
  await writeSidecar(dest, hex);
  return hex;
}
