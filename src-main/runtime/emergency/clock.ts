/** The time source the detector runs on: real timers in the node, a fake one in tests. */

/** Epoch milliseconds plus one-shot timers. Handles are opaque to the caller. */
export interface TimerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real wall-clock timers, unref'd so a probe schedule never keeps the process alive. */
export const realClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
