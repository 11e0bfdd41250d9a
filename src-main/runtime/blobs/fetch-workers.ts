/** The transfer's workers: batches of missing chunks streamed from one source each, verified and stored one at a time. */
import { abortError, HearthError, type Cid } from '../../common';
import type { SourcePool, SourceState } from './source-pool';
import type { BlobManifest } from './chunker';
import type { BlobStore } from './store';
import type { PackWriter } from './packs';
import { BlobError } from './errors';

/** What a PackStreamer yields per chunk: checked and written into the pack (`ok`) or refused; or a disk failure. */
export type WrittenChunk = { readonly cid: Cid; readonly ok: boolean } | { readonly fatal: HearthError };

/**
 * Streams the wanted chunks from `source` straight into the blob's pack (a receiver thread checks
 * and writes them; receiver-threads.ts), or returns null when it cannot for this source (the
 * ChunkStreamer is used instead).
 */
export type PackStreamer = (
  source: string,
  chunks: readonly WantedChunk[],
  pack: PackWriter,
  signal: AbortSignal,
) => AsyncIterable<WrittenChunk> | null;

/** A chunk a source is asked for: its position (first one, if repeated), CID and length. */
export interface WantedChunk {
  readonly index: number;
  readonly cid: Cid;
  readonly size_bytes: number;
}

/** One chunk as it arrives from a source. */
export interface ReceivedChunk {
  readonly cid: string;
  readonly data: Uint8Array;
}

/**
 * Streams the wanted chunks from `source`, in any order; a chunk the source lacks is simply not
 * yielded. Should stop on `signal` (the workers stop waiting anyway).
 */
export type ChunkStreamer = (
  source: string,
  chunks: readonly WantedChunk[],
  signal: AbortSignal,
) => AsyncIterable<ReceivedChunk>;

/** One distinct chunk still to fetch (a CID repeated in the blob is fetched once). */
export interface Job {
  readonly cid: Cid;
  readonly index: number;
  readonly size: number;
  /** How many manifest positions this chunk fills. */
  readonly count: number;
  readonly tried: Set<string>;
  attempts: number;
}

/** Where verified chunks go besides the store (a download straight into the user's file). */
export interface ChunkSink {
  write(cid: Cid, data: Uint8Array): Promise<void>;
}

export interface WorkerSettings {
  readonly concurrency: number;
  readonly batch: number;
  readonly maxAttempts: number;
  /** Longest wait for the next chunk of a batch. */
  readonly timeoutMs: number;
  readonly store: BlobStore;
  readonly streamer: ChunkStreamer;
  /** When given (and there is no sink), batches are received straight into the pack through it. */
  readonly intoPack?: PackStreamer;
  readonly sink?: ChunkSink;
  /** The blob being fetched (its pack receives the chunks). */
  readonly manifest: BlobManifest;
}

/** Distinct missing chunks in manifest order. */
export function toJobs(missing: readonly WantedChunk[]): Job[] {
  const byCid = new Map<Cid, { index: number; size: number; count: number }>();
  for (const r of missing) {
    const j = byCid.get(r.cid);
    if (j) j.count++;
    else byCid.set(r.cid, { index: r.index, size: r.size_bytes, count: 1 });
  }
  return [...byCid].map(([cid, j]) => ({ cid, ...j, tried: new Set<string>(), attempts: 0 }));
}

/**
 * Runs `concurrency` workers until every job is stored, has used up its attempts, or no source is
 * left. Each worker takes up to `batch` jobs its source has not failed, streams them, and stores
 * each chunk (verified against its CID) before reading the next — so at most `concurrency` chunks
 * are held in memory. A chunk that fails (corrupt, missing, stream broken) goes back to the queue
 * for another source. Resolves to a fatal error (cancel, disk) or null.
 */
export async function runWorkers(
  jobs: Job[],
  pool: SourcePool,
  signal: AbortSignal,
  s: WorkerSettings,
  onDone: (job: Job) => void,
): Promise<HearthError | null> {
  const queue = [...jobs];
  // Shared by the workers (an object, so that the loop below sees what the workers set).
  const state: { fatal: HearthError | null; noSource: boolean } = { fatal: null, noSource: false };
  const worker = async () => {
    while (!state.fatal && !state.noSource && queue.length) {
      if (signal.aborted) {
        state.fatal ??= abortError(signal, 'The download');
        return;
      }
      const src = pool.pick(queue[0].tried);
      if (!src) {
        state.noSource = true; // every source dropped: leave the rest missing
        return;
      }
      // Split what is left between the workers, so every source gets a share of a small blob too.
      const batch = takeBatch(queue, src.id, Math.min(s.batch, Math.ceil(queue.length / s.concurrency)));
      const r = await fetchBatch(batch, src, pool, signal, s, onDone);
      if (r) state.fatal ??= r;
      for (const j of batch) if (!j.done && j.job.attempts < s.maxAttempts) queue.push(j.job);
    }
  };
  // Rounds: a worker may finish while another's failed batch is being re-queued.
  for (
    let round = 0;
    !state.fatal && !state.noSource && queue.length && round <= s.maxAttempts * Math.max(1, jobs.length);
    round++
  ) {
    await Promise.all(Array.from({ length: Math.min(s.concurrency, queue.length) }, worker));
  }
  return state.fatal;
}

