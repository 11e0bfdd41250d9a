/** ModelStoreError: what adding, listing and downloading model files can fail with. */
import { defineDomainError, type WireErrorCode } from '../../common';

export const MODEL_STORE_ERROR_CODES = [
  'not_found',
  'not_gguf',
  'exists',
  'bad_url',
  'bad_name',
  'download_failed',
  'checksum_mismatch',
  'cancelled',
  'io_error',
] as const;
export type ModelStoreErrorCode = (typeof MODEL_STORE_ERROR_CODES)[number];

const WIRE: Readonly<Record<ModelStoreErrorCode, WireErrorCode>> = Object.freeze({
  not_found: 'not_found',
  not_gguf: 'bad_request',
  exists: 'bad_request',
  bad_url: 'bad_request',
  bad_name: 'bad_request',
  download_failed: 'partition',
  checksum_mismatch: 'bad_request',
  cancelled: 'cancelled',
  io_error: 'internal_error',
});

/** Local domain error until common/errors.ts has one (reported to the lead). Messages say what to do. */
export const ModelStoreError = defineDomainError<ModelStoreErrorCode>('ModelStoreError', MODEL_STORE_ERROR_CODES, WIRE);
export type ModelStoreError = InstanceType<typeof ModelStoreError>;
