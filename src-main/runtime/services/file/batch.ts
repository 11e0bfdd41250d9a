/**
 * Many small files at once (a folder of photos). One by one, each file cost a manifest call and a
 * chunk request (both under the per-peer rate limit: 10 calls/s before the server delays them),
 * and ~6 fsyncs on each side: 1,000 photos of 64 KiB took a minute against Syncthing's 4–5 s.
 * Here the manifests come 256 per call (`file.read {manifests}`), the pieces of many files 256 per
 * request over the binary path (`{blobs: [...]}`), and everything written is made durable in one
 * round of fsyncs at the end (`BlobStore.syncBatch`). Large files, and any file the batch could not
 * finish, go through the ordinary per-file transfer (which resumes from what arrived).
 */
import { BLOB_CHUNKS_MAX_PER_REQUEST, type BlobPieces } from '../../transport/blob-chunks';
import { BlobError, FileAssembly, parseManifest, type BlobManifest, type BlobStore, type ChunkRef } from '../../blobs';
import type { CapabilityBus } from '../../bus';
import { FILE_READ_MAX_MANIFESTS } from './schemas';
import { errorMessage } from '../../../common/error-message';

/** Files of at most this many pieces (1 MiB) travel in shared requests; bigger ones on their own. */
export const BATCH_MAX_FILE_CHUNKS = 4;
/** Received pieces being stored at once per request. */
const WRITES_IN_FLIGHT = 16;
/** Shared piece requests in flight at once. */
const BATCH_REQUESTS_IN_FLIGHT = 2;
/**
 * Files worked on at once (each step of a small file is a few thread-pool round trips: run
 * several, so their waits and the datasyncs overlap).
 */
export const FILE_LANES = 16;

/** Fetches pieces of many blobs in one request from one node (transport `HttpClient.fetchChunks`). */
export type BinaryBatchFetcher = (
  nodeId: string,
  req: { blobs: BlobPieces[] },
  signal: AbortSignal,
) => AsyncIterable<{ index: number; data: Uint8Array }>;

export interface BatchParts {
  readonly bus: CapabilityBus;
  readonly store: BlobStore;
  readonly binary: BinaryBatchFetcher;
}

export interface BatchResult {
  /** Files saved, in no particular order. */
  readonly saved: { manifest: BlobManifest; path: string }[];
  /** CIDs the batch did not finish (big, not held by `source`, or a piece missing): fetch them one by one. */
  readonly rest: string[];
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new BlobError('cancelled', 'The download was cancelled.', { cause: signal.reason });
}

/** Manifests of `cids` held by `source`, checked against their CIDs; unknown ones are left out. */
async function manifestsFrom(
  c: BatchParts,
  source: string,
  cids: readonly string[],
  signal?: AbortSignal,
): Promise<BlobManifest[]> {
  const out: BlobManifest[] = [];
  for (let i = 0; i < cids.length; i += FILE_READ_MAX_MANIFESTS) {
    const wanted = new Set(cids.slice(i, i + FILE_READ_MAX_MANIFESTS));
    const r = (await c.bus.call(
      'file.read',
      [1, 0],
      { manifests: [...wanted] },
      { params: { node_id: source }, signal, idempotent: true },
    )) as { manifests?: unknown[] };
    for (const raw of r.manifests ?? []) {
      const cid = (raw as { cid?: unknown }).cid;
      if (typeof cid === 'string' && wanted.has(cid)) out.push(await parseManifest(raw, cid as BlobManifest['cid']));
    }
  }
  return out;
}

/**
 * Fetches the small files among `cids` from `source` in shared requests and saves each as a new
 * file at `outPath(manifest)` (moved out of the store as `fetchToFile` does: written once, never
 * visible half-written). Resolves to what was saved and what is left for the per-file path.
 */
