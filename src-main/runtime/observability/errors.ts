/** Observability's error class (a HearthError made by common's defineDomainError). */
import { defineDomainError } from '../../common';

export const OBSERVABILITY_ERROR_CODES = ['unknown_check', 'duplicate_check', 'metric_conflict', 'bad_option'] as const;
export type ObservabilityErrorCode = (typeof OBSERVABILITY_ERROR_CODES)[number];

export const ObservabilityError = defineDomainError<ObservabilityErrorCode>(
  'ObservabilityError',
  OBSERVABILITY_ERROR_CODES,
  { unknown_check: 'not_found' },
);
export type ObservabilityError = InstanceType<typeof ObservabilityError>;
