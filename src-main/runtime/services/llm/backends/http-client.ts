/** HTTP plumbing shared by the remote backends: fetch with deadlines, vendor errors mapped to LlmError, secrets redacted. */
import { deadlineSignal, isDeadlineReason } from '../../../../common';
import { LlmError } from './errors';

/** Deadline for health probes and model listings, in ms. */
export const HTTP_PROBE_TIMEOUT_MS = 5_000;
/** Longest vendor error text we quote back to the user. */
const MAX_VENDOR_MESSAGE_CHARS = 300;

export interface HttpClientOptions {
  /** Base URL, without trailing slash; paths are appended verbatim. */
  readonly baseUrl: string;
  /** Backend name for messages ("nemotron"). */
  readonly backend: string;
  /** Headers for every request (auth lives here). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Strings that must never appear in an error message (API keys). */
  readonly secrets?: readonly string[];
}

/** Replace every secret in `text` with "[redacted]". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Parse Retry-After (seconds or an HTTP date) into ms; null if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A small fetch wrapper bound to one server. */
export class HttpClient {
  constructor(private readonly opts: HttpClientOptions) {}

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** Redact this client's secrets from a string. */
  redact(text: string): string {
    return redact(text, this.opts.secrets ?? []);
  }

  /** GET a JSON document with the probe deadline (or the caller's signal). */
  async getJson(path: string, signal?: AbortSignal, timeoutMs = HTTP_PROBE_TIMEOUT_MS): Promise<unknown> {
    const s = deadlineSignal(timeoutMs, signal);
    const res = await this.send('GET', path, undefined, s);
    try {
      return await res.json();
    } catch (e) {
      throw this.streamError(e, s);
    }
  }

  /** POST JSON; returns the response once its status is 2xx, else throws the mapped LlmError. */
  async postJson(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    return this.send('POST', path, JSON.stringify(body), signal);
  }

  private async send(method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<Response> {
    const url = this.opts.baseUrl + path;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        body,
        signal,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          accept: 'application/json, text/event-stream',
          ...this.opts.headers,
        },
      });
    } catch (e) {
      throw this.streamError(e, signal);
    }
    if (res.ok) return res;
    throw await this.statusError(res);
  }

  /** Map a thrown fetch/stream error: our abort reason wins; otherwise the connection failed. */
  streamError(e: unknown, signal?: AbortSignal): LlmError {
    if (e instanceof LlmError) return e;
    if (signal?.aborted) {
      if (signal.reason instanceof LlmError) return signal.reason;
      if (isDeadlineReason(signal.reason))
        return new LlmError('timeout', `${this.opts.backend} at ${this.host()} did not answer in time`);
      return new LlmError('cancelled', 'the request was cancelled');
    }
    const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    return new LlmError(
      'backend_unreachable',
      this.redact(`cannot reach ${this.opts.backend} at ${this.host()} (${why})`),
      { cause: e },
    );
  }

  private async statusError(res: Response): Promise<LlmError> {
    const text = await res.text().catch(() => '');
    const said = this.redact(vendorMessage(text)).slice(0, MAX_VENDOR_MESSAGE_CHARS);
    const where = `${this.opts.backend} at ${this.host()}`;
    const suffix = said ? `: ${said}` : '';
    const details: Record<string, unknown> = { status: res.status };
    if (res.status === 401 || res.status === 403)
      return new LlmError('auth_failed', `${where} refused the API key (HTTP ${res.status})${suffix}`, { details });
    if (res.status === 404)
      return new LlmError('model_not_found', `${where} does not have that model or endpoint (HTTP 404)${suffix}`, {
        details,
      });
    if (res.status === 429 || res.status === 529 || (res.status === 503 && res.headers.has('retry-after'))) {
      const ms = retryAfterMs(res.headers.get('retry-after'));
      if (ms !== null) details.retry_after_ms = ms;
      return new LlmError('rate_limited', `${where} is busy or rate-limiting us (HTTP ${res.status})${suffix}`, {
        details,
      });
    }
    if (res.status === 400 || res.status === 422)
      return new LlmError('bad_request', `${where} rejected the request (HTTP ${res.status})${suffix}`, { details });
    if (res.status >= 502 && res.status <= 504)
      return new LlmError('backend_unreachable', `${where} is not available (HTTP ${res.status})${suffix}`, {
        details,
      });
    return new LlmError('bad_response', `${where} failed (HTTP ${res.status})${suffix}`, { details });
  }

  private host(): string {
    try {
      return new URL(this.opts.baseUrl).host;
    } catch {
      return this.opts.baseUrl;
    }
  }
}

/** Pull the human message out of the usual vendor error shapes (OpenAI, Anthropic, Ollama, HF). */
export function vendorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (j.error && typeof j.error === 'object' && typeof (j.error as { message?: unknown }).message === 'string')
      return (j.error as { message: string }).message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: quote the text itself
  }
  return text.trim();
}

/** A response's body stream; a fetch Response has none only for a bodiless status, which a 2xx here is not. */
export function bodyOf(res: Response): ReadableStream<Uint8Array> {
  if (!res.body) throw new LlmError('bad_response', `the backend answered HTTP ${res.status} with no body`);
  return res.body;
}
