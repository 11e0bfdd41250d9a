/** Cancellation as a HearthError('cancelled') (wire `cancelled`), so no bare AbortError escapes. */
import { HearthError } from '../../common';

/** The error every blob operation throws when its AbortSignal fires. */
export function cancelledError(what: string, cause?: unknown): HearthError<'cancelled'> {
  return new HearthError('cancelled', `${what} was cancelled.`, { cause });
}

/** Throws cancelledError when `signal` has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw cancelledError(what, signal.reason);
}
