/**
 * Keeps gc and blob assembly apart: while a caller assembles a blob its chunks are not referenced by
 * a manifest yet, so gc must not run; and a caller must not start assembling while gc deletes.
 */
export class GcGuard {
  #holds = 0;
  #running: Promise<number> | null = null;

  /** Waits for a running gc, then keeps gc away until the returned function is called (once is enough). */
  async hold(): Promise<() => void> {
    while (this.#running) await this.#running.catch(() => undefined);
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
    };
  }

  /** Runs `collect` and resolves to the bytes it freed: 0 while held, the running gc's figure if one runs. */
  run(collect: () => Promise<number>): Promise<number> {
    if (this.#running) return this.#running;
    if (this.#holds > 0) return Promise.resolve(0);
    const run = collect().finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  /** Resolves once no gc runs (whatever its outcome). */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }
}
