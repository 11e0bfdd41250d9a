/** Per-model admission: `slots` generations run, a bounded queue waits (abortably), the rest are refused. */
import { HearthError } from '../../../common';
import { BusError } from '../../bus';

/** Requests that may wait for a free slot per model, beyond the ones running. */
export const LLM_WAIT_QUEUE_DEFAULT = 2;
/** Suggested retry delay before any generation has finished (no history to estimate from), ms. */
export const LLM_RETRY_AFTER_DEFAULT_MS = 1_000;
/** Generations remembered to estimate `retry_after_ms`. */
const DURATION_SAMPLES = 16;

/** A held slot; `release()` is idempotent. */
export interface Permit {
  release(): void;
}

/**
 * One per (backend, model), shared by `llm.chat` and `llm.complete` (they run on the same
 * sequences). `capacity` = `slots + queue` is also what the descriptors advertise as
 * `max_concurrent`, so the bus's own per-instance check and this one agree (decisions doc).
 */
export class Admission {
  #running = 0;
  readonly #waiters: Array<{ grant: () => void; fail: (e: unknown) => void }> = [];
  readonly #durations: number[] = [];

  constructor(
    readonly label: string,
    readonly slots: number,
    readonly queue: number = LLM_WAIT_QUEUE_DEFAULT,
  ) {}

  get capacity(): number {
    return this.slots + this.queue;
  }
  get running(): number {
    return this.#running;
  }
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Record a finished generation's wall time (feeds `retry_after_ms`). */
  recordDuration(ms: number): void {
    this.#durations.push(ms);
    if (this.#durations.length > DURATION_SAMPLES) this.#durations.shift();
  }

  /** Estimated wait until a queue place frees: mean generation time × queue depth / slots. */
  retryAfterMs(): number {
    if (this.#durations.length === 0) return LLM_RETRY_AFTER_DEFAULT_MS;
    const mean = this.#durations.reduce((a, b) => a + b, 0) / this.#durations.length;
    return Math.max(1, Math.ceil((mean * (1 + this.#waiters.length)) / this.slots));
  }

  /**
   * A slot now, or after waiting in the queue. Throws BusError('capacity_exceeded') with
   * `retry_after_ms` when the queue is full, or the signal's reason when it aborts while waiting.
   */
  acquire(signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(abortReason(signal, this.label));
    if (this.#running < this.slots) return Promise.resolve(this.#grant());
    if (this.#waiters.length >= this.queue) {
      return Promise.reject(
        new BusError(
          'capacity_exceeded',
          `${this.label} is busy (${this.#running} answering, ${this.#waiters.length} waiting); try again shortly`,
          {
            details: { retry_after_ms: this.retryAfterMs() },
          },
        ),
      );
    }
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(abortReason(signal, this.label));
      };
      const w = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#grant());
        },
        fail: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(w);
    });
  }

  /** Fail every waiter (service stop). */
  drain(reason: unknown): void {
    for (const w of this.#waiters.splice(0)) w.fail(reason);
  }

  #grant(): Permit {
    this.#running++;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.#running--;
        const next = this.#waiters.shift();
        if (next) next.grant();
      },
    };
  }
}

function abortReason(signal: AbortSignal | undefined, label: string): unknown {
  const r: unknown = signal?.reason;
  return r instanceof HearthError
    ? r
    : new BusError('cancelled', `${label}: the request was cancelled while waiting for a free slot`);
}
