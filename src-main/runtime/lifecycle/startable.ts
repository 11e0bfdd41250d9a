/**
 * The one lifecycle contract of the runtime (modelled on js-libp2p's `Startable`): every
 * long-lived part has `start()` and `stop()`, both idempotent, and a `stop()` that arrives while
 * `start()` is still running waits for it and then stops, so nothing started is left behind.
 */

export interface Startable {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export function isStartable(x: unknown): x is Startable {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Startable).start === 'function' &&
    typeof (x as Startable).stop === 'function'
  );
}

export type LifecycleState = 'stopped' | 'starting' | 'started' | 'stopping';

/**
 * Gives a part the contract's guarantees around its own start and stop steps: repeated calls
 * share one run, stop during start waits for the start and then undoes it, a failed start
 * leaves the part stopped (so it can be started again), and start after stop starts afresh.
 */
export class StartGate {
  #state: LifecycleState = 'stopped';
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(
    private readonly onStart: () => void | Promise<void>,
    private readonly onStop: () => void | Promise<void>,
  ) {}

  get state(): LifecycleState {
    return this.#state;
  }

  get running(): boolean {
    return this.#state === 'started';
  }

  start(): Promise<void> {
    if (this.#state === 'started') return Promise.resolve();
    if (this.#starting) return this.#starting;
    const after = this.#stopping ?? Promise.resolve();
    this.#starting = after
      .then(async () => {
        this.#state = 'starting';
        try {
          await this.onStart();
        } catch (err) {
          // Undo whatever the failed start left half done; the part is stopped again.
          this.#state = 'stopping';
          await Promise.resolve(this.onStop()).catch(() => undefined);
          this.#state = 'stopped';
          throw err;
        }
        this.#state = 'started';
      })
      .finally(() => {
        this.#starting = null;
      });
    return this.#starting;
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (this.#state === 'stopped' && !this.#starting) return Promise.resolve();
    const pending = this.#starting?.catch(() => undefined) ?? Promise.resolve();
    this.#stopping = pending
      .then(async () => {
        if (this.#state !== 'started') return; // the start failed and already undid itself
        this.#state = 'stopping';
        try {
          await this.onStop();
        } finally {
          this.#state = 'stopped';
        }
      })
      .finally(() => {
        this.#stopping = null;
      });
    return this.#stopping;
  }
}

/**
 * Start parts in the order given (their dependency order). If one fails, the ones already
 * started are stopped in reverse and the error is rethrown.
 */
export async function startAll(parts: readonly Startable[]): Promise<void> {
  const started: Startable[] = [];
  try {
    for (const p of parts) {
      await p.start();
      started.push(p);
    }
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/**
 * Stop parts in reverse order, best-effort: every part is asked to stop even if an earlier one
 * failed; failures go to `onError` (the first is rethrown when no `onError` is given).
 */
export async function stopAll(
  parts: readonly Startable[],
  onError?: (part: Startable, err: unknown) => void,
): Promise<void> {
  let first: { err: unknown } | null = null; // boxed: whatever was thrown, even a falsy value
  for (const p of [...parts].reverse()) {
    try {
      await p.stop();
    } catch (err) {
      if (onError) onError(p, err);
      else first ??= { err };
    }
  }
  if (first) throw first.err;
}
