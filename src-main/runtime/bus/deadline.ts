/** Abort and deadline plumbing shared by local execution and outbound calls. */
import { BusError, HearthError } from '../../common';

/** A controller that aborts when `parent` does; `dispose` detaches it from the parent. */
export interface Linked {
  readonly ctl: AbortController;
  readonly signal: AbortSignal;
  dispose(): void;
}

export function linkedController(parent?: AbortSignal | null): Linked {
  const ctl = new AbortController();
  if (!parent) return { ctl, signal: ctl.signal, dispose: () => {} };
  const onAbort = () => ctl.abort(parent.reason);
  if (parent.aborted) ctl.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  return { ctl, signal: ctl.signal, dispose: () => parent.removeEventListener('abort', onAbort) };
}

/** The error a call ends with when its signal aborted: the reason if it is ours, else `cancelled`. */
export function abortError(signal: AbortSignal, what: string): HearthError {
  const r: unknown = signal.reason;
  if (r instanceof HearthError) return r;
  return new BusError('cancelled', `${what} was cancelled`, { cause: r });
}

/**
 * Settle with `p`, or reject when `ms` pass (aborting `ctl` with a BusError('timeout') so the
 * work underneath stops) or when `ctl` aborts for another reason (cancel).
 */
export function raceDeadline<T>(p: Promise<T>, ctl: AbortController, ms: number, what: string): Promise<T> {
  const signal = ctl.signal;
  if (signal.aborted) {
    p.catch(() => {}); // the work was abandoned before it started; its own failure is moot
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what));
    const timer = Number.isFinite(ms)
      ? setTimeout(() => ctl.abort(new BusError('timeout', `${what} did not answer within ${Math.round(ms)} ms`, { details: { timeout_ms: ms } })), Math.max(0, ms))
      : null;
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    p.then(
      (v) => { done(); resolve(v); },
      (e: unknown) => { done(); reject(e); },
    );
  });
}

/** True for values the bus treats as a stream of frames. */
export function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** Approximate wire size of a JSON value, bytes (0 when it does not serialise). */
export function jsonBytes(v: unknown): number {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? 0 : Buffer.byteLength(s);
  } catch {
    return 0; // sizes are for traces only; an unserialisable value is reported elsewhere
  }
}
