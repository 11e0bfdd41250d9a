/**
 * M05 §3.3 of ../shared/spec/hearthnet-reference.md: the ingest pipeline — blob -> chunks -> vectors (embed.text over the bus) -> corpus,
 * then a signed `rag.document.ingested` event. Crash-safe and idempotent per document CID.
 */
import { HearthError, type EventType } from '../../../common';
import type { BlobStore } from '../../blobs';
import type { Event } from '../../events';
import type { KeyPair } from '../../identity';
import type { Chunk } from './chunk';
import { chunkDocument, documentKind } from './chunker';
import type { CorpusEmbedding } from './corpus-registry';
import { validateCorpusName } from './corpus-name';
import { embedViaBus, isUnavailable, type BusLike } from './embed-client';
import { RagError } from './errors';
import { IngestLedger, type IngestRecord } from './ingest-ledger';
import type { CorpusStore } from './store';

/** Chunks embedded (and stored) per step. */
export const INGEST_BATCH_SIZE = 32;

export type IngestStage = 'chunking' | 'embedding' | 'storing';
export interface IngestProgress {
  stage: IngestStage;
  current: number;
  total: number;
}

/** §10 IngestResult, plus how it was indexed. Wire names (rag.ingest response). */
export interface IngestResult {
  doc_cid: string;
  chunks_indexed: number;
  tokens_indexed: number;
  ingest_event_id: string;
  ms: number;
  corpus: string;
  /** 'lexical' when no embedding model was reachable: keyword search only for this document. */
  mode: 'hybrid' | 'lexical';
  embedding_model: string | null;
  /** True when the document was already in the corpus and nothing was done. */
  already_ingested: boolean;
  /** A sentence for the person, when something is worth knowing (e.g. keyword-only). */
  notice?: string;
}

export interface IngestRequest {
  docCid: string;
  corpus: string;
  title?: string;
  language?: string | null;
  metadata?: Record<string, unknown>;
  /** Overrides the manifest's type (e.g. 'text/markdown'). */
  mimeType?: string;
  /** Re-index a document already in the corpus. */
  replace?: boolean;
  onProgress?: (p: IngestProgress) => void;
  signal?: AbortSignal;
}

export interface IngestComponents {
  bus: BusLike;
  blobStore: BlobStore;
  /** Opens a corpus; with `embedding`, ready for vectors of that model (CorpusRegistry.open). */
  corpora: (name: string, embedding?: CorpusEmbedding | null) => CorpusStore;
  /** The model a corpus was indexed with (CorpusRegistry.embeddingOf); its vectors must keep using it. */
  corpusEmbedding?: (name: string) => CorpusEmbedding | null;
  eventLog: { appendLocal(type: EventType, data: Record<string, unknown>, authorKp: KeyPair): Event | Promise<Event> };
  authorKp: KeyPair;
}

export interface IngestInit {
  /** Embedding model for new corpora; null = keyword-only. */
  embedModel?: string | null;
  batchSize?: number;
  /** Monotonic ms clock. */
  now?: () => number;
  /**
   * Told after every ingest that indexed something (whoever called it: rag.ingest, the app, the
   * CLI), so the node can offer a corpus that was just created or just gained vectors.
   */
  onIndexed?: (result: IngestResult) => void;
}

const NO_EMBEDDER =
  'No embedding model is reachable on your network, so this document is searchable by keywords only. Re-ingest it later for better results.';

/**
 * Lifecycle: no background work. Two calls for the same document and corpus share one run.
 * A crash mid-ingest leaves the document invisible (state 'ingesting'), removed when the corpus
 * is next opened or the document re-ingested.
 */
export class IngestPipeline {
  readonly #c: IngestComponents;
  readonly #embedModel: string | null;
  readonly #batch: number;
  readonly #now: () => number;
  readonly #onIndexed: ((result: IngestResult) => void) | null;
  readonly #running = new Map<string, Promise<IngestResult>>();

  constructor(components: IngestComponents, init: IngestInit = {}) {
    this.#c = components;
    this.#embedModel = init.embedModel ?? null;
    this.#batch = Math.max(1, Math.floor(init.batchSize ?? INGEST_BATCH_SIZE));
    this.#now = init.now ?? (() => performance.now());
    this.#onIndexed = init.onIndexed ?? null;
  }

