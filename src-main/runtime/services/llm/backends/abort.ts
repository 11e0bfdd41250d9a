/** One generation's cancellation: the caller's signal and the generation deadline (platform AbortSignals), and which fired. */
import { deadlineSignal, isDeadlineReason } from '../../../../common';
import { LlmError } from './errors';

/** One generation's cancellation scope. Call `dispose()` in a finally block. */
export interface AbortScope {
  readonly signal: AbortSignal;
  /** Stop the work from inside (e.g. the consumer stopped iterating). */
  abort(): void;
  /** The LlmError describing why the scope ended, or null while it is live or after a plain `abort()`. */
  reason(): LlmError | null;
  dispose(): void;
}

/**
 * `timeoutMs` is a whole-call deadline and `outer` the caller's signal, linked by `deadlineSignal`
 * (`AbortSignal.timeout` + `AbortSignal.any`; the platform timer never holds the process open).
 * The scope's own signal aborts with the LlmError saying which fired, so code that reads
 * `signal.reason` (the sequence pool, the HTTP client) reports `timeout` vs `cancelled`.
 */
export function abortScope(outer: AbortSignal | undefined, timeoutMs: number): AbortScope {
  const ctl = new AbortController();
  const limits = deadlineSignal(timeoutMs, outer);
  let why: LlmError | null = null;
  const onLimit = () => {
    if (ctl.signal.aborted) return;
    why = isDeadlineReason(limits.reason)
      ? new LlmError('timeout', `no complete answer within ${Math.round(timeoutMs / 1000)} s`)
      : new LlmError('cancelled', 'the request was cancelled');
    ctl.abort(why);
  };
  if (limits.aborted) onLimit();
  else limits.addEventListener('abort', onLimit, { once: true });
  return {
    signal: ctl.signal,
    abort: () => {
      if (!ctl.signal.aborted) ctl.abort(new LlmError('cancelled', 'generation stopped'));
    },
    reason: () => why,
    dispose: () => limits.removeEventListener('abort', onLimit),
  };
}
