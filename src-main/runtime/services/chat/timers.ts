/** Injectable timers for chat delivery retries, so tests advance time instead of sleeping. */

/** The slice of the timer API delivery uses; handles are opaque. */
export interface DeliveryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Global timers, unref'd (a pending retry never keeps the process alive), looked up at call time. */
export const realDeliveryTimers: DeliveryTimers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
