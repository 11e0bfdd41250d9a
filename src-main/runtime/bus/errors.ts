/** M03 capability bus errors; wire codes per reference §0.4. */
import { defineDomainError } from '../../common';

export const BUS_ERROR_CODES = [
  'schema_invalid',
  'namespace_violation',
  'schema_mismatch',
  'not_found',
  'capacity_exceeded',
  'quarantined',
  'partition',
  'timeout',
  'internal_error',
  'forbidden',
  'cancelled',
] as const;
export type BusErrorCode = (typeof BUS_ERROR_CODES)[number];
export const BusError = defineDomainError<BusErrorCode>('BusError', BUS_ERROR_CODES, {
  schema_invalid: 'schema_mismatch',
  namespace_violation: 'bad_request',
  quarantined: 'partition',
});
export type BusError = InstanceType<typeof BusError>;
