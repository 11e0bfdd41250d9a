/** Abort and deadline plumbing shared by local execution and outbound calls. */
import { HearthError, isHearthError } from '../../common';
import { BusError } from './errors';

/** The error a call ends with when its signal aborted: the reason if it is ours, else `cancelled`. */
export function abortError(signal: AbortSignal, what: string): HearthError {
  return errorOfReason(signal.reason, what);
}

function errorOfReason(r: unknown, what: string): HearthError {
  if (isHearthError(r)) return r;
  return new BusError('cancelled', `${what} was cancelled`, { cause: r });
}

const timeoutError = (ms: number, what: string) =>
  new BusError('timeout', `${what} did not answer within ${Math.round(ms)} ms`, { details: { timeout_ms: ms } });

/** The caller's signal, given as is or as a getter (a peer's call makes its signal only when read). */
export type ParentSignal = AbortSignal | (() => AbortSignal | undefined);

/**
 * Cancellation and deadline for one call attempt — run here, or sent to a peer — with its
 * AbortSignal (linked to the caller's) made only on the first read of `signal`. Until then an abort
 * (deadline, failure) is only remembered, and a lazy parent (a peer's call) is not even read. Most
 * handlers never look at their signal; a plain call run here then costs one timer instead of two
 * AbortControllers, their listeners and the caller's own controller (~7 us per call here). A call
 * sent to a peer or a stream reads `signal` / `controller` at once (the transport and the frame
 * waiter watch it).
 */
export class CallScope {
  #ctl: AbortController | null = null;
  #aborted = false;
  #reason: unknown = undefined;
  #unlink: (() => void) | null = null;
  #onAbort: (() => void) | null = null;

  constructor(private readonly parent?: ParentSignal) {}

  get aborted(): boolean {
    return this.#aborted || (typeof this.parent === 'object' && this.parent.aborted);
  }

  /** The handler's signal: aborted with the deadline's or failure's reason, or when the caller's aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get controller(): AbortController {
    if (this.#ctl) return this.#ctl;
    const ctl = (this.#ctl = new AbortController());
    ctl.signal.addEventListener('abort', () => this.#settle(ctl.signal.reason), { once: true });
    if (this.#aborted) ctl.abort(this.#reason);
    else {
      const parent = typeof this.parent === 'function' ? this.parent() : this.parent;
      if (parent?.aborted) ctl.abort(parent.reason);
      else if (parent) {
        const onAbort = () => ctl.abort(parent.reason);
        parent.addEventListener('abort', onAbort, { once: true });
        this.#unlink = () => parent.removeEventListener('abort', onAbort);
      }
    }
    return ctl;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    if (this.#ctl) this.#ctl.abort(reason);
    else this.#settle(reason);
  }

  /** The error this scope ended with (its reason if ours, else `cancelled`). */
  error(what: string): HearthError {
    const parent = typeof this.parent === 'object' ? this.parent : undefined;
    return errorOfReason(this.#aborted ? this.#reason : parent?.reason, what);
  }

  /**
   * Settle with `p`, or reject when `ms` pass (aborting this scope with BusError('timeout')) or when
   * the scope aborts: by `abort()`, by the caller's signal once the handler's signal exists, or —
   * for a caller's signal given as is — whenever it aborts.
   */
  race<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    if (this.aborted) {
      p.catch(() => {}); // abandoned before it started; its own failure is moot
      return Promise.reject(this.error(what));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.abort(timeoutError(ms, what)), Math.max(0, ms)) : null;
      const eager = typeof this.parent === 'object' && !this.#ctl ? this.parent : undefined;
      const onParent = () => this.abort(eager?.reason);
      eager?.addEventListener('abort', onParent, { once: true });
      const done = () => {
        if (timer) clearTimeout(timer);
        eager?.removeEventListener('abort', onParent);
        this.#onAbort = null;
      };
      this.#onAbort = () => {
        done();
        reject(this.error(what));
      };
      p.then(
        (v) => {
          done();
          resolve(v);
        },
        (e: unknown) => {
          done();
          reject(e);
        },
      );
    });
  }

  /** Detach from the caller's signal. */
  dispose(): void {
    this.#unlink?.();
    this.#unlink = null;
  }

  #settle(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#onAbort?.();
  }
}

/** True for values the bus treats as a stream of frames. */
export function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** Approximate wire size of a JSON value, bytes (0 when it does not serialise). */
export function jsonBytes(v: unknown): number {
  try {
    const s = JSON.stringify(v) as string | undefined; // undefined for undefined, functions, symbols (the lib type says string)
    return s === undefined ? 0 : Buffer.byteLength(s);
  } catch {
    return 0; // sizes are for traces only; an unserialisable value is reported elsewhere
  }
}
