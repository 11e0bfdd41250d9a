/** Maps HearthNet errors to OpenAI-style error JSON and HTTP statuses (what OpenAI clients expect to parse). */
import { HearthError, toWireError, type WireErrorCode } from '../../common';

/** A request the endpoint cannot translate (wire code bad_request); `param` names the field. */
export class OpenAiRequestError extends HearthError<'bad_request'> {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super('bad_request', message, { details: { param } });
    this.name = 'OpenAiRequestError';
  }
}

/** The body every OpenAI error response carries. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface OpenAiErrorResponse {
  readonly status: number;
  readonly body: OpenAiErrorBody;
  /** Extra headers (Retry-After / retry-after-ms for 429, which the OpenAI SDKs honour). */
  readonly headers: Record<string, string>;
}

const BY_WIRE: Readonly<Record<WireErrorCode, { status: number; type: string; code: string | null }>> = Object.freeze({
  bad_request: { status: 400, type: 'invalid_request_error', code: null },
  schema_mismatch: { status: 400, type: 'invalid_request_error', code: null },
  invalid_signature: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  forbidden: { status: 403, type: 'permission_error', code: null },
  not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  timeout: { status: 408, type: 'timeout', code: 'timeout' },
  expired: { status: 410, type: 'invalid_request_error', code: null },
  payload_too_large: { status: 413, type: 'invalid_request_error', code: null },
  capacity_exceeded: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  cancelled: { status: 499, type: 'invalid_request_error', code: 'cancelled' },
  internal_error: { status: 500, type: 'server_error', code: null },
  partition: { status: 503, type: 'server_error', code: 'service_unavailable' },
});

/** An OpenAI error response built by hand (bad JSON, unsupported fields, unknown model). */
export function openAiError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  param: string | null = null,
): OpenAiErrorResponse {
  return { status, body: { error: { message, type, param, code } }, headers: {} };
}

/** Any thrown error (BusError, CallError, LlmError...) as an OpenAI error response; never a stack. */
export function toOpenAiError(err: unknown): OpenAiErrorResponse {
  const w = toWireError(err);
  const m = BY_WIRE[w.code];
  const headers: Record<string, string> = {};
  if (w.code === 'capacity_exceeded' && typeof w.retry_after_ms === 'number') {
    headers['retry-after'] = String(Math.max(1, Math.ceil(w.retry_after_ms / 1000)));
    headers['retry-after-ms'] = String(Math.ceil(w.retry_after_ms));
  }
  const param = err instanceof OpenAiRequestError ? err.param : null;
  return { status: m.status, body: { error: { message: w.message, type: m.type, param, code: m.code } }, headers };
}
