/** M01 identity errors: keys, node ids, signatures and manifests; wire codes per reference §0.4. */
import { defineDomainError } from '../../common';

export const IDENTITY_ERROR_CODES = [
  'keys_missing',
  'keys_invalid',
  'keys_permissions',
  'bad_node_id',
  'sign_failed',
  'verify_failed',
  'bad_manifest',
  'expired',
  'invalid_signature',
] as const;
export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number];
export const IdentityError = defineDomainError<IdentityErrorCode>('IdentityError', IDENTITY_ERROR_CODES, {
  invalid_signature: 'invalid_signature',
  verify_failed: 'invalid_signature',
  expired: 'expired',
  bad_node_id: 'bad_request',
  bad_manifest: 'bad_request',
});
export type IdentityError = InstanceType<typeof IdentityError>;
