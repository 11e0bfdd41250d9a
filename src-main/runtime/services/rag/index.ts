/** services/rag: chunking, the per-corpus store with hybrid search, and the rag.* wire schemas. */
export { type Chunk, type ChunkMetadata, renumber } from './chunk';
export {
  chunkText,
  chunkDocument,
  documentKind,
  decodeUtf8,
  type ChunkTextOptions,
  type ChunkDocumentOptions,
  type DocumentKind,
} from './chunker';
export { chunkMarkdown, markdownSections } from './chunk-markdown';
export { chunkHtml, htmlToText } from './chunk-html';
export { chunkPdf, pdfPages } from './chunk-pdf';
export { approxTokenCount, type TokenCounter } from './token-count';
export { RagError, RAG_ERROR_CODES, type RagErrorCode } from './errors';
export { CORPUS_NAME_RE, validateCorpusName, corpusFile } from './corpus-name';
export {
  CorpusStore,
  RAG_FUSION_CANDIDATES,
  type CorpusQuery,
  type CorpusStoreOptions,
  type DocumentInfo,
  type DocumentInput,
  type ScoredChunk,
} from './store';
export { listCorpora, corpusInfo, type CorpusInfo } from './corpora';
export { toFtsQuery, FTS_MAX_TERMS } from './fts-query';
export { reciprocalRankFusion, RRF_K } from './fusion';
export { VectorIndex, type VectorHit } from './vector-index';
export type { QueryFilter, FilterValue } from './query-filter';
export * from './schemas';
export { CorpusRegistry, type CorpusEmbedding } from './corpus-registry';
export { IngestLedger, type IngestRecord } from './ingest-ledger';
export { embedViaBus, isUnavailable, type BusLike } from './embed-client';
export {
  IngestPipeline,
  INGEST_BATCH_SIZE,
  type IngestComponents,
  type IngestInit,
  type IngestProgress,
  type IngestRequest,
  type IngestResult,
  type IngestStage,
} from './ingest';
export {
  RagService,
  queryParamsCompatible,
  RAG_INGEST_TIMEOUT_SECONDS,
  RAG_QUERY_MAX_CONCURRENT,
  type RagHit,
  type RagServiceComponents,
} from './service';
export { progressFrames } from './progress-stream';
export {
  askMesh,
  retrieve,
  buildPrompt,
  citationLabel,
  meshCorpora,
  ASK_CHUNK_CHARS,
  ASK_MAX_TOKENS,
  NO_LLM_NOTICE,
  NO_CORPUS_NOTICE,
  type AskEvent,
  type AskOptions,
  type Citation,
} from './ask';