export async function fetchSmallFiles(
  c: BatchParts,
  source: string,
  cids: readonly string[],
  outPath: (m: BlobManifest) => string | Promise<string>,
  signal?: AbortSignal,
): Promise<BatchResult> {
  const unique = [...new Set(cids)];
  let manifests: BlobManifest[];
  try {
    manifests = await manifestsFrom(c, source, unique, signal);
  } catch (err) {
    // A node from before the batched form refuses it (schema_mismatch): everything goes one by one.
    if (signal?.aborted) throw err;
    return { saved: [], rest: unique };
  }
  const small: BlobManifest[] = [];
  await inLanes(manifests, FILE_LANES, async (m) => {
    if (m.chunks.length <= BATCH_MAX_FILE_CHUNKS && !(await c.store.hasBlob(m.cid))) small.push(m);
  });
  const inBatch = new Set<string>(small.map((m) => m.cid));
  const saved: BatchResult['saved'] = [];
  const failed = new Set<string>();
  const release = await c.store.hold();
  try {
    const wanted: { m: BlobManifest; ref: ChunkRef }[] = [];
    let bytes = 0;
    await inLanes(small, FILE_LANES, async (m) => {
      await c.store.writePartial(m);
      for (const ref of await c.store.missingChunks(m)) {
        wanted.push({ m, ref });
        bytes += ref.size_bytes;
      }
    });
    await c.store.assertRoomFor(bytes, `${small.length} files`);
    await fetchPieces(c, source, wanted, signal);
    await inLanes(small, FILE_LANES, async (m) => {
      throwIfAborted(signal);
      try {
        await c.store.completeBlob(m.cid, { durable: false });
      } catch (err) {
        if (err instanceof BlobError && err.code === 'not_found') return void failed.add(m.cid); // a piece did not come
        throw err;
      }
      saved.push(await saveFile(c.store, m, await outPath(m), { durable: false, signal }));
    });
  } finally {
    await c.store.syncBatch();
    release();
  }
  return { saved, rest: unique.filter((cid) => !inBatch.has(cid) || failed.has(cid)) };
}

/** The pieces in requests of up to BLOB_CHUNKS_MAX_PER_REQUEST, each verified and written into its blob's pack. */
async function fetchPieces(
  c: BatchParts,
  source: string,
  wanted: readonly { m: BlobManifest; ref: ChunkRef }[],
  signal?: AbortSignal,
): Promise<void> {
  const requests: (typeof wanted)[] = [];
  for (let i = 0; i < wanted.length; i += BLOB_CHUNKS_MAX_PER_REQUEST)
    requests.push(wanted.slice(i, i + BLOB_CHUNKS_MAX_PER_REQUEST));
  await inLanes(requests, BATCH_REQUESTS_IN_FLIGHT, async (pieces) => {
    throwIfAborted(signal);
    const blobs: BlobPieces[] = [];
    for (const w of pieces) {
      const last = blobs.at(-1);
      if (last?.cid === w.m.cid) (last.chunks as number[]).push(w.ref.index);
      else blobs.push({ cid: w.m.cid, chunks: [w.ref.index] });
    }
    const ctrl = new AbortController();
    const onAbort = () => ctrl.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Each piece is stored while the next ones arrive (a copy: the parser reuses its buffer), at
      // most WRITES_IN_FLIGHT at once: one small file's store steps are thread-pool round trips.
      const writing = new Set<Promise<void>>();
      for await (const r of c.binary(source, { blobs }, ctrl.signal)) {
        const w = pieces[r.index] as (typeof pieces)[number] | undefined; // the peer's index: may be out of range
        if (!w || r.data.length !== w.ref.size_bytes) continue; // not asked for: the file is finished one by one
        while (writing.size >= WRITES_IN_FLIGHT) await Promise.race(writing);
        const data = Uint8Array.from(r.data);
        const p = c.store.writeFetchedChunk(w.m, w.ref.cid, data).catch((err: unknown) => {
          // A corrupt piece is simply not stored: its file is finished one by one.
          if (!(err instanceof BlobError && err.code === 'hash_mismatch')) throw err;
        });
        writing.add(p);
        void p.finally(() => writing.delete(p)).catch(() => undefined);
      }
      await Promise.all(writing);
    } catch (err) {
      if (signal?.aborted || (err instanceof BlobError && err.code !== 'not_found')) throw err;
      // A broken request leaves its files incomplete: they go the per-file way, which resumes.
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  });
}

/**
 * Saves a complete blob as the new file `path`: its pack is moved there (written once; with
 * `durable: false` made durable at `syncBatch`), or, when it cannot be moved (chunk files, another
 * filesystem), copied through a temp file beside it. Never visible half-written under `path`.
 */
export async function saveFile(
  store: BlobStore,
  m: BlobManifest,
  path: string,
  opts: { durable?: boolean; signal?: AbortSignal } = {},
): Promise<{ manifest: BlobManifest; path: string }> {
  if (await store.moveToFile(m.cid, path, { durable: opts.durable })) return { manifest: m, path };
  const a = await FileAssembly.open(m, path);
  try {
    await store.fillAssembly(a, { signal: opts.signal });
    await a.commit();
    return { manifest: m, path: a.outPath };
  } catch (err) {
    await a.discard();
    throw err;
  }
}

/** Runs `fn` over `items` with at most `lanes` at once; the first failure is thrown once all lanes stop. */
export async function inLanes<T>(items: readonly T[], lanes: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      try {
        await fn(items[next++]);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure !== null) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
}
