/** Injectable timers and clock for discovery, so tests advance time instead of sleeping. */

export { realTimers, type Timers } from '../../common';

/** Milliseconds since the epoch. */
export type Now = () => number;
export const realNow: Now = () => Date.now();
