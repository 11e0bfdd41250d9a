/**
 * Per-frame deadline for a stream with one timer and one abort listener for the whole stream
 * (a fresh deadline race per frame would cost a timer, two listener calls and closures for every token).
 */
import { abortError } from './deadline';
import { BusError } from './errors';

/**
 * `next(p)` settles with `p`, or rejects when `ctl` aborts (cancel) or when one wait lasts longer
 * than `ms` (then `ctl` is aborted with BusError('timeout'), exactly as `CallScope.race` does). Only
 * time spent waiting counts: a consumer that is slow between frames is not the producer's fault.
 */
export class FrameWaiter {
  #reject: ((e: unknown) => void) | null = null;
  #waitingSince: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #onAbort = () => {
    const r = this.#reject;
    this.#reject = null;
    r?.(abortError(this.ctl.signal, this.what));
  };

  constructor(
    private readonly ctl: AbortController,
    private readonly ms: number,
    private readonly what: string,
  ) {
    ctl.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  next<T>(p: Promise<T>): Promise<T> {
    if (this.ctl.signal.aborted) {
      p.catch(() => {}); // abandoned before it started; its own failure is moot
      return Promise.reject(abortError(this.ctl.signal, this.what));
    }
    this.#waitingSince = performance.now();
    if (this.#timer === null && Number.isFinite(this.ms)) this.#arm(this.ms);
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      p.then(
        (v) => {
          this.#settled();
          resolve(v);
        },
        (e: unknown) => {
          this.#settled();
          reject(e);
        },
      );
    });
  }

  /** Stops the timer and the listener (call once the stream is over). */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.ctl.signal.removeEventListener('abort', this.#onAbort);
  }

  #settled(): void {
    this.#reject = null;
    this.#waitingSince = null;
  }

  /** The timer re-arms itself for the rest of the current wait instead of being reset per frame. */
  #arm(ms: number): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        if (this.#waitingSince === null) return; // idle between waits: the next wait re-arms
        const waited = performance.now() - this.#waitingSince;
        if (waited >= this.ms)
          this.ctl.abort(
            new BusError('timeout', `${this.what} did not answer within ${Math.round(this.ms)} ms`, {
              details: { timeout_ms: this.ms },
            }),
          );
        else this.#arm(this.ms - waited);
      },
      Math.max(0, ms),
    );
  }
}
