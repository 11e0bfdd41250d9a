/** Links a caller's AbortSignal with a generation deadline into one signal, and says which fired. */
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

/** `timeoutMs` is a whole-call deadline; the timer is unref'd so it never holds the process open. */
export function abortScope(outer: AbortSignal | undefined, timeoutMs: number): AbortScope {
  const ctl = new AbortController();
  let why: LlmError | null = null;
  const end = (e: LlmError | null) => {
    if (ctl.signal.aborted) return;
    why = e;
    ctl.abort(e ?? new LlmError('cancelled', 'generation stopped'));
  };
  const onOuter = () => end(new LlmError('cancelled', 'the request was cancelled'));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer = setTimeout(
    () => end(new LlmError('timeout', `no complete answer within ${Math.round(timeoutMs / 1000)} s`)),
    timeoutMs,
  );
  timer.unref?.();
  return {
    signal: ctl.signal,
    abort: () => end(null),
    reason: () => why,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