/** Up to `max` jobs from the front of the queue that `source` has not failed (the first one always). */
function takeBatch(queue: Job[], source: string, max: number): { job: Job; done: boolean }[] {
  const first = queue.shift();
  if (!first) throw new Error('takeBatch needs a non-empty queue');
  const out = [{ job: first, done: false }];
  for (let i = 0; i < queue.length && out.length < max;) {
    if (queue[i].tried.has(source)) i++;
    else out.push({ job: queue.splice(i, 1)[0], done: false });
  }
  return out;
}

/** Streams one batch from one source; marks jobs done; resolves to a fatal error or null. */
async function fetchBatch(
  batch: { job: Job; done: boolean }[],
  src: SourceState,
  pool: SourcePool,
  signal: AbortSignal,
  s: WorkerSettings,
  onDone: (job: Job) => void,
): Promise<HearthError | null> {
  for (const b of batch) b.job.attempts++;
  const byCid = new Map(batch.map((b) => [b.job.cid as string, b]));
  const ctrl = new AbortController();
  const onOuter = () => ctrl.abort(signal.reason);
  signal.addEventListener('abort', onOuter, { once: true });
  const t = pool.begin(src);
  let problem: string | null = null;
  let fatal: HearthError | null = null;
  const wanted = batch.map((b) => ({ index: b.job.index, cid: b.job.cid, size_bytes: b.job.size }));
  let writer: PackWriter | null = null;
  let it: AsyncIterator<ReceivedChunk | WrittenChunk> | null = null;
  try {
    writer = s.intoPack && !s.sink ? await s.store.openPackWriter(s.manifest) : null;
    const into = writer && s.intoPack ? s.intoPack(src.id, wanted, writer, ctrl.signal) : null;
    it = (into ?? s.streamer(src.id, wanted, ctrl.signal))[Symbol.asyncIterator]();
    for (;;) {
      const r = await nextWithin(it, s.timeoutMs, ctrl);
      if (r.done) break;
      const v = r.value;
      if ('fatal' in v) {
        fatal = v.fatal;
        break;
      }
      const b = byCid.get(v.cid);
      if (!b || b.done) {
        problem = 'sent a piece that was not asked for';
        break;
      }
      const err = 'ok' in v ? (v.ok ? await recordWritten(writer, v.cid) : 'corrupt') : await store(s, b.job, v.data);
      if (err === 'corrupt') {
        problem = 'hash_mismatch'; // corrupted on the wire (or a lying source): refuse it, ask elsewhere
        continue;
      }
      if (err) {
        fatal = err;
        break;
      }
      b.done = true;
      onDone(b.job);
    }
  } catch (err) {
    if (signal.aborted) fatal = abortError(signal, 'The download');
    else if (!it && err instanceof HearthError)
      fatal = err; // the pack could not be opened
    else problem = describe(err);
  } finally {
    signal.removeEventListener('abort', onOuter);
    if (!ctrl.signal.aborted) ctrl.abort(new BlobError('not_found', 'The batch ended.'));
    void it?.return?.().catch(() => undefined);
    writer?.release();
  }
  const missing = batch.filter((b) => !b.done);
  if (!problem && missing.length) problem = `did not have ${missing.length} of the pieces asked for`;
  for (const b of missing) b.job.tried.add(src.id);
  pool.end(src, t, !problem, problem ?? '');
  return fatal;
}

/** Records a chunk a receiver thread wrote into the pack. */
async function recordWritten(writer: PackWriter | null, cid: Cid): Promise<HearthError | null> {
  try {
    await writer?.written(cid);
    return null;
  } catch (err) {
    return err instanceof HearthError
      ? err
      : new BlobError('io_error', 'Recording a received piece failed.', { cause: err });
  }
}

/** Stores a received chunk (and hands it to the sink): null when done, 'corrupt' when it is not the chunk asked for, else a fatal error. */
async function store(s: WorkerSettings, job: Job, data: Uint8Array): Promise<HearthError | 'corrupt' | null> {
  if (!(data instanceof Uint8Array) || data.length !== job.size) return 'corrupt';
  try {
    await s.store.writeFetchedChunk(s.manifest, job.cid, data); // into the blob's pack; refetchable, verified on read
    await s.sink?.write(job.cid, data);
    return null;
  } catch (err) {
    if (err instanceof BlobError && err.code === 'hash_mismatch') return 'corrupt';
    return err instanceof HearthError
      ? err
      : new BlobError('io_error', 'Storing a received piece of the file failed.', { cause: err });
  }
}

/** The iterator's next item, or a rejection after `ms` without one (aborting `ctrl`) or on abort. */
function nextWithin<T>(it: AsyncIterator<T>, ms: number, ctrl: AbortController): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(ctrl.signal.reason);
    const timer = setTimeout(() => ctrl.abort(new BlobError('not_found', 'The neighbour did not answer in time.')), ms);
    timer.unref();
    if (ctrl.signal.aborted) onAbort();
    ctrl.signal.addEventListener('abort', onAbort, { once: true });
    it.next()
      .then(resolve, reject)
      .finally(() => {
        clearTimeout(timer);
        ctrl.signal.removeEventListener('abort', onAbort);
      });
  });
}

function describe(err: unknown): string {
  if (err instanceof HearthError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
