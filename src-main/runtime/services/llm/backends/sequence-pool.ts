/** A fixed pool of context sequences: a request waits (abortably) for a free one. */
import { LlmError } from './errors';

export class SequencePool<S> {
  private readonly free: S[];
  private readonly waiters: Array<{ resolve: (s: S) => void; reject: (e: unknown) => void }> = [];
  private closed = false;

  constructor(items: readonly S[]) {
    this.free = [...items];
  }

  get available(): number {
    return this.free.length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves with a free item; rejects with LlmError('cancelled') if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<S> {
    if (this.closed) return Promise.reject(new LlmError('closed', 'the model was unloaded'));
    const s = this.free.pop();
    if (s !== undefined) return Promise.resolve(s);
    return new Promise<S>((resolve, reject) => {
      const w = {
        resolve: (x: S) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(x);
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          signal?.reason instanceof LlmError
            ? signal.reason
            : new LlmError('cancelled', 'cancelled while waiting for a free slot'),
        );
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  release(s: S): void {
    const w = this.waiters.shift();
    if (w) w.resolve(s);
    else this.free.push(s);
  }

  /** Refuse new acquisitions and fail current waiters. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new LlmError('closed', 'the model was unloaded'));
  }
}
