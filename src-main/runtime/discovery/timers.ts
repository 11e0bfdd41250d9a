/** Injectable timers and clock for discovery, so tests advance time instead of sleeping. */

export { realTimers, type Timers } from '../../common';

/** Milliseconds since the epoch. */
export type Now = () => number;
export const realNow: Now = () => Date.now();

/** Where discovery reports what it skipped or could not do; never throws. */
export type DiscoveryLog = (
  level: 'debug' | 'info' | 'warn',
  message: string,
  details?: Record<string, unknown>,
) => void;

/** Default log: warnings to stderr, the rest dropped (the composition root injects the real logger). */
export const defaultLog: DiscoveryLog = (level, message, details) => {
  if (level === 'warn') console.warn(`[discovery] ${message}`, details ?? '');
};
