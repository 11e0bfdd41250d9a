/**
 * Observability's error class. Local until common/errors.ts grows an ObservabilityError
 * (asked for in the helper report); it is a HearthError, so edges map it like any other.
 */
import { HearthError } from '../../common';

export const OBSERVABILITY_ERROR_CODES = ['unknown_check', 'duplicate_check', 'metric_conflict', 'bad_option'] as const;
export type ObservabilityErrorCode = (typeof OBSERVABILITY_ERROR_CODES)[number];

export class ObservabilityError extends HearthError<ObservabilityErrorCode> {
  constructor(code: ObservabilityErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { ...opts, wireCode: code === 'unknown_check' ? 'not_found' : 'internal_error' });
    this.name = 'ObservabilityError';
  }
}
