/** LlmError: the one error type every LLM backend throws, with its wire-code mapping. */
import { HearthError, type WireErrorCode } from '../../../../common';

/** Everything a backend can fail with; each maps to one wire code (§0.4 of ../shared/spec/hearthnet-reference.md). */
export const LLM_ERROR_CODES = [
  'backend_unreachable',
  'model_not_found',
  'auth_failed',
  'rate_limited',
  'timeout',
  'bad_response',
  'bad_request',
  'cancelled',
  'closed',
] as const;
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number];

const WIRE: Readonly<Record<LlmErrorCode, WireErrorCode>> = Object.freeze({
  backend_unreachable: 'partition',
  model_not_found: 'not_found',
  auth_failed: 'forbidden',
  rate_limited: 'capacity_exceeded',
  timeout: 'timeout',
  bad_response: 'internal_error',
  bad_request: 'bad_request',
  cancelled: 'cancelled',
  closed: 'partition',
});

/**
 * A backend failure. `details.retry_after_ms` (rate_limited) is picked up by `toWireError`.
 * Messages never contain an API key: HTTP backends pass them through `redact` first.
 */
export class LlmError extends HearthError<LlmErrorCode> {
  constructor(code: LlmErrorCode, message: string, opts: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(code, message, { ...opts, wireCode: WIRE[code] });
    this.name = 'LlmError';
  }

  /** Milliseconds the vendor asked us to wait, when it said so (429 Retry-After). */
  get retryAfterMs(): number | null {
    const v = this.details.retry_after_ms;
    return typeof v === 'number' ? v : null;
  }
}

/** The wire code a given LlmError code maps to (exported for docs and tests). */
export function llmWireCode(code: LlmErrorCode): WireErrorCode {
  return WIRE[code];
}
