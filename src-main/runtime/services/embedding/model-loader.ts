/**
 * An embedding model loaded once, on first use: concurrent callers share one load, a failed load
 * is retried by the next caller (its message kept for health), and nothing loads after `close`
 * until `reopen`.
 */
import { EmbeddingError } from './errors';
import type { EmbeddingHealth } from './backend';

export class ModelLoader<T> {
  #loaded: T | null = null;
  #loading: Promise<T> | null = null;
  #closed = false;
  #lastError: string | undefined;

  constructor(private readonly load: () => Promise<T>) {}

  get closed(): boolean {
    return this.#closed;
  }

  get(): Promise<T> {
    if (this.#closed) return Promise.reject(new EmbeddingError('closed', 'The embedding model has been closed.'));
    if (this.#loaded) return Promise.resolve(this.#loaded);
    this.#loading ??= this.load().then(
      (l) => ((this.#loaded = l), l),
      (err: unknown) => {
        this.#loading = null;
        this.#lastError = (err as Error).message;
        throw err;
      },
    );
    return this.#loading;
  }

  /** Allows loading again after `close` (its owner is started again); a no-op while open. */
  reopen(): void {
    this.#closed = false;
  }

  /** Refuses further use; resolves to what was loaded (or was loading), for the caller to release. */
  async close(): Promise<T | null> {
    if (this.#closed) return null;
    this.#closed = true;
    const l = this.#loaded ?? (await this.#loading?.catch(() => null)) ?? null;
    this.#loaded = null;
    this.#loading = null;
    return l;
  }

  /** The status and last error fields of EmbeddingHealth. */
  health(): Pick<EmbeddingHealth, 'status' | 'last_error'> {
    const status = this.#closed ? 'closed' : this.#loaded ? 'ok' : this.#lastError ? 'error' : 'cold';
    return this.#lastError ? { status, last_error: this.#lastError } : { status };
  }
}
