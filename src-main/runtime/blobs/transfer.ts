/** M07 §3.3 of ../shared/spec/hearthnet-reference.md: fetching a blob from several sources at once, verified chunk by chunk, resumable. */
import { HearthError, RPC_DEFAULT_TIMEOUT_SECONDS, throwIfAborted, type Cid } from '../../common';
import { runWorkers, toJobs, type ChunkSink, type ChunkStreamer, type PackStreamer } from './fetch-workers';
import { assertCid } from './cid';
import type { BlobManifest } from './chunker';
import type { FileCidAdvertisedData } from './events';
import { parseManifest } from './manifest';
import { SourcePool } from './source-pool';
import type { BlobStore } from './store';
import { BlobError } from './errors';

/** Requests in flight per transfer (= chunks held in memory at most: each worker stores one before reading the next). */
export const TRANSFER_CONCURRENCY = 4;
/** Streamed requests in flight per transfer when `fetchChunks` is given (each still holds one chunk at a time). */
export const TRANSFER_STREAMS = 2;
/** Chunks per streamed request (8 MiB of 256 KiB chunks): few calls per file, so per-call costs and rate limits do not bind. */
export const TRANSFER_BATCH_CHUNKS = 128;
/** A source failing this many requests in a row is dropped from the transfer. */
export const SOURCE_MAX_CONSECUTIVE_FAILURES = 3;
/** Tries per chunk (over all sources) before the transfer gives up on it. */
export const CHUNK_MAX_ATTEMPTS = 6;
/** Time one chunk or manifest request may take before it counts as failed. */
export const CHUNK_TIMEOUT_MS = RPC_DEFAULT_TIMEOUT_SECONDS * 1000;

/**
 * How chunks and manifests are fetched; transport-agnostic. `source` is whatever names a
 * holder (a node id); the lead plugs in bus calls to `file.read` on that peer. Implementations
 * should stop on `signal`; the manager stops waiting anyway.
 */
export interface TransferComponents {
  store: BlobStore;
  fetchChunk(source: string, cid: Cid, signal: AbortSignal): Promise<Uint8Array>;
  /**
   * Optional: many chunks per request, streamed (see ChunkStreamer). When given, workers ask for
   * `batchChunks` chunks at a time through it instead of calling `fetchChunk` per chunk.
   */
  fetchChunks?: ChunkStreamer;
  /**
   * Optional: batches received straight into the blob's pack, off the main thread (receiver
   * threads); used when it returns an iterable for a source, else `fetchChunks`.
   */
  fetchChunksInto?: PackStreamer;
  /** Returns the manifest as received (checked here, so plain parsed JSON is fine). */
  fetchManifest(source: string, manifestCid: Cid, signal: AbortSignal): Promise<unknown>;
}

export interface TransferInit {
  concurrency?: number;
  /** Chunks asked of one source per request when `fetchChunks` is given (default TRANSFER_BATCH_CHUNKS). */
  batchChunks?: number;
  maxConsecutiveFailures?: number;
  maxChunkAttempts?: number;
  chunkTimeoutMs?: number;
  /** Monotonic ms clock for source timings. */
  now?: () => number;
}

/** Progress of a fetch; counts include chunks that were already held. */
export interface TransferProgress {
  done_chunks: number;
  total_chunks: number;
  bytes: number;
  total_bytes: number;
}

export interface FetchOptions {
  sources: readonly string[];
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
  /**
   * Called once the manifest is known (not when the blob is already held): every chunk verified
   * and stored from then on is also written to the sink it returns. A failing sink fails the fetch.
   */
  sink?: (m: BlobManifest) => Promise<ChunkSink>;
}

/**
 * Pulls blobs from peers into the store. Lifecycle: no background work of its own; `stop()`
 * cancels fetches in progress (the chunks they already stored are kept for a later resume).
 */
export class TransferManager {
  readonly #c: TransferComponents;
  readonly #concurrency: number;
  readonly #batch: number;
  readonly #maxFailures: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #active = new Map<Cid, { promise: Promise<BlobManifest>; abort: AbortController }>();

