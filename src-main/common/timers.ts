/** Injectable timers, so tests advance time instead of sleeping. Shared by every module that schedules. */

/** The slice of the timer API long-lived parts use; handles are opaque. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Global timers, unref'd where the platform can (a pending retry never keeps a process alive on
 * its own). They look up `globalThis.setTimeout` at call time, so fake timers in tests apply.
 */
export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
