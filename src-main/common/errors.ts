/**
 * The one error vocabulary (ARCHITECTURE §4, §0.4 of ../shared/spec/hearthnet-reference.md). Domain errors subclass HearthError;
 * the two edges (HTTP, tRPC) map them with `toWireError` / `httpStatusOf`, never by hand.
 */

/** Codes a peer or the UI may receive in `{ error: { code, ... } }`. */
export const WIRE_ERROR_CODES = [
  'bad_request',
  'schema_mismatch',
  'invalid_signature',
  'forbidden',
  'not_found',
  'timeout',
  'expired',
  'payload_too_large',
  'capacity_exceeded',
  'cancelled',
  'internal_error',
  'partition',
] as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

/** HTTP status for each wire code (§0.4, plus the codes the reference leaves implicit). */
export const HTTP_STATUS: Readonly<Record<WireErrorCode, number>> = Object.freeze({
  bad_request: 400,
  schema_mismatch: 400,
  invalid_signature: 401,
  forbidden: 403,
  not_found: 404,
  timeout: 408,
  expired: 410,
  payload_too_large: 413,
  capacity_exceeded: 429,
  cancelled: 499,
  internal_error: 500,
  partition: 503,
});

/** What crosses the wire. Never a stack. */
export interface WireError {
  code: WireErrorCode;
  message: string;
  retry_after_ms?: number;
  alt_capabilities?: string[];
  alt_nodes?: string[];
  /**
   * Why, in machine-readable form, when the code alone does not say (e.g. `forbidden` with
   * `revoked` or `not_member`). Optional: peers that predate it send none (docs/protocol/transport.md).
   */
  reason?: string;
}

export class HearthError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>>;
  /** The code a peer sees; domain classes derive it from their own code. */
  readonly wireCode: WireErrorCode;

  constructor(
    code: C,
    message: string,
    opts: { details?: Record<string, unknown>; cause?: unknown; wireCode?: WireErrorCode } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(opts.details ?? {}) });
    this.wireCode = opts.wireCode ?? (isWireCode(code) ? code : 'internal_error');
  }
}

export function isWireCode(code: unknown): code is WireErrorCode {
  return typeof code === 'string' && (WIRE_ERROR_CODES as readonly string[]).includes(code);
}

type Opts = { details?: Record<string, unknown>; cause?: unknown };

/**
 * Defines a domain error class whose codes map to wire codes through one table. Every module's
 * error (ConfigError, RagError, ChatError, ...) is made here, so they all behave alike.
 */
export function defineDomainError<C extends string>(
  name: string,
  codes: readonly C[],
  wire: Partial<Record<C, WireErrorCode>>,
) {
  const cls = class extends HearthError<C> {
    static readonly codes = codes;
    /** `err instanceof` this class, keeping the code type (plain `instanceof` gives HearthError<any>). */
    static is<T>(this: abstract new (...a: never[]) => T, err: unknown): err is T {
      return err instanceof this;
    }
    constructor(code: C, message: string, opts: Opts = {}) {
      super(code, message, { ...opts, wireCode: wire[code] ?? (isWireCode(code) ? code : 'internal_error') });
      this.name = name;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** `err instanceof HearthError`, typed as HearthError<string> (`instanceof` on a generic class gives HearthError<any>). */
export function isHearthError(err: unknown): err is HearthError {
  return err instanceof HearthError;
}

/** A failed call to a peer, as the caller sees it (§4 client.py). */
export class CallError extends HearthError<WireErrorCode> {
  readonly retryAfterMs: number | null;
  readonly altCapabilities: string[];
  readonly altNodes: string[];
  /** The wire error's machine-readable `reason`, or null when the peer sent none. */
  readonly reason: string | null;
  constructor(
    code: WireErrorCode,
    message: string,
    opts: Opts & {
      retryAfterMs?: number | null;
      altCapabilities?: string[];
      altNodes?: string[];
      reason?: string | null;
    } = {},
  ) {
    super(code, message, { ...opts, wireCode: code });
    this.name = 'CallError';
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.altCapabilities = opts.altCapabilities ?? [];
    this.altNodes = opts.altNodes ?? [];
    this.reason = opts.reason ?? null;
  }

  static fromWire(e: WireError): CallError {
    return new CallError(isWireCode(e.code) ? e.code : 'internal_error', e.message, {
      retryAfterMs: e.retry_after_ms ?? null,
      altCapabilities: e.alt_capabilities,
      altNodes: e.alt_nodes,
      reason: typeof e.reason === 'string' ? e.reason : null,
    });
  }
}

/** Map anything thrown to what a peer or the UI may see: a code and a message, never a stack. */
export function toWireError(err: unknown): WireError {
  if (err instanceof CallError) {
    const w: WireError = { code: err.wireCode, message: err.message };
    if (err.retryAfterMs !== null) w.retry_after_ms = err.retryAfterMs;
    if (err.altCapabilities.length) w.alt_capabilities = err.altCapabilities;
    if (err.altNodes.length) w.alt_nodes = err.altNodes;
    if (err.reason !== null) w.reason = err.reason;
    return w;
  }
  if (err instanceof HearthError) {
    const w: WireError = { code: err.wireCode, message: err.message };
    const d = err.details;
    if (typeof d.retry_after_ms === 'number') w.retry_after_ms = d.retry_after_ms;
    if (Array.isArray(d.alt_capabilities)) w.alt_capabilities = d.alt_capabilities as string[];
    if (Array.isArray(d.alt_nodes)) w.alt_nodes = d.alt_nodes as string[];
    return w;
  }
  return { code: 'internal_error', message: 'internal error' };
}

export function httpStatusOf(err: unknown): number {
  return HTTP_STATUS[toWireError(err).code];
}
