/**
 * The app's long operations as OpEvent streams (tRPC subscriptions): fetch a file into this node,
 * copy a model from a neighbour, pull one from a URL, add documents (a file, a folder or an upload)
 * and re-index. They reuse the CLI's ops (node-api-ops.ts), so both see the same behaviour.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ulid } from 'ulidx';
import { CallError } from '../../../common';
import type {
  FetchedFile,
  FetchProgress,
  IngestDone,
  IngestProgress,
  ModelRow,
  OpEvent,
  OpFrame,
  PullProgress,
  RagIngestInput,
} from '..';
import { isCid } from '../../blobs';
import { ModelStore } from '../../models';
import { frames, runOp, throttled, type OpDeps } from './ops';
import { requireServices } from './services';
import type { Uploads } from './uploads';

export interface AppOpDeps extends OpDeps {
  readonly uploads: Uploads;
  /** Where a copied model is assembled before it enters the models folder. */
  readonly stagingDir: string;
}

/** OpFrames (`progress`*, `done`) as OpEvents. Frames of other kinds are not part of these ops. */
async function* asEvents<P, R>(
  source: AsyncIterable<OpFrame>,
  done: (data: Record<string, unknown>) => R = (x) => x as R,
): AsyncGenerator<OpEvent<P, R>> {
  for await (const f of source) {
    if (f.event === 'progress') yield { type: 'progress', progress: f.data as P };
    else if (f.event === 'done') yield { type: 'done', result: done(f.data as Record<string, unknown>) };
  }
}

function requireCid(cid: string): void {
  if (!isCid(cid))
    throw new CallError('bad_request', `cid: "${cid}" is not a file id (file ids look like blake3:1f0c…)`);
}

/** Fetches a file from any holder into this node's store (then `GET /api/v1/files/<cid>` serves it). */
export function filesFetch(
  d: AppOpDeps,
  cid: string,
  signal: AbortSignal,
): AsyncIterable<OpEvent<FetchProgress, FetchedFile>> {
  const { services } = requireServices(d.scope);
  requireCid(cid);
  return asEvents(
    frames(async (report) => {
      const m = await fetchReporting(services, cid, signal, report);
      return { cid: m.cid, filename: m.filename ?? null, size_bytes: m.size_bytes };
    }),
  );
}

/** Keeps a file (pinned, never collected) and offers it to the street. */
export async function filesShare(d: AppOpDeps, cid: string): Promise<{ cid: string; shared: true }> {
  const { services } = requireServices(d.scope);
  requireCid(cid);
  if (!(await services.blobs.hasBlob(cid)))
    throw new CallError('not_found', 'this household does not hold that file yet: fetch it first');
  await services.blobs.pin(cid);
  await services.files.advertise([cid]);
  return { cid, shared: true };
}

export function modelsPull(
  d: AppOpDeps,
  q: { url: string; sha256?: string },
  signal: AbortSignal,
): AsyncIterable<OpEvent<PullProgress, ModelRow>> {
  return asEvents(runOp(d, 'models.pull', { url: q.url, sha256: q.sha256?.toLowerCase() }, signal));
}

/** Copies a model file a neighbour shared (modelsShare) into the models folder, verified chunk by chunk. */
export function modelsCopy(
  d: AppOpDeps,
  cid: string,
  signal: AbortSignal,
): AsyncIterable<OpEvent<FetchProgress, ModelRow>> {
  const { services } = requireServices(d.scope);
  requireCid(cid);
  return asEvents(
    frames(async (report) => {
      const m = await fetchReporting(services, cid, signal, report);
      if (!m.filename?.toLowerCase().endsWith('.gguf'))
        throw new CallError('bad_request', `${m.filename ?? cid} is not a model file (.gguf)`);
      const folder = join(d.stagingDir, `copy-${ulid()}`);
      const staged = join(folder, m.filename);
      try {
        await mkdir(folder, { recursive: true, mode: 0o700 });
        await services.blobs.exportToFile(cid, staged);
        const added = await new ModelStore(d.modelsDir).add(staged);
        await d.onModelAdded?.(added.path);
        return added;
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    }),
  );
}

function ingestDone(corpus: string, r: Record<string, unknown>): IngestDone {
  const notices = Array.isArray(r.notices) ? (r.notices as string[]) : typeof r.notice === 'string' ? [r.notice] : [];
  return {
    corpus,
    documents: typeof r.documents === 'number' ? r.documents : 1,
    chunks_indexed: Number(r.chunks_indexed ?? 0),
    embedding_model: (r.embedding_model as string | null | undefined) ?? null,
    mode: typeof r.mode === 'string' ? r.mode : 'lexical',
    notices,
  };
}

/** Adds a file, a folder (every document in it) or a browser upload to a collection. */
export async function* ragIngest(
  d: AppOpDeps,
  q: RagIngestInput,
  signal: AbortSignal,
): AsyncGenerator<OpEvent<IngestProgress, IngestDone>> {
  // The store links to the document's bytes, so an upload is kept (not deleted) once added.
  const path = await d.uploads.keep(q);
  const title = q.title ?? (q.upload_id ? path.slice(path.lastIndexOf('/') + 1) : undefined);
  yield* asEvents<IngestProgress, IngestDone>(runOp(d, 'rag.ingest', { path, corpus: q.corpus, title }, signal), (r) =>
    ingestDone(q.corpus, r),
  );
}

export function ragReindex(
  d: AppOpDeps,
  q: { corpus: string; embedding_model?: string },
  signal: AbortSignal,
): AsyncIterable<OpEvent<IngestProgress, IngestDone>> {
  return asEvents<IngestProgress, IngestDone>(runOp(d, 'rag.reindex', q, signal), (r) => ingestDone(q.corpus, r));
}

/** Fetches `cid` from any holder, reporting progress at most every so often and always at the end. */
function fetchReporting(
  services: ReturnType<typeof requireServices>['services'],
  cid: string,
  signal: AbortSignal,
  report: (p: FetchProgress) => void,
) {
  const onProgress = throttled(
    (p: FetchProgress) => report({ ...p }),
    (p) => p.done_chunks === p.total_chunks,
  );
  return services.fileClient.fetch(cid, { signal, onProgress });
}
