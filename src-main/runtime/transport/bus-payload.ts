/** The JSON a bus call carries to a peer, and reading a peer's JSON object reply. */
import { CallError, canonicalJson } from '../../common';
import type { CallOptions } from './contract';

export function busPayload(
  capability: string,
  version: string,
  body: unknown,
  opts: CallOptions,
  stream: boolean,
): Record<string, unknown> {
  const p: Record<string, unknown> = { capability, version, body: body ?? {}, stream };
  if (opts.traceId) p.trace_id = opts.traceId;
  if (opts.sessionId !== undefined) p.session_id = opts.sessionId;
  if (opts.params) p.params = opts.params;
  return p;
}

export function parseObject(text: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new CallError('bad_request', `${what}: the peer's reply is not a JSON object`);
}

/** The canonical JSON text of a request body (it is hashed for the signature and sent as is); null for none. */
export function jsonText(body: unknown, what: string): string | null {
  if (body === undefined) return null;
  try {
    return canonicalJson(body);
  } catch (err) {
    throw new CallError('bad_request', `${what}: the request body cannot be sent as JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
}
