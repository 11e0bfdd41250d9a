/** CorpusStore: one SQLite file per corpus — documents, chunks, FTS5 index, vectors — with hybrid search (§10 of ../shared/spec/hearthnet-reference.md). */
import { mkdirSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { RAG_DEFAULT_K, RAG_MAX_K } from '../../../common';
import type { Chunk } from './chunk';
import { corpusFile, validateCorpusName } from './corpus-name';
import { RagError } from './errors';
import { toFtsQuery } from './fts-query';
import { reciprocalRankFusion } from './fusion';
import { lexicalCandidates } from './lexical-search';
import { filterSql } from './query-filter';
import { migrate } from './store-schema';
import type { CorpusQuery, CorpusStoreOptions, DocumentInfo, DocumentInput, ScoredChunk } from './store-types';
import { VectorIndex } from './vector-index';
import { vectorCandidates } from './vector-search';

/** Candidates taken from each ranked list before fusion (deeper than k so fusion can reorder). */
export const RAG_FUSION_CANDIDATES = 50;

export type { CorpusQuery, CorpusStoreOptions, DocumentInfo, DocumentInput, ScoredChunk } from './store-types';

type Row = { id: number; doc_cid: string; text: string; metadata: string; title: string };

/**
 * Lifecycle: the constructor opens (creating if needed) `<corporaDir>/<corpus>.sqlite` in WAL
 * mode and removes documents left in state 'ingesting' by a crash; `close()` is idempotent. One
 * CorpusStore instance per corpus file per process (the RAG service keeps them in a map).
 * `embeddingDim` 0 opens the corpus lexical-only.
 */
export class CorpusStore {
  readonly corpus: string;
  readonly file: string;
  readonly embeddingDim: number;
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly weights: { lexical: number; vector: number };
  private index: VectorIndex | null = null;
  private closed = false;

  constructor(corporaDir: string, corpus: string, embeddingDim: number, opts: CorpusStoreOptions = {}) {
    this.corpus = validateCorpusName(corpus);
    if (!Number.isInteger(embeddingDim) || embeddingDim < 0)
      throw new RagError('bad_request', `embeddingDim must be a whole number >= 0 (got ${embeddingDim}).`);
    this.embeddingDim = embeddingDim;
    this.file = corpusFile(corporaDir, corpus);
    this.now = opts.now ?? (() => new Date());
    this.weights = opts.fusionWeights ?? { lexical: 1, vector: 1 };
    try {
      mkdirSync(corporaDir, { recursive: true });
      this.db = new Database(this.file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
    } catch (cause) {
      throw new RagError(
        'io_error',
        `The corpus "${corpus}" could not be opened at ${this.file}: ${(cause as Error).message}`,
        { cause },
      );
    }
    this.checkEmbeddingMeta(opts.embeddingModel);
    this.db.prepare("DELETE FROM documents WHERE state = 'ingesting'").run();
  }

  private meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private checkEmbeddingMeta(model: string | undefined): void {
    if (this.embeddingDim === 0) return;
    const dim = Number(this.meta('dim') ?? 0);
    const storedModel = this.meta('embedding_model');
    const hasVectors = this.db.prepare('SELECT 1 FROM chunks WHERE embedding IS NOT NULL LIMIT 1').get() !== undefined;
    if (hasVectors && (dim !== this.embeddingDim || (model && storedModel && model !== storedModel))) {
      this.db.close();
      throw new RagError(
        'embedding_mismatch',
        `The corpus "${this.corpus}" was indexed with ${storedModel ?? 'another model'} (${dim} dimensions), not ${model ?? 'this model'} (${this.embeddingDim}). Re-ingest it, or open it keyword-only.`,
        {
          details: { corpus: this.corpus, stored_dim: dim, stored_model: storedModel ?? null },
        },
      );
    }
    const set = this.db.prepare(
      'INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    set.run('dim', String(this.embeddingDim));
    if (model) set.run('embedding_model', model);
  }

  private live(): Database.Database {
    if (this.closed) throw new RagError('closed', `The corpus "${this.corpus}" is closed.`);
    return this.db;
  }

  /**
   * Starts (or restarts) ingesting `docCid`: the document stays invisible until `completeDocument`.
   * A leftover 'ingesting' row is wiped first. A complete document throws 'already_ingested'
   * unless `replace` is set.
   */
  beginDocument(docCid: string, doc: DocumentInput = {}, opts: { replace?: boolean } = {}): void {
    const db = this.live();
    if (typeof docCid !== 'string' || docCid.length === 0)
      throw new RagError('bad_request', 'doc_cid must be a non-empty string.');
    let stale: number[] = [];
    db.transaction(() => {
      const state = (
        db.prepare('SELECT state FROM documents WHERE doc_cid = ?').get(docCid) as { state: string } | undefined
      )?.state;
      if (state === 'complete' && !opts.replace)
        throw new RagError('already_ingested', `Document ${docCid} is already in corpus "${this.corpus}".`, {
          details: { doc_cid: docCid },
        });
      if (state === 'complete') stale = this.indexedIds(docCid);
      if (state) db.prepare('DELETE FROM documents WHERE doc_cid = ?').run(docCid);
      db.prepare(
        "INSERT INTO documents(doc_cid, title, language, metadata, ingested_at, chunk_count, state) VALUES (?, ?, ?, ?, ?, 0, 'ingesting')",
      ).run(
        docCid,
        doc.title ?? '',
        doc.language ?? null,
        JSON.stringify(doc.metadata ?? {}),
        this.now().toISOString(),
      );
    })();
    if (stale.length) this.index?.remove(new Set(stale)); // only once the delete has committed
  }

  /** Appends chunks (and their vectors, or null for keyword-only) to a document being ingested, in one transaction. */
  addChunks(
    docCid: string,
    chunks: readonly Chunk[],
    embeddings: readonly (Float32Array | readonly number[])[] | null,
  ): void {
    const db = this.live();
    if (embeddings && embeddings.length !== chunks.length)
      throw new RagError('bad_request', `Got ${embeddings.length} vectors for ${chunks.length} chunks.`);
    if (embeddings && this.embeddingDim === 0)
      throw new RagError(
        'embedding_mismatch',
        `The corpus "${this.corpus}" was opened keyword-only; it cannot store vectors.`,
      );
    embeddings?.forEach((e) => {
      if (e.length !== this.embeddingDim)
        throw new RagError(
          'embedding_mismatch',
          `A vector has ${e.length} dimensions; corpus "${this.corpus}" expects ${this.embeddingDim}.`,
        );
    });
    db.transaction(() => {
      const state = (
        db.prepare('SELECT state FROM documents WHERE doc_cid = ?').get(docCid) as { state: string } | undefined
      )?.state;
      if (state !== 'ingesting')
        throw new RagError('not_ingesting', `Document ${docCid} is not being ingested; call beginDocument first.`);
      let idx = (
        db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM chunks WHERE doc_cid = ?').get(docCid) as { n: number }
      ).n;
      const ins = db.prepare('INSERT INTO chunks(doc_cid, idx, text, metadata, embedding) VALUES (?, ?, ?, ?, ?)');
      chunks.forEach((c, i) => {
        const e = embeddings?.[i];
        const blob = e ? Buffer.from((e instanceof Float32Array ? e : Float32Array.from(e)).slice().buffer) : null;
        ins.run(docCid, idx++, c.text, JSON.stringify(c.metadata), blob);
      });
    })();
  }

  /** Makes the document visible to queries (the commit point of an ingest). */
  completeDocument(docCid: string): DocumentInfo {
    const db = this.live();
    const done = db.transaction(() => {
      const r = db
        .prepare(
          "UPDATE documents SET state = 'complete', chunk_count = (SELECT COUNT(*) FROM chunks WHERE doc_cid = ?), ingested_at = ? WHERE doc_cid = ? AND state = 'ingesting'",
        )
        .run(docCid, this.now().toISOString(), docCid);
      if (r.changes !== 1)
        throw new RagError('not_ingesting', `Document ${docCid} is not being ingested; call beginDocument first.`);
    });
    done();
    if (this.index) this.appendToIndex(docCid);
    const info = this.listDocuments().find((d) => d.doc_cid === docCid);
    if (!info) throw new RagError('not_found', `Document ${docCid} vanished while it was committed.`);
    return info;
  }

  /** begin + add + complete in one call. */
  addDocument(
    docCid: string,
    doc: DocumentInput,
    chunks: readonly Chunk[],
    embeddings: readonly (Float32Array | readonly number[])[] | null,
    opts: { replace?: boolean } = {},
  ): DocumentInfo {
    this.beginDocument(docCid, doc, opts);
    this.addChunks(docCid, chunks, embeddings);
    return this.completeDocument(docCid);
  }

  /** True only for completely ingested documents. */
  hasDocument(docCid: string): boolean {
    return (
      this.live().prepare("SELECT 1 FROM documents WHERE doc_cid = ? AND state = 'complete'").get(docCid) !== undefined
    );
  }

  deleteDocument(docCid: string): boolean {
    const db = this.live();
    const stale = this.indexedIds(docCid);
    const changed = db.prepare('DELETE FROM documents WHERE doc_cid = ?').run(docCid).changes > 0;
    if (stale.length) this.index?.remove(new Set(stale)); // in-place compaction, no reload from disk
    return changed;
  }

  /** Ids of a document's chunks when the in-memory matrix is loaded (it may hold them), else none. */
  private indexedIds(docCid: string): number[] {
    return this.index
      ? (this.db.prepare('SELECT id FROM chunks WHERE doc_cid = ?').pluck().all(docCid) as number[])
      : [];
  }

  listDocuments(): DocumentInfo[] {
    const rows = this.live()
      .prepare(
        "SELECT doc_cid, title, language, metadata, ingested_at, chunk_count FROM documents WHERE state = 'complete' ORDER BY ingested_at, doc_cid",
      )
      .all() as (Omit<DocumentInfo, 'metadata'> & { metadata: string })[];
    return rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
  }

  /** Chunks of complete documents. */
  count(): number {
    return (
      this.live()
        .prepare(
          "SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE d.state = 'complete'",
        )
        .get() as { n: number }
    ).n;
  }

  /** Bytes on disk: the database plus its WAL and shared-memory files. */
  sizeBytes(): number {
    this.live();
    return ['', '-wal', '-shm'].reduce((s, suf) => {
      try {
        return s + statSync(this.file + suf).size;
      } catch {
        return s; // a WAL/shm file may legitimately not exist
      }
    }, 0);
  }

  /** The language most complete documents declare (ties: alphabetical); null when none declares one. */
  languageMajority(): string | null {
    const r = this.live()
      .prepare(
        "SELECT language FROM documents WHERE state = 'complete' AND language IS NOT NULL AND language <> '' GROUP BY language ORDER BY COUNT(*) DESC, language LIMIT 1",
      )
      .get() as { language: string } | undefined;
    return r?.language ?? null;
  }

  private loadIndex(): VectorIndex {
    if (this.index) return this.index;
    const idx = new VectorIndex(this.embeddingDim, Math.max(1024, this.count()));
    const rows = this.db.prepare(
      "SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE d.state = 'complete' AND c.embedding IS NOT NULL ORDER BY c.id",
    );
    for (const r of rows.iterate() as IterableIterator<{ id: number; embedding: Buffer }>)
      idx.add(r.id, blobToVector(r.embedding));
    this.index = idx;
    return idx;
  }

  private appendToIndex(docCid: string): void {
    const index = this.index;
    if (!index) return;
    const rows = this.db.prepare(
      'SELECT id, embedding FROM chunks WHERE doc_cid = ? AND embedding IS NOT NULL ORDER BY id',
    );
    for (const r of rows.iterate(docCid) as IterableIterator<{ id: number; embedding: Buffer }>)
      index.add(r.id, blobToVector(r.embedding));
  }

  /**
   * Hybrid search: BM25 (FTS5) over `text` and cosine over stored vectors for `embedding`, fused
   * by reciprocal rank fusion. Lexical-only without an embedding or when the corpus has no
   * vectors; vector-only when `text` has no searchable word. Needs at least one of the two.
   */
  query(q: CorpusQuery): ScoredChunk[] {
    const db = this.live();
    const k = Math.min(q.k ?? RAG_DEFAULT_K, RAG_MAX_K);
    if (!Number.isInteger(k) || k < 1)
      throw new RagError('bad_request', `k must be a whole number from 1 to ${RAG_MAX_K} (got ${q.k}).`);
    if (q.text === undefined && q.embedding === undefined)
      throw new RagError('bad_request', 'A query needs text, an embedding, or both.');
    if (q.text !== undefined && typeof q.text !== 'string')
      throw new RagError('bad_request', 'query text must be a string.');
    const where = filterSql(q.filter);
    const cand = Math.max(RAG_FUSION_CANDIDATES, k);
    let lexical: number[] = [];
    const fts = q.text ? toFtsQuery(q.text) : null;
    if (fts) lexical = lexicalCandidates(db, fts, where, cand);
    const cos = new Map<number, number>();
    let vector: number[] = [];
    if (q.embedding !== undefined && this.embeddingDim > 0) {
      if (q.embedding.length !== this.embeddingDim)
        throw new RagError(
          'embedding_mismatch',
          `The query vector has ${q.embedding.length} dimensions; corpus "${this.corpus}" expects ${this.embeddingDim}.`,
        );
      const index = this.loadIndex();
      if (index.size > 0) {
        const hits = vectorCandidates(
          db,
          index,
          q.embedding instanceof Float32Array ? q.embedding : Float32Array.from(q.embedding),
          where,
          cand,
        );
        vector = hits.map((h) => (cos.set(h.id, h.score), h.id));
      }
    }
    const fused = reciprocalRankFusion(lexical, vector, this.weights).slice(0, k);
    if (fused.length === 0) return [];
    const rows = new Map(
      (
        db
          .prepare(
            `SELECT c.id, c.doc_cid, c.text, c.metadata, d.title FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE c.id IN (${fused.map(() => '?').join(',')})`,
          )
          .all(...fused.map((f) => f.id)) as Row[]
      ).map((r) => [r.id, r]),
    );
    // Every fused id was read from this database in this call; flatMap only satisfies the type.
    return fused.flatMap((f) => {
      const r = rows.get(f.id);
      if (!r) return [];
      const s: ScoredChunk = {
        chunk: { text: r.text, metadata: JSON.parse(r.metadata) as Record<string, unknown> },
        score: f.score,
        doc_cid: r.doc_cid,
        title: r.title,
        chunk_id: r.id,
      };
      if (f.lexicalRank !== undefined) s.lexical_rank = f.lexicalRank;
      if (f.vectorRank !== undefined) {
        s.vector_rank = f.vectorRank;
        s.vector_score = cos.get(f.id);
      }
      return [s];
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.index = null;
    this.db.close();
  }
}

function blobToVector(b: Buffer): Float32Array {
  // SQLite blobs need not be 4-byte aligned; copy when they are not.
  return b.byteOffset % 4 === 0
    ? new Float32Array(b.buffer, b.byteOffset, b.length / 4)
    : new Float32Array(new Uint8Array(b).buffer);
}

export { validateCorpusName };
