/** M09 §3.1 of ../shared/spec/hearthnet-reference.md: the emergency state (online / degraded / offline) and the bus that announces changes. */
import { toWallClock, type Mode, type WallClock } from '../../common';

/** What the node believes about its internet connection. `probe_results` is keyed by probe target. */
export interface EmergencyState {
  readonly mode: Mode;
  /** When the current mode began (the moment the transition was decided). */
  readonly since: WallClock;
  /** When the last probe round finished. */
  readonly last_probe: WallClock;
  readonly probe_results: Readonly<Record<string, boolean>>;
}

export type StateListener = (state: EmergencyState) => void;

/** Upper bound on states queued for one slow async subscriber; older ones are dropped first. */
export const STATE_BUS_MAX_QUEUED = 64;

/**
 * Holds the current EmergencyState and tells listeners when the **mode** changes.
 *
 * Probe rounds that do not change the mode update `current()` silently (so `probe_results`
 * and `last_probe` are always fresh for the UI) but emit nothing: subscribers react to
 * transitions, not to every probe every 2 s.
 */
export class StateBus {
  private state: EmergencyState;
  private readonly listeners = new Set<StateListener>();

  constructor(initial?: EmergencyState) {
    const now = toWallClock();
    this.state = initial ?? { mode: 'online', since: now, last_probe: now, probe_results: {} };
  }

  current(): EmergencyState {
    return this.state;
  }

  /** Synchronous hook called on each mode change; returns an unsubscribe function. */
  on(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Async iterable of states, one per mode change, from now on. Ends when `signal` aborts or
   * the consumer breaks out of its loop.
   */
  async *subscribe(opts: { signal?: AbortSignal } = {}): AsyncGenerator<EmergencyState> {
    const queue: EmergencyState[] = [];
    let wake: (() => void) | null = null;
    const off = this.on((s) => {
      queue.push(s);
      if (queue.length > STATE_BUS_MAX_QUEUED) queue.shift();
      wake?.();
    });
    const onAbort = () => wake?.();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      while (!opts.signal?.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      off();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Record a new state (internal: the Detector calls it). Listeners are called only when the
   * mode differs from the previous one; a listener that throws does not stop the others.
   */
  publish(next: EmergencyState): void {
    const changed = next.mode !== this.state.mode;
    this.state = next;
    if (!changed) return;
    for (const l of [...this.listeners]) {
      try {
        l(next);
      } catch (err) {
        // A UI listener's bug must not stop the node's own effects; make it visible.
        process.stderr.write(`hearthnet: an emergency state listener failed: ${String(err)}\n`);
      }
    }
  }
}
