/** RagError: the RAG module's error codes and their wire mapping. */
import { HearthError, type WireErrorCode } from '../../../common';

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

/** Local domain error until common/errors.ts grows a RagError (reported to the lead). */
export class RagError extends HearthError<RagErrorCode> {
  static readonly codes = RAG_ERROR_CODES;
  constructor(code: RagErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { ...opts, wireCode: WIRE[code] });
    this.name = 'RagError';
  }
}
