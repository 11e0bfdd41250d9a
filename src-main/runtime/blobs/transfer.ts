/** M07 §3.3: fetching a blob from several sources at once, verified chunk by chunk, resumable. */
import { BlobError, HearthError, RPC_DEFAULT_TIMEOUT_SECONDS, type Cid } from '../../common';
import { cancelledError } from './cancel';
import { assertCid } from './cid';
import type { BlobManifest } from './chunker';
import type { FileCidAdvertisedData } from './events';
import { parseManifest } from './manifest';
import { SourcePool, type SourceState } from './source-pool';
import type { BlobStore } from './store';

/** Chunks fetched at once per transfer (= chunks held in memory at most). */
export const TRANSFER_CONCURRENCY = 4;
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
  /** Returns the manifest as received (checked here, so plain parsed JSON is fine). */
  fetchManifest(source: string, manifestCid: Cid, signal: AbortSignal): Promise<unknown>;
}

export interface TransferInit {
  concurrency?: number;
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
}

/** One distinct chunk still to fetch (a CID repeated in the blob is fetched once). */
interface Job {
  cid: Cid;
  size: number;
  /** How many manifest positions this chunk fills. */
  count: number;
  tried: Set<string>;
  attempts: number;
}

/**
 * Pulls blobs from peers into the store. Lifecycle: no background work of its own; `stop()`
 * cancels fetches in progress (the chunks they already stored are kept for a later resume).
 */
export class TransferManager {
  readonly #c: TransferComponents;
  readonly #concurrency: number;
  readonly #maxFailures: number;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #active = new Map<Cid, { promise: Promise<BlobManifest>; abort: AbortController }>();

  constructor(components: TransferComponents, init: TransferInit = {}) {
    this.#c = components;
    this.#concurrency = Math.max(1, Math.floor(init.concurrency ?? TRANSFER_CONCURRENCY));
    this.#maxFailures = init.maxConsecutiveFailures ?? SOURCE_MAX_CONSECUTIVE_FAILURES;
    this.#maxAttempts = init.maxChunkAttempts ?? CHUNK_MAX_ATTEMPTS;
    this.#timeoutMs = init.chunkTimeoutMs ?? CHUNK_TIMEOUT_MS;
    this.#now = init.now ?? (() => performance.now());
  }

