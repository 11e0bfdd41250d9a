/** M07 blob store errors; wire codes per reference §0.4. */
import { defineDomainError } from '../../common';

export const BLOB_ERROR_CODES = [
  'not_found',
  'hash_mismatch',
  'io_error',
  'disk_full',
  'manifest_invalid',
  'cancelled',
  /** An operation on a store that is not open (a caller forgot `start()`, or called after `stop()`). */
  'not_started',
] as const;
export type BlobErrorCode = (typeof BLOB_ERROR_CODES)[number];
export const BlobError = defineDomainError<BlobErrorCode>('BlobError', BLOB_ERROR_CODES, {
  hash_mismatch: 'bad_request',
  disk_full: 'capacity_exceeded',
  manifest_invalid: 'bad_request',
  io_error: 'internal_error',
});
export type BlobError = InstanceType<typeof BlobError>;
