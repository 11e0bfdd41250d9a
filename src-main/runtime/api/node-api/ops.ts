/**
 * The long operations of the local API (`POST /api/v1/ops/<name>`): each streams `progress`
 * frames (throttled) and ends with `done`, or throws a HearthError the server turns into an
 * `error` frame. They run on the node; paths are on this machine.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CallError } from '../../../common';
import type { OpFrame, OpInputs, OpName } from '..';
import { CID_PREFIX, isCid } from '../../blobs';
import type { CapabilityBus } from '../../bus';
import type { KeyPair } from '../../identity';
import { ModelStore } from '../../models';
import {
  askMesh,
  documentKind,
  IngestPipeline,
  progressFrames,
  RagError,
  validateCorpusName,
  type Citation,
  type CorpusRegistry,
  type IngestResult,
} from '../../services/rag';
import type { CommunityScope } from '../../node/community-scope';
import { requireRegularFile, requireServices } from './services';

/** Least time between two progress frames of one op, ms (the last one always goes out). */
export const OP_PROGRESS_INTERVAL_MS = 100;

export interface OpDeps {
  readonly kp: KeyPair;
  readonly bus: CapabilityBus;
  readonly scope: () => CommunityScope | null;
  readonly modelsDir: string;
  readonly onModelAdded?: (path: string) => Promise<void>;
}

type Op<N extends OpName> = (d: OpDeps, input: OpInputs[N], signal: AbortSignal) => AsyncIterable<OpFrame>;

/** Drops reports that come faster than `everyMs`, except the final one. */
export function throttled<P>(
  report: (p: P) => void,
  isLast: (p: P) => boolean,
  everyMs = OP_PROGRESS_INTERVAL_MS,
): (p: P) => void {
  let last = -Infinity;
  return (p) => {
    const now = performance.now();
    if (!isLast(p) && now - last < everyMs) return;
    last = now;
    report(p);
  };
}

export const frames = <R extends object>(job: (report: (p: object) => void) => Promise<R>): AsyncIterable<OpFrame> =>
  progressFrames<R>(job) as AsyncIterable<OpFrame>;

async function refuseExisting(path: string): Promise<void> {
  if (
    await stat(path).then(
      () => true,
      () => false,
    )
  )
    throw new CallError('bad_request', `${path} already exists; choose another --out (nothing was overwritten)`);
}

const filesGet: Op<'files.get'> = async function* (d, { cid, out }, signal) {
  const { services } = requireServices(d.scope);
  if (!isCid(cid)) throw new CallError('bad_request', `"${cid}" is not a file id (file ids look like blake3:1f0c…)`);
  const outStat = await stat(out).catch(() => null);
  const intoDir = outStat?.isDirectory() ?? false;
  if (outStat && !intoDir) await refuseExisting(out);
  if (!intoDir && !(await stat(dirname(out)).catch(() => null))?.isDirectory())
    throw new CallError('bad_request', `the folder ${dirname(out)} does not exist`);
  yield* frames(async (report) => {
    const target = async (m: { cid: string; filename?: string | null }) => {
      const path = intoDir ? join(out, basename(m.filename ?? m.cid.slice(CID_PREFIX.length))) : out;
      if (intoDir) await refuseExisting(path);
      return path;
    };
    const onProgress = throttled(
      (p: { done_chunks: number; total_chunks: number }) => report({ ...p }),
      (p) => p.done_chunks === p.total_chunks,
    );
    const { manifest: m, path } = await services.fileClient.fetchToFile(cid, target, { signal, onProgress });
    // Offer it onward (issue 14 item 5): neighbours then see this household as a holder in
    // `files list`, and can fetch it from here when the sharer is away.
    await services.files.advertise([m.cid]);
    return { path, cid: m.cid, filename: m.filename, size_bytes: m.size_bytes };
  });
};

