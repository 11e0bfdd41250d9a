/** RagError: the RAG module's error codes and their wire mapping. */
import { defineDomainError, type WireErrorCode } from '../../../common';

export const RAG_ERROR_CODES = [
  'invalid_corpus_name',
  'not_found',
  'bad_request',
  'unsupported_type',
  'unreadable_document',
  'embedding_mismatch',
  'already_ingested',
  'not_ingesting',
  'io_error',
  'closed',
] as const;
export type RagErrorCode = (typeof RAG_ERROR_CODES)[number];

const WIRE: Readonly<Record<RagErrorCode, WireErrorCode>> = Object.freeze({
  invalid_corpus_name: 'bad_request',
  not_found: 'not_found',
  bad_request: 'bad_request',
  unsupported_type: 'bad_request',
  unreadable_document: 'bad_request',
  embedding_mismatch: 'bad_request',
  already_ingested: 'bad_request',
  not_ingesting: 'internal_error',
  io_error: 'internal_error',
  closed: 'internal_error',
});

/** The RAG module's domain error (made by common's defineDomainError). */
export const RagError = defineDomainError<RagErrorCode>('RagError', RAG_ERROR_CODES, WIRE);
export type RagError = InstanceType<typeof RagError>;
