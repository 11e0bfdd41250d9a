/** EmbeddingError: the embedding module's error codes and how they map to wire codes (§0.4 of ../shared/spec/hearthnet-reference.md style). */
import { defineDomainError, type WireErrorCode } from '../../../common';

export const EMBEDDING_ERROR_CODES = [
  'model_missing',
  'model_invalid',
  'backend_unavailable',
  'bad_request',
  'too_many_texts',
  'cancelled',
  'closed',
] as const;
export type EmbeddingErrorCode = (typeof EMBEDDING_ERROR_CODES)[number];

const WIRE: Readonly<Record<EmbeddingErrorCode, WireErrorCode>> = Object.freeze({
  model_missing: 'not_found',
  model_invalid: 'internal_error',
  backend_unavailable: 'internal_error',
  bad_request: 'bad_request',
  too_many_texts: 'payload_too_large',
  cancelled: 'cancelled',
  closed: 'internal_error',
});

/**
 * The embedding module's domain error (made by common's defineDomainError).
 * Messages are written for a person: they say what to do next.
 */
export const EmbeddingError = defineDomainError<EmbeddingErrorCode>('EmbeddingError', EMBEDDING_ERROR_CODES, WIRE);
export type EmbeddingError = InstanceType<typeof EmbeddingError>;

/** Throws EmbeddingError('cancelled') when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EmbeddingError('cancelled', 'The embedding request was cancelled.');
}