/** What this node's rag.query offer for `corpus` looks like; a change means re-registering it. */
function offered(reg: CorpusRegistry, corpus: string): string {
  if (!reg.names().includes(corpus)) return 'absent';
  return reg.embeddingOf(corpus)?.model ?? 'lexical';
}

/** Documents (PDF, Markdown, HTML, text) in a folder and its subfolders, sorted, at most RAG_FOLDER_MAX_FILES. */
export const RAG_FOLDER_MAX_FILES = 1_000;
async function documentsIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() || e.name.startsWith('.') || !documentKind(e.name)) continue;
    out.push(join(e.parentPath, e.name));
    if (out.length > RAG_FOLDER_MAX_FILES)
      throw new CallError(
        'bad_request',
        `${dir} holds more than ${RAG_FOLDER_MAX_FILES} documents; add its subfolders one by one`,
      );
  }
  return out.sort();
}

const ragIngest: Op<'rag.ingest'> = async function* (d, { path, corpus, title }, signal) {
  const { services } = requireServices(d.scope);
  const { rag, ingest, corpora } = services;
  if (!rag || !ingest || !corpora)
    throw new CallError('forbidden', "shared documents are turned off in this node's settings ([rag] enabled = false)");
  validateCorpusName(corpus);
  const st = await stat(path).catch(() => null);
  const folder = st?.isDirectory() ?? false;
  const paths = folder ? await documentsIn(path) : [path];
  if (folder && paths.length === 0)
    throw new CallError('bad_request', `${path} holds no documents (PDF, Markdown, HTML or text files)`);
  const sizes: number[] = [];
  for (const p of paths) sizes.push(await requireRegularFile(p));
  yield* frames(async (report) => {
    const before = offered(corpora, corpus);
    const results: Array<IngestResult & { title: string }> = [];
    for (const [i, p] of paths.entries()) {
      const docTitle = folder ? basename(p) : title;
      const extra = folder ? { document: i + 1, documents: paths.length, title: basename(p) } : {};
      const bytes = throttled(
        (x: { bytes: number; total_bytes: number }) =>
          report({ stage: 'importing', current: x.bytes, total: x.total_bytes, ...extra }),
        (x) => x.bytes === x.total_bytes,
      );
      bytes({ bytes: 0, total_bytes: sizes[i] });
      const m = await services.fileClient.addFile(p, { pin: true, signal, onProgress: bytes });
      await services.files.advertise([m.cid]);
      const r = await ingest.ingestDocument({
        docCid: m.cid,
        corpus,
        title: docTitle,
        signal,
        onProgress: (x) => report({ ...x, ...extra }),
      });
      results.push({ ...r, title: docTitle ?? m.filename ?? basename(p) });
    }
    if (offered(corpora, corpus) !== before) rag.refreshRegistration();
    if (!folder) return { ...results[0], documents: 1 };
    return {
      corpus,
      folder: path,
      documents: results.length,
      added: results.filter((r) => !r.already_ingested).length,
      chunks_indexed: results.reduce((n, r) => n + r.chunks_indexed, 0),
      embedding_model: corpora.embeddingOf(corpus)?.model ?? null,
      mode: results.every((r) => r.mode === 'hybrid')
        ? 'hybrid'
        : results.every((r) => r.mode === 'lexical')
          ? 'lexical'
          : 'mixed',
      notices: [...new Set(results.map((r) => r.notice).filter((n): n is string => !!n))],
      titles: results.map((r) => r.title),
    };
  });
};

