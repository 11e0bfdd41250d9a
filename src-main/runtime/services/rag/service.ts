/**
 * M05 §3.4 of ../shared/spec/hearthnet-reference.md: the RAG service on the bus — rag.query (one instance per corpus), rag.ingest and
 * rag.list_corpora @1.0.
 */
import { promiseTry, RAG_MAX_K, RPC_DEFAULT_TIMEOUT_SECONDS } from '../../../common';
import type { BlobStore } from '../../blobs';
import { defineCapability, type CapabilityBus, type HandlerContext, type ParamsPredicate } from '../../bus';
import type { Service, ServiceCapability } from '../base';
import { corpusInfo, type CorpusInfo } from './corpora';
import type { CorpusRegistry } from './corpus-registry';
import { embedViaBus, isUnavailable } from './embed-client';
import { RagError } from './errors';
import type { IngestPipeline, IngestProgress, IngestResult } from './ingest';
import { progressFrames } from './progress-stream';
import type { QueryFilter } from './query-filter';
import * as S from './schemas';
import { BlobError } from '../../blobs';

/** How long one rag.ingest may run (big PDFs embed for a while on a small machine). */
export const RAG_INGEST_TIMEOUT_SECONDS = 600;
/** Concurrent rag.query calls one corpus serves. */
export const RAG_QUERY_MAX_CONCURRENT = 8;

/** §10: an instance serves exactly the corpus it offers. */
export const queryParamsCompatible: ParamsPredicate = (offered, requested) => requested.corpus === offered.corpus;

export interface RagServiceComponents {
  readonly corpora: CorpusRegistry;
  readonly pipeline: IngestPipeline;
  readonly bus: Pick<CapabilityBus, 'call' | 'registerService' | 'deregister' | 'registry'>;
  readonly blobStore: BlobStore;
  /** Brings a blob into the local store (e.g. FileClient.fetch); without it rag.ingest needs the blob here. */
  readonly fetchBlob?: (cid: string, signal: AbortSignal) => Promise<unknown>;
}

/** One chunk of a rag.query answer (wire names). */
export interface RagHit {
  text: string;
  score: number;
  doc_cid: string;
  title: string;
  metadata: Record<string, unknown>;
}

type Body = Record<string, unknown>;

/**
 * Lifecycle: `stop()` closes the corpora. The composition root registers it once
 * (`bus.registerService(rag)`); after an ingest creates a corpus (or gives one vectors) the
 * service re-registers itself so the new rag.query instance is offered.
 */
export class RagService implements Service {
  readonly name = 'rag';
  readonly version = '1.0';
  readonly #c: RagServiceComponents;

  constructor(components: RagServiceComponents) {
    this.#c = components;
  }