  async start(): Promise<void> {}

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
      if (!(await store.hasBlob(cid))) throw new BlobError('not_found', `Cannot offer ${cid} to neighbours: this device does not hold all of it.`, { details: { cid } });
      const m = await store.readManifest(cid);
      blobs.push({ cid: m.cid, size_bytes: m.size_bytes, mime_type: m.mime_type, filename: m.filename });
    }
    return { blobs };
  }

  async #fetch(cid: Cid, opts: FetchOptions, signal: AbortSignal): Promise<BlobManifest> {
    const store = this.#c.store;
    if (signal.aborted) throw cancelledError('The download', signal.reason);
    if (await store.hasBlob(cid)) {
      const m = await store.readManifest(cid);
      opts.onProgress?.({ done_chunks: m.chunks.length, total_chunks: m.chunks.length, bytes: m.size_bytes, total_bytes: m.size_bytes });
      return m;
    }
    const pool = new SourcePool(opts.sources, this.#maxFailures, this.#now);
    if (!pool.sources.length) throw new BlobError('not_found', `No neighbour is known to have the file ${cid}.`, { details: { cid, sources: [] } });
    const release = await store.hold();
    try {
      const manifest = (await store.readPartial(cid)) ?? (await this.#fetchManifest(cid, pool, signal));
      const missing = await store.missingChunks(manifest);
      const jobs = toJobs(missing);
      await store.assertRoomFor(jobs.reduce((n, j) => n + j.size, 0), manifest.filename ? `"${manifest.filename}"` : 'this file');
      const p: TransferProgress = {
        done_chunks: manifest.chunks.length - missing.length,
        total_chunks: manifest.chunks.length,
        bytes: manifest.size_bytes - missing.reduce((n, r) => n + r.size_bytes, 0),
        total_bytes: manifest.size_bytes,
      };
      opts.onProgress?.({ ...p });
      const fatal = await this.#runWorkers(jobs, pool, signal, (job) => {
        p.done_chunks += job.count;
        p.bytes += job.count * job.size;
        opts.onProgress?.({ ...p });
      });
      if (fatal) throw fatal;
      const still = await store.missingChunks(manifest);
      if (still.length) {
        throw new BlobError('not_found', `Could not get ${still.length} of ${manifest.chunks.length} pieces of ${manifest.filename ? `"${manifest.filename}"` : cid} from any neighbour; what was received is kept and a later try resumes.`, {
          details: { cid, missing_chunks: still.map((r) => r.index), sources: pool.report() },
        });
      }
      return await store.completeBlob(cid);
    } finally {
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
      try {
        const raw = await this.#withTimeout((sig) => this.#c.fetchManifest(s!.id, cid, sig), signal);
        m = await parseManifest(raw, cid);
      } catch (err) {
        if (signal.aborted) throw cancelledError('The download', signal.reason);
        pool.end(s, t, false, describe(err));
        continue;
      }
      pool.end(s, t, true);
      await this.#c.store.writePartial(m);
      return m;
    }
    throw new BlobError('not_found', `No neighbour could provide the description of the file ${cid}.`, { details: { cid, sources: pool.report() } });
  }

  /** Runs `concurrency` workers over the jobs; resolves to a fatal error (cancel, disk) or null. */
  async #runWorkers(jobs: Job[], pool: SourcePool, signal: AbortSignal, onDone: (job: Job) => void): Promise<HearthError | null> {
    let fatal: HearthError | null = null;
    let next = 0;
    const worker = async () => {
      while (!fatal && next < jobs.length) {
        const job = jobs[next++];
        for (;;) {
          if (signal.aborted) fatal ??= cancelledError('The download', signal.reason);
          if (fatal || job.attempts >= this.#maxAttempts) break;
          const s = pool.pick(job.tried);
          if (!s) return; // every source dropped: leave the rest missing
          job.attempts++;
          const r = await this.#fetchOne(job, s, pool, signal);
          if (r === 'ok') {
            onDone(job);
            break;
          }
          if (r instanceof HearthError) fatal ??= r;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, jobs.length) }, worker));
    return fatal;
  }

  /** One attempt at one chunk from one source: 'ok', 'retry' (counted against the source) or a fatal error. */
  async #fetchOne(job: Job, s: SourceState, pool: SourcePool, signal: AbortSignal): Promise<'ok' | 'retry' | HearthError> {
    const t = pool.begin(s);
    let data: Uint8Array;
    try {
      data = await this.#withTimeout((sig) => this.#c.fetchChunk(s.id, job.cid, sig), signal);
      if (!(data instanceof Uint8Array) || data.length !== job.size) throw new BlobError('hash_mismatch', `Chunk ${job.cid} arrived with the wrong length.`);
    } catch (err) {
      if (signal.aborted) return cancelledError('The download', signal.reason);
      pool.end(s, t, false, describe(err));
      job.tried.add(s.id);
      return 'retry';
    }
    try {
      await this.#c.store.writeChunk(job.cid, data);
    } catch (err) {
      if (err instanceof BlobError && err.code === 'hash_mismatch') {
        // Corrupted on the wire (or a lying source): refuse it, blame the source, ask elsewhere.
        pool.end(s, t, false, 'hash_mismatch');
        job.tried.add(s.id);
        return 'retry';
      }
      pool.end(s, t, true);
      return err instanceof HearthError ? err : new BlobError('io_error', 'Storing a received piece of the file failed.', { cause: err });
    }
    pool.end(s, t, true);
    return 'ok';
  }

  /** Runs `fn` with a signal that fires on cancel or after the per-request timeout; never waits past either. */
  async #withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, outer: AbortSignal): Promise<T> {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new BlobError('not_found', 'The neighbour did not answer in time.')), this.#timeoutMs);
    timer.unref?.();
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

/** Distinct missing chunks in manifest order. */
function toJobs(missing: readonly { cid: Cid; size_bytes: number }[]): Job[] {
  const byCid = new Map<Cid, Job>();
  for (const r of missing) {
    const j = byCid.get(r.cid);
    if (j) j.count++;
    else byCid.set(r.cid, { cid: r.cid, size: r.size_bytes, count: 1, tried: new Set(), attempts: 0 });
  }
  return [...byCid.values()];
}

function describe(err: unknown): string {
  if (err instanceof HearthError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
