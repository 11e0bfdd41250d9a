/** The deadlines of a peer request: an idle deadline for streams, a one-timer deadline for plain calls. */
import { CallError } from '../../common';
import type { CancelSignal } from './https-request';

export interface IdleDeadline {
  readonly ac: AbortController;
  /** Note activity (a frame arrived): the deadline counts silence from now. */
  reset(): void;
  clear(): void;
  /** What to throw: a timeout or a caller's cancel surfaces as itself, not as the broken connection it causes. */
  cause(err: unknown, finished: boolean): unknown;
  /** Clear the timer; leaving early (break, throw) aborts, so the connection closes and the peer stops producing. */
  end(finished: boolean): void;
}

/**
 * A deadline + caller signal as one AbortController whose reason is a CallError. `reset()` only
 * notes the time (streams call it per frame): the timer, when it fires early, re-arms itself for
 * the rest of the period instead of being cleared and re-created every frame.
 */
export function deadline(timeoutMs: number, what: string, signal?: AbortSignal): IdleDeadline {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let last = performance.now();
  const arm = (ms: number) => {
    timer = setTimeout(() => {
      const idle = performance.now() - last;
      if (idle < timeoutMs) arm(timeoutMs - idle);
      else ac.abort(new CallError('timeout', `${what}: no answer within ${Math.round(timeoutMs / 100) / 10} s`));
    }, ms);
    timer.unref();
  };
  const onAbort = () => ac.abort(new CallError('cancelled', `${what}: cancelled by the caller`));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  arm(timeoutMs);
  const clear = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  return {
    ac,
    reset: () => {
      last = performance.now();
    },
    clear,
    cause: (err, finished) => (ac.signal.aborted && !finished ? (ac.signal.reason as unknown) : err),
    end: (finished) => {
      clear();
      if (!finished && !ac.signal.aborted) ac.abort(new CallError('cancelled', `${what}: cancelled`));
    },
  };
}

/**
 * The per-call deadline of a plain JSON request: same timeout and cancel errors as `deadline()`,
 * but a plain object with one timer instead of an AbortController (whose EventTarget costs
 * measurable CPU on every request). It satisfies the `CancelSignal` the request helpers take.
 */
export class CallDeadline implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort?: () => void;

  constructor(
    timeoutMs: number,
    what: string,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(
      () => this.abort(new CallError('timeout', `${what}: no answer within ${Math.round(timeoutMs / 100) / 10} s`)),
      timeoutMs,
    );
    this.timer.unref();
    if (callerSignal) {
      this.onCallerAbort = () => this.abort(new CallError('cancelled', `${what}: cancelled by the caller`));
      if (callerSignal.aborted) this.onCallerAbort();
      else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  private abort(reason: CallError): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const ls = this.listeners;
    this.listeners = [];
    for (const l of ls) l();
  }

  clear(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