  constructor(components: TransferComponents, init: TransferInit = {}) {
    this.#c = components;
    this.#concurrency = Math.max(
      1,
      Math.floor(init.concurrency ?? (components.fetchChunks ? TRANSFER_STREAMS : TRANSFER_CONCURRENCY)),
    );
    this.#batch = components.fetchChunks ? Math.max(1, Math.floor(init.batchChunks ?? TRANSFER_BATCH_CHUNKS)) : 1;
    this.#maxFailures = init.maxConsecutiveFailures ?? SOURCE_MAX_CONSECUTIVE_FAILURES;
    this.#maxAttempts = init.maxChunkAttempts ?? CHUNK_MAX_ATTEMPTS;
    this.#timeoutMs = init.chunkTimeoutMs ?? CHUNK_TIMEOUT_MS;
    this.#now = init.now ?? (() => performance.now());
  }

  async start(): Promise<void> {}

  /** fetchChunks, or fetchChunk one chunk at a time. */
  readonly #streamer: ChunkStreamer = (source, chunks, signal) => {
    const c = this.#c;
    if (c.fetchChunks) return c.fetchChunks(source, chunks, signal);
    return (async function* () {
      for (const ch of chunks) yield { cid: ch.cid, data: await c.fetchChunk(source, ch.cid, signal) };
    })();
  };

  /** Cancels every fetch in progress and waits for them to settle. */
  async stop(): Promise<void> {
    const running = [...this.#active.values()];
    for (const a of running) a.abort.abort();
    await Promise.allSettled(running.map((a) => a.promise));
  }

  /**
   * Fetches a blob unless already held, resolving to its manifest. The manifest is checked
   * against `manifestCid`; each chunk is verified and stored as it arrives, so after an abort or
   * a crash a new call fetches only what is still missing. A second call for a blob already
   * being fetched waits for the first. Errors: BlobError('not_found') when no source could
   * supply it (details say which chunks are missing and why), 'disk_full', 'manifest_invalid'
   * for a bad id, HearthError('cancelled') on abort.
   */
  fetchBlob(manifestCid: string, opts: FetchOptions): Promise<BlobManifest> {
    let cid: Cid;
    try {
      cid = assertCid(manifestCid, 'file id');
    } catch (err) {
      return Promise.reject(err);
    }
    const running = this.#active.get(cid);
    if (running) return running.promise;
    const abort = new AbortController();
    const onAbort = () => abort.abort(opts.signal?.reason);
    if (opts.signal?.aborted) abort.abort(opts.signal.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const promise = this.#fetch(cid, opts, abort.signal).finally(() => {
      opts.signal?.removeEventListener('abort', onAbort);
      this.#active.delete(cid);
    });
    this.#active.set(cid, { promise, abort });
    return promise;
  }

  /** The `file.cid.advertised` event data for blobs held in full; 'not_found' names any that are not. */
  async advertise(cids: readonly string[]): Promise<FileCidAdvertisedData> {
    const store = this.#c.store;
    const blobs = [];
    for (const raw of new Set(cids)) {
      const cid = assertCid(raw, 'file id');
      if (!(await store.hasBlob(cid)))
        throw new BlobError('not_found', `Cannot offer ${cid} to neighbours: this device does not hold all of it.`, {
          details: { cid },
        });
      const m = await store.readManifest(cid);
      blobs.push({ cid: m.cid, size_bytes: m.size_bytes, mime_type: m.mime_type, filename: m.filename });
    }
    return { blobs };
  }

  async #fetch(cid: Cid, opts: FetchOptions, signal: AbortSignal): Promise<BlobManifest> {
    const store = this.#c.store;
    throwIfAborted(signal, 'The download');
    if (await store.hasBlob(cid)) {
      const m = await store.readManifest(cid);
      opts.onProgress?.({
        done_chunks: m.chunks.length,
        total_chunks: m.chunks.length,
        bytes: m.size_bytes,
        total_bytes: m.size_bytes,
      });
      return m;
    }
    const pool = new SourcePool(opts.sources, this.#maxFailures, this.#now);
    if (!pool.sources.length)
      throw new BlobError('not_found', `No neighbour is known to have the file ${cid}.`, {
        details: { cid, sources: [] },
      });
    const release = await store.hold();
    try {
      const manifest = (await store.readPartial(cid)) ?? (await this.#fetchManifest(cid, pool, signal));
      const missing = await store.missingChunks(manifest);
      const jobs = toJobs(missing);
      await store.assertRoomFor(
        jobs.reduce((n, j) => n + j.size, 0),
        manifest.filename ? `"${manifest.filename}"` : 'this file',
      );
      const p: TransferProgress = {
        done_chunks: manifest.chunks.length - missing.length,
        total_chunks: manifest.chunks.length,
        bytes: manifest.size_bytes - missing.reduce((n, r) => n + r.size_bytes, 0),
        total_bytes: manifest.size_bytes,
      };
      opts.onProgress?.({ ...p });
      const sink = await opts.sink?.(manifest);
      const settings = {
        concurrency: this.#concurrency,
        batch: this.#batch,
        maxAttempts: this.#maxAttempts,
        timeoutMs: this.#timeoutMs,
        store,
        streamer: this.#streamer,
        intoPack: this.#c.fetchChunksInto,
        sink,
        manifest,
      };
      const fatal = await runWorkers(jobs, pool, signal, settings, (job) => {
        p.done_chunks += job.count;
        p.bytes += job.count * job.size;
        opts.onProgress?.({ ...p });
      });
      if (fatal) throw fatal;
      await store.flushFetched(cid); // the last writes land (or their failure is thrown) before counting what is missing
      const still = await store.missingChunks(manifest);
      if (still.length) {
        throw new BlobError(
          'not_found',
          `Could not get ${still.length} of ${manifest.chunks.length} pieces of ${manifest.filename ? `"${manifest.filename}"` : cid} from any neighbour; what was received is kept and a later try resumes.`,
          {
            details: { cid, missing_chunks: still.map((r) => r.index), sources: pool.report() },
          },
        );
      }
      return await store.completeBlob(cid);
    } finally {
      await store.flushFetched(cid).catch(() => undefined); // a cancelled or failed fetch resumes from here
      release();
    }
  }

  /** Asks live sources in turn for the manifest until one returns a valid one with this CID. */
  async #fetchManifest(cid: Cid, pool: SourcePool, signal: AbortSignal): Promise<BlobManifest> {
    const tried = new Set<string>();
    for (let s = pool.pick(tried); s && !tried.has(s.id); s = pool.pick(tried)) {
      tried.add(s.id);
      const t = pool.begin(s);
      let m: BlobManifest;
      const sourceId = s.id;
      try {
        const raw = await this.#withTimeout((sig) => this.#c.fetchManifest(sourceId, cid, sig), signal);
        m = await parseManifest(raw, cid);
      } catch (err) {
        throwIfAborted(signal, 'The download');
        pool.end(s, t, false, describe(err));
        continue;
      }
      pool.end(s, t, true);
      await this.#c.store.writePartial(m);
      return m;
    }
    throw new BlobError('not_found', `No neighbour could provide the description of the file ${cid}.`, {
      details: { cid, sources: pool.report() },
    });
  }

  /** Runs `fn` with a signal that fires on cancel or after the per-request timeout; never waits past either. */
  async #withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, outer: AbortSignal): Promise<T> {
    const ctrl = new AbortController();
    const timer = setTimeout(
      () => ctrl.abort(new BlobError('not_found', 'The neighbour did not answer in time.')),
      this.#timeoutMs,
    );
    timer.unref();
    const onOuter = () => ctrl.abort(outer.reason);
    outer.addEventListener('abort', onOuter, { once: true });
    try {
      return await new Promise<T>((resolve, reject) => {
        ctrl.signal.addEventListener('abort', () => reject(ctrl.signal.reason), { once: true });
        fn(ctrl.signal).then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuter);
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof HearthError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
