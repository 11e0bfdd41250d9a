/** The shapes a corpus store takes and returns (documents, queries, scored chunks). */
import type { Chunk } from './chunk';
import type { QueryFilter } from './query-filter';

export interface DocumentInput {
  title?: string;
  language?: string | null;
  metadata?: Record<string, unknown>;
}

export interface DocumentInfo {
  doc_cid: string;
  title: string;
  language: string | null;
  metadata: Record<string, unknown>;
  ingested_at: string;
  chunk_count: number;
}

export interface ScoredChunk {
  chunk: Chunk;
  /** Fused RRF score (higher is better); comparable within one query only. */
  score: number;
  doc_cid: string;
  title: string;
  chunk_id: number;
  lexical_rank?: number;
  vector_rank?: number;
  /** Cosine similarity when the chunk came up in the vector list. */
  vector_score?: number;
}

export interface CorpusQuery {
  text?: string;
  embedding?: Float32Array | readonly number[];
  /** Default RAG_DEFAULT_K; values above RAG_MAX_K are capped. */
  k?: number;
  filter?: QueryFilter;
}

export interface CorpusStoreOptions {
  /** Model that produced the vectors; a corpus indexed by another model refuses new vectors. */
  embeddingModel?: string;
  now?: () => Date;
  /** RRF weights; equal by default (see docs/decisions/embedding-rag.md). */
  fusionWeights?: { lexical: number; vector: number };
}