const ragReindex: Op<'rag.reindex'> = async function* (d, { corpus, embedding_model }, signal) {
  const { scope, services } = requireServices(d.scope);
  const { rag, ingest, corpora } = services;
  if (!rag || !ingest || !corpora)
    throw new CallError('forbidden', "shared documents are turned off in this node's settings ([rag] enabled = false)");
  validateCorpusName(corpus);
  if (!corpora.names().includes(corpus))
    throw new RagError('not_found', `There is no corpus called "${corpus}" on this device.`, { details: { corpus } });
  const current = corpora.embeddingOf(corpus)?.model ?? null;
  if (embedding_model && current && embedding_model !== current) {
    throw new RagError(
      'embedding_mismatch',
      `"${corpus}" is indexed with the embedding model ${current}; its vectors cannot be mixed with ${embedding_model}. Ingest the documents into a new corpus instead.`,
    );
  }
  const docs = corpora.open(corpus).listDocuments();
  const pipeline = embedding_model
    ? new IngestPipeline(
        {
          bus: d.bus,
          blobStore: services.blobs,
          corpora: (n, e) => corpora.open(n, e),
          corpusEmbedding: (n) => corpora.embeddingOf(n),
          eventLog: scope.community.log,
          authorKp: d.kp,
        },
        { embedModel: embedding_model },
      )
    : ingest;
  yield* frames(async (report) => {
    // Every document's bytes first: a reindex never starts on a document it cannot finish.
    for (const doc of docs)
      if (!(await services.blobs.hasBlob(doc.doc_cid))) await services.fileClient.fetch(doc.doc_cid, { signal });
    const before = offered(corpora, corpus);
    const results: IngestResult[] = [];
    for (const [i, doc] of docs.entries()) {
      const progress = (p: object) => report({ ...p, document: i + 1, documents: docs.length, title: doc.title });
      results.push(
        await pipeline.ingestDocument({
          docCid: doc.doc_cid,
          corpus,
          title: doc.title,
          language: doc.language,
          metadata: doc.metadata,
          replace: true,
          signal,
          onProgress: progress,
        }),
      );
    }
    if (offered(corpora, corpus) !== before) rag.refreshRegistration();
    return {
      corpus,
      documents: results.length,
      chunks_indexed: results.reduce((n, r) => n + r.chunks_indexed, 0),
      embedding_model: corpora.embeddingOf(corpus)?.model ?? null,
      mode: results.every((r) => r.mode === 'hybrid')
        ? 'hybrid'
        : results.every((r) => r.mode === 'lexical')
          ? 'lexical'
          : 'mixed',
      notices: [...new Set(results.map((r) => r.notice).filter((n): n is string => !!n))],
    };
  });
};

const ask: Op<'ask'> = async function* (d, { question, corpora, model }, signal) {
  let sources: Citation[] = [];
  for await (const ev of askMesh({
    bus: d.bus,
    question,
    corpora: corpora ? [...corpora] : undefined,
    model,
    signal,
  })) {
    if (ev.type === 'sources') {
      sources = ev.sources;
      yield { event: 'sources', data: { sources } };
    } else if (ev.type === 'text') yield { event: 'token', data: { text: ev.text } };
    else
      yield {
        event: 'done',
        data: {
          answered_by: ev.answered_by,
          model: ev.model,
          notice: ev.notice,
          citations: sources.map(({ text: _text, ...c }) => c),
        },
      };
  }
};

const modelsPull: Op<'models.pull'> = (d, { url, sha256 }, signal) =>
  frames(async (report) => {
    const model = await new ModelStore(d.modelsDir).pull(url, {
      sha256,
      signal,
      onProgress: throttled(
        (p) => report({ ...p }),
        (p) => p.received_bytes === p.total_bytes,
      ),
    });
    await d.onModelAdded?.(model.path);
    return model;
  });

const OPS: { readonly [N in OpName]: Op<N> } = {
  'files.get': filesGet,
  'rag.ingest': ragIngest,
  'rag.reindex': ragReindex,
  ask,
  'models.pull': modelsPull,
};

/** Runs a named op with its (already validated) input. */
export function runOp<N extends OpName>(
  d: OpDeps,
  name: N,
  input: OpInputs[N],
  signal: AbortSignal,
): AsyncIterable<OpFrame> {
  return (OPS[name] as Op<N>)(d, input, signal);
}