  /** Indexes one blob into a corpus. Errors: BlobError('not_found') when the blob is not here; RagError (unsupported_type, unreadable_document, ...); 'cancelled'. */
  ingestDocument(req: IngestRequest): Promise<IngestResult> {
    const key = `${req.corpus}\u0000${req.docCid}`;
    const running = this.#running.get(key);
    if (running) return running;
    const p = this.#ingest(req)
      .then((r) => {
        if (!r.already_ingested) this.#onIndexed?.(r);
        return r;
      })
      .finally(() => this.#running.delete(key));
    this.#running.set(key, p);
    return p;
  }

  async #ingest(req: IngestRequest): Promise<IngestResult> {
    const t0 = this.#now();
    const corpus = validateCorpusName(req.corpus);
    const ms = () => Math.round(this.#now() - t0);
    const existing = this.#c.corpora(corpus);
    const ledger = new IngestLedger(existing.file);
    if (!req.replace && existing.hasDocument(req.docCid)) return this.#already(existing, ledger, req.docCid, ms);

    const manifest = await this.#c.blobStore.readManifest(req.docCid);
    const type = req.mimeType ?? pickType(manifest.mime_type, manifest.filename);
    const title = req.title ?? manifest.filename ?? req.docCid;
    req.onProgress?.({ stage: 'chunking', current: 0, total: 1 });
    const bytes = await this.#c.blobStore.readBlobBytes(req.docCid);
    const chunks = await chunkDocument(bytes, type);
    throwIfAborted(req.signal);
    req.onProgress?.({ stage: 'chunking', current: 1, total: 1 });
    const tokens = chunks.reduce((n, c) => n + (c.metadata.token_count ?? 0), 0);

    const model = this.#c.corpusEmbedding?.(corpus)?.model ?? this.#embedModel;
    let mode: IngestResult['mode'] = model ? 'hybrid' : 'lexical';
    // Set inside begin(): widened so the checks below are not read as always-null.
    let store = null as CorpusStore | null;
    const begin = (embedding: CorpusEmbedding | null) => {
      store = this.#c.corpora(corpus, embedding);
      store.beginDocument(
        req.docCid,
        { title, language: req.language ?? null, metadata: req.metadata ?? {} },
        { replace: req.replace },
      );
      return store;
    };
    try {
      for (let i = 0; i < chunks.length; i += this.#batch) {
        const batch = chunks.slice(i, i + this.#batch);
        let vectors: number[][] | null = null;
        let embedding: CorpusEmbedding | null = null;
        if (mode === 'hybrid' && model) {
          try {
            const r = await embedViaBus(
              this.#c.bus,
              batch.map((c: Chunk) => c.text),
              model,
              req.signal,
            );
            vectors = r.vectors;
            embedding = { model, dim: r.dim };
          } catch (err) {
            // Only before anything is stored: an embedder vanishing halfway fails the ingest instead.
            if (i > 0 || !isUnavailable(err)) throw err;
            mode = 'lexical';
          }
        }
        req.onProgress?.({ stage: 'embedding', current: i + batch.length, total: chunks.length });
        throwIfAborted(req.signal);
        const s: CorpusStore = store ?? begin(embedding);
        s.addChunks(req.docCid, batch, vectors);
        req.onProgress?.({ stage: 'storing', current: i + batch.length, total: chunks.length });
      }
      const s: CorpusStore = store ?? begin(null);
      const rec: IngestRecord = {
        doc_cid: req.docCid,
        corpus,
        title,
        chunks_indexed: chunks.length,
        tokens_indexed: tokens,
        embedding_model: mode === 'hybrid' ? model : null,
        ingest_event_id: null,
      };
      ledger.put(rec); // before the commit: a crash right after it still knows the figures
      s.completeDocument(req.docCid);
      store = null; // committed: nothing to undo from here
      const event = await this.#announce(rec);
      ledger.put({ ...rec, ingest_event_id: event.event_id });
      return {
        ...toResult(rec, event.event_id, ms()),
        ...(mode === 'lexical' && model ? { notice: NO_EMBEDDER } : {}),
      };
    } finally {
      // A failed or cancelled ingest leaves nothing half-visible (it was never visible anyway).
      if (store) store.deleteDocument(req.docCid);
    }
  }

  /** The first result for a document already indexed; finishes its event if a crash came between commit and event. */
  async #already(store: CorpusStore, ledger: IngestLedger, docCid: string, ms: () => number): Promise<IngestResult> {
    let rec = ledger.get(docCid);
    if (!rec) {
      const doc = store.listDocuments().find((d) => d.doc_cid === docCid);
      if (!doc) throw new RagError('not_found', `Document ${docCid} is not in corpus "${store.corpus}".`);
      rec = {
        doc_cid: docCid,
        corpus: store.corpus,
        title: doc.title,
        chunks_indexed: doc.chunk_count,
        tokens_indexed: 0,
        embedding_model: null,
        ingest_event_id: null,
      };
    }
    let eventId = rec.ingest_event_id;
    if (eventId === null) {
      eventId = (await this.#announce(rec)).event_id;
      rec = { ...rec, ingest_event_id: eventId };
      ledger.put(rec);
    }
    return { ...toResult(rec, eventId, ms()), already_ingested: true };
  }

  #announce(rec: IngestRecord): Promise<Event> | Event {
    return this.#c.eventLog.appendLocal(
      'rag.document.ingested',
      {
        doc_cid: rec.doc_cid,
        corpus: rec.corpus,
        title: rec.title,
        chunks: rec.chunks_indexed,
        tokens: rec.tokens_indexed,
        embedding_model: rec.embedding_model,
      },
      this.#c.authorKp,
    );
  }
}

function toResult(rec: IngestRecord, eventId: string, ms: number): IngestResult {
  return {
    doc_cid: rec.doc_cid,
    chunks_indexed: rec.chunks_indexed,
    tokens_indexed: rec.tokens_indexed,
    ingest_event_id: eventId,
    ms,
    corpus: rec.corpus,
    mode: rec.embedding_model ? 'hybrid' : 'lexical',
    embedding_model: rec.embedding_model,
    already_ingested: false,
  };
}

/** The manifest's MIME type when it names a format we index, else its filename. */
function pickType(mime: string | null, filename: string | null): string {
  if (mime && documentKind(mime)) return mime;
  if (filename) return filename;
  if (mime) return mime;
  throw new RagError(
    'unsupported_type',
    'This file has neither a name nor a type, so it cannot be indexed; give its type (e.g. text/markdown).',
  );
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted)
    throw new HearthError('cancelled', 'Indexing the document was cancelled.', { cause: signal.reason });
}
