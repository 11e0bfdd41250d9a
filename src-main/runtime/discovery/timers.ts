/** Injectable timers and clock for discovery, so tests advance time instead of sleeping. */

/** The slice of the timer API discovery uses; handles are opaque. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Global timers, unref'd so discovery never keeps a process alive on its own. They look up
 * `globalThis.setTimeout` at call time, so vitest fake timers apply to them too.
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

/** Milliseconds since the epoch. */
export type Now = () => number;
export const realNow: Now = () => Date.now();

/** Where discovery reports what it skipped or could not do; never throws. */
export type DiscoveryLog = (level: 'debug' | 'info' | 'warn', message: string, details?: Record<string, unknown>) => void;

/** Default log: warnings to stderr, the rest dropped (the composition root injects the real logger). */
export const defaultLog: DiscoveryLog = (level, message, details) => {
  if (level === 'warn') console.warn(`[discovery] ${message}`, details ?? '');
};