  capabilities(): ServiceCapability[] {
    const names = this.#c.corpora.names();
    const caps: ServiceCapability[] = names.map((corpus) => ({
      descriptor: defineCapability({
        name: 'rag.query',
        version: [1, 0],
        stability: 'beta',
        idempotent: true,
        max_concurrent: RAG_QUERY_MAX_CONCURRENT,
        params: { corpus, embedding_model: this.#c.corpora.embeddingOf(corpus)?.model ?? null, k_max: RAG_MAX_K },
        request_schema: S.RAG_QUERY_REQUEST_SCHEMA,
        response_schema: S.RAG_QUERY_RESPONSE_SCHEMA,
      }),
      handler: (ctx: HandlerContext) => this.#query(corpus, ctx),
      paramsCompatible: queryParamsCompatible,
    }));
    caps.push({
      descriptor: defineCapability({
        name: 'rag.ingest',
        version: [1, 0],
        stability: 'beta',
        trust_required: 'trusted',
        max_concurrent: 2,
        timeout_seconds: RAG_INGEST_TIMEOUT_SECONDS,
        params: { corpora_available: names },
        request_schema: S.RAG_INGEST_REQUEST_SCHEMA,
        response_schema: S.RAG_INGEST_RESPONSE_SCHEMA,
      }),
      handler: (ctx: HandlerContext) => this.#ingest(ctx),
    });
    caps.push({
      descriptor: defineCapability({
        name: 'rag.list_corpora',
        version: [1, 0],
        stability: 'beta',
        idempotent: true,
        timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
        request_schema: S.RAG_LIST_CORPORA_REQUEST_SCHEMA,
        response_schema: S.RAG_LIST_CORPORA_RESPONSE_SCHEMA,
      }),
      handler: () => promiseTry(() => ({ corpora: this.listCorpora() })),
    });
    return caps;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return promiseTry(() => this.#c.corpora.close());
  }

  health(): Record<string, unknown> {
    return { ok: true, corpora: this.#c.corpora.names().length };
  }

  /** Every corpus on this node with its figures. */
  listCorpora(): CorpusInfo[] {
    return this.#c.corpora.names().map((n) => corpusInfo(this.#c.corpora.corporaDir, n));
  }

  /** Searches one local corpus (what rag.query runs). Embeds the query via the bus when the corpus has vectors; keyword-only otherwise. */
  async query(
    corpus: string,
    text: string,
    opts: { k?: number; filter?: QueryFilter; signal?: AbortSignal } = {},
  ): Promise<{ chunks: RagHit[]; mode: 'hybrid' | 'lexical' }> {
    if (!this.#c.corpora.names().includes(corpus))
      throw new RagError('not_found', `This device has no corpus called "${corpus}".`, { details: { corpus } });
    const store = this.#c.corpora.open(corpus);
    const emb = this.#c.corpora.embeddingOf(corpus);
    let embedding: number[] | undefined;
    if (emb) {
      try {
        embedding = (await embedViaBus(this.#c.bus, [text], emb.model, opts.signal)).vectors[0];
      } catch (err) {
        if (!isUnavailable(err)) throw err; // no embedder right now: keywords still work
      }
    }
    const hits = store.query({ text, embedding, k: Math.min(opts.k ?? RAG_MAX_K, RAG_MAX_K), filter: opts.filter });
    return {
      mode: embedding ? 'hybrid' : 'lexical',
      chunks: hits.map((h) => ({
        text: h.chunk.text,
        score: h.score,
        doc_cid: h.doc_cid,
        title: h.title,
        metadata: { ...h.chunk.metadata },
      })),
    };
  }

  async #query(corpus: string, ctx: HandlerContext): Promise<unknown> {
    const b = ctx.body as Body;
    // Called without params the bus may route here for another corpus: not_found lets it fail over.
    if (b.corpus !== corpus)
      throw new RagError('not_found', `This instance serves corpus "${corpus}", not "${String(b.corpus)}".`, {
        details: { corpus: String(b.corpus) },
      });
    return this.query(corpus, b.query as string, {
      k: b.k as number | undefined,
      filter: b.filter as QueryFilter | undefined,
      signal: ctx.signal,
    });
  }

  async #ingest(ctx: HandlerContext): Promise<unknown> {
    const b = ctx.body as Body;
    const run = async (report?: (p: IngestProgress) => void): Promise<IngestResult> => {
      const cid = b.doc_cid as string;
      if (!(await this.#c.blobStore.hasBlob(cid))) {
        if (!this.#c.fetchBlob)
          throw new BlobError('not_found', `This device does not hold the document ${cid}; copy it here first.`, {
            details: { cid },
          });
        await this.#c.fetchBlob(cid, ctx.signal);
      }
      const corpus = b.corpus as string;
      const r = await this.#c.pipeline.ingestDocument({
        docCid: cid,
        corpus,
        title: b.title as string | undefined,
        language: (b.language as string | undefined) ?? null,
        metadata: b.metadata as Record<string, unknown> | undefined,
        mimeType: b.mime_type as string | undefined,
        replace: b.replace === true,
        onProgress: report,
        signal: ctx.signal,
      });
      this.syncRegistration(corpus);
      return r;
    };
    return ctx.stream ? progressFrames<IngestResult>((report) => run(report)) : run();
  }

  /** What this node's rag.query offer for `corpus` looks like (absent, keyword-only, or with a model). */
  #offered(corpus: string): string {
    if (!this.#c.corpora.names().includes(corpus)) return 'absent';
    return this.#c.corpora.embeddingOf(corpus)?.model ?? 'lexical';
  }

  /** What the bus currently offers for `corpus` from this node, in the same terms as #offered. */
  #registered(corpus: string): string {
    const e = this.#c.bus.registry
      .allLocal()
      .find((x) => x.descriptor.name === 'rag.query' && x.descriptor.params.corpus === corpus);
    if (!e) return 'absent';
    return (e.descriptor.params.embedding_model as string | null) ?? 'lexical';
  }

  /**
   * Re-offers the capabilities when what the bus offers for `corpus` no longer matches the corpus
   * (new, or now with vectors). Safe to call after any ingest, however it was started.
   */
  syncRegistration(corpus: string): void {
    if (this.#registered(corpus) !== this.#offered(corpus)) this.refreshRegistration();
  }

  /**
   * Re-offers the capabilities (a new corpus, or one that gained vectors) if the node has
   * registered this service; otherwise the first registration will pick them up.
   */
  refreshRegistration(): void {
    const bus = this.#c.bus;
    if (!bus.registry.allLocal().some((e) => e.descriptor.name === 'rag.list_corpora')) return;
    bus.deregister('rag.query', [1, 0]);
    bus.deregister('rag.ingest', [1, 0]);
    bus.registerService(this);
  }
}
