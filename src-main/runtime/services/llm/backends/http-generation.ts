/** Runs one remote generation: deadline + abort scope, vendor stream -> Tokens, final ChatResult, errors mapped. */
import { abortScope } from './abort';
import { STOP_TOKEN, type ChatResult, type Generation, type ResolvedOptions, type StopReason } from './base';
import { LlmError } from './errors';
import type { HttpClient } from './http-client';

/** What a vendor stream reports at its end; missing counts fall back to estimates. */
export interface StreamStats {
  tokensIn?: number;
  tokensOut?: number;
  stopReason?: StopReason;
  /** False when the stream ended without the vendor's end marker (connection cut). */
  complete: boolean;
}

/** A vendor-specific stream: yields text pieces, returns the stats it saw. */
export type VendorStream = (signal: AbortSignal) => AsyncGenerator<string, StreamStats, undefined>;

/**
 * Drive `stream` under a scope built from the caller's signal and deadline. `estimateIn` supplies
 * tokens_in when the vendor sends no usage; tokens_out then falls back to the number of pieces.
 */
export async function* httpGeneration(
  client: HttpClient,
  o: ResolvedOptions,
  estimateIn: () => number,
  stream: VendorStream,
): Generation {
  const t0 = Date.now();
  const scope = abortScope(o.signal, o.timeoutMs);
  const inner = stream(scope.signal);
  let text = '';
  let pieces = 0;
  try {
    let stats: StreamStats;
    for (;;) {
      const r = await inner.next();
      if (r.done) {
        stats = r.value;
        break;
      }
      if (r.value === '') continue;
      text += r.value;
      pieces++;
      yield { text: r.value, logprob: null, stop: false };
    }
    if (!stats.complete)
      throw new LlmError(
        'backend_unreachable',
        client.redact(`the connection to ${client.baseUrl} was lost mid-answer`),
      );
    yield STOP_TOKEN;
    const result: ChatResult = {
      text,
      tokens_in: stats.tokensIn ?? estimateIn(),
      tokens_out: stats.tokensOut ?? pieces,
      stop_reason: stats.stopReason ?? 'stop',
      ms: Date.now() - t0,
    };
    return result;
  } catch (e) {
    const reason = scope.reason();
    if (reason) throw reason;
    if (e instanceof LlmError) throw e;
    if (e instanceof SyntaxError)
      throw new LlmError('bad_response', client.redact(`${client.baseUrl} sent a malformed stream (${e.message})`), {
        cause: e,
      });
    throw client.streamError(e, scope.signal);
  } finally {
    scope.abort();
    scope.dispose();
    await inner.return(undefined as never).catch(() => {});
  }
}

/** Map the finish reasons vendors use onto ours. */
export function mapStopReason(r: unknown): StopReason | undefined {
  switch (r) {
    case null:
    case undefined:
      return undefined;
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'content_filter':
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
