/** JSON Schemas (draft-07, ajv) for rag.query / rag.ingest / rag.list_corpora @1.0 (docs/protocol/rag.md). */
import { RAG_MAX_K } from '../../../common';

const CORPUS = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;
const FILTER = {
  type: 'object',
  maxProperties: 16,
  propertyNames: { pattern: '^[A-Za-z0-9_]{1,64}$' },
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
} as const;

export const RAG_QUERY_REQUEST_SCHEMA = {
  $id: 'hearthnet:rag.query@1.0/request',
  type: 'object',
  additionalProperties: false,
  required: ['corpus', 'query'],
  properties: {
    corpus: CORPUS,
    query: { type: 'string', minLength: 1, maxLength: 4096 },
    k: { type: 'integer', minimum: 1, maximum: RAG_MAX_K },
    filter: FILTER,
  },
} as const;

export const RAG_QUERY_RESPONSE_SCHEMA = {
  $id: 'hearthnet:rag.query@1.0/response',
  type: 'object',
  additionalProperties: false,
  required: ['chunks'],
  properties: {
    chunks: {
      type: 'array',
      maxItems: RAG_MAX_K,
      items: {
        type: 'object',
        required: ['text', 'score', 'doc_cid', 'title', 'metadata'],
        properties: {
          text: { type: 'string' },
          score: { type: 'number' },
          doc_cid: { type: 'string' },
          title: { type: 'string' },
          metadata: { type: 'object' },
        },
      },
    },
    mode: { enum: ['hybrid', 'lexical', 'vector'] },
  },
} as const;

export const RAG_INGEST_REQUEST_SCHEMA = {
  $id: 'hearthnet:rag.ingest@1.0/request',
  type: 'object',
  additionalProperties: false,
  required: ['corpus', 'doc_cid'],
  properties: {
    corpus: CORPUS,
    doc_cid: { type: 'string', minLength: 1, maxLength: 200 },
    title: { type: 'string', maxLength: 500 },
    language: { type: 'string', maxLength: 35 },
    mime_type: { type: 'string', maxLength: 200 },
    metadata: { type: 'object', maxProperties: 32 },
    replace: { type: 'boolean', default: false },
  },
} as const;

export const RAG_INGEST_RESPONSE_SCHEMA = {
  $id: 'hearthnet:rag.ingest@1.0/response',
  type: 'object',
  required: ['doc_cid', 'chunks_indexed', 'tokens_indexed', 'ingest_event_id', 'ms'],
  properties: {
    doc_cid: { type: 'string' },
    chunks_indexed: { type: 'integer', minimum: 0 },
    tokens_indexed: { type: 'integer', minimum: 0 },
    ingest_event_id: { type: 'string' },
    ms: { type: 'integer', minimum: 0 },
  },
} as const;

export const RAG_LIST_CORPORA_REQUEST_SCHEMA = {
  $id: 'hearthnet:rag.list_corpora@1.0/request',
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const;

export const RAG_LIST_CORPORA_RESPONSE_SCHEMA = {
  $id: 'hearthnet:rag.list_corpora@1.0/response',
  type: 'object',
  required: ['corpora'],
  properties: {
    corpora: {
      type: 'array',
      items: {
        type: 'object',
        required: ['corpus', 'documents', 'chunks', 'size_bytes', 'language_majority', 'embedding_model', 'dim'],
        properties: {
          corpus: CORPUS,
          documents: { type: 'integer', minimum: 0 },
          chunks: { type: 'integer', minimum: 0 },
          size_bytes: { type: 'integer', minimum: 0 },
          language_majority: { type: ['string', 'null'] },
          embedding_model: { type: ['string', 'null'] },
          dim: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
} as const;
