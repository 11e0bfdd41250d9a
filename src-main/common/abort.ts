/**
 * The one way to cancel work: platform AbortSignals — `AbortSignal.timeout` for a deadline,
 * `AbortSignal.any` to link it with the caller's signal — and one mapping from an aborted signal
 * to the HearthError the work ends with, so no bare AbortError/TimeoutError DOMException escapes.
 * Pure TypeScript (AbortSignal is a global in Node and in the renderer).
 */
import { HearthError } from './errors';

/** True when `reason` is what `AbortSignal.timeout` aborts with (a DOMException named TimeoutError). */
export function isDeadlineReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/**
 * The caller's signal and a deadline `ms` from now as one signal. A non-finite `ms` means no
 * deadline (the caller's signal alone, or one that never aborts).
 */
export function deadlineSignal(ms: number, caller?: AbortSignal): AbortSignal {
  if (!Number.isFinite(ms)) return caller ?? new AbortController().signal;
  const deadline = AbortSignal.timeout(Math.max(0, Math.round(ms)));
  return caller ? AbortSignal.any([caller, deadline]) : deadline;
}

/** How a domain names the two ways its work can end early. */
export interface AbortErrors {
  /** The deadline passed. */
  timeout(reason: unknown): HearthError;
  /** The caller (or anything else) aborted. */
  cancelled(reason: unknown): HearthError;
}

/** Plain HearthErrors: `timeout` / `cancelled` with "<what> ..." messages. */
export function abortErrorsFor(what: string): AbortErrors {
  return {
    timeout: (cause) => new HearthError('timeout', `${what} ran out of time.`, { cause }),
    cancelled: (cause) => new HearthError('cancelled', `${what} was cancelled.`, { cause }),
  };
}

/**
 * The error work ends with once `signal` aborted: a HearthError reason as it is (a failure or a
 * domain's own timeout), a deadline from `AbortSignal.timeout` as `timeout`, anything else as
 * `cancelled`. `what` names the work ("The download") or `errors` says how this domain names them.
 */
export function abortError(signal: AbortSignal | undefined, what: string | AbortErrors): HearthError {
  const reason: unknown = signal?.reason;
  if (reason instanceof HearthError) return reason as HearthError; // instanceof alone types its codes as any
  const errors = typeof what === 'string' ? abortErrorsFor(what) : what;
  return isDeadlineReason(reason) ? errors.timeout(reason) : errors.cancelled(reason);
}

/** Throws `abortError(signal, what)` when `signal` has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string | AbortErrors): void {
  if (signal?.aborted) throw abortError(signal, what);
}
