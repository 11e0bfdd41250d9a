/** The one retry backoff: exponential from a base, capped (reference §0.2 RECONNECT_BACKOFF_CAP_SECONDS). */
import { RECONNECT_BACKOFF_CAP_SECONDS } from './constants';

/** First retry after this long; then 2 s, 4 s, ... */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = RECONNECT_BACKOFF_CAP_SECONDS * 1_000;

/**
 * Delay before retry number `attempt` (0 = the first retry): base·2^attempt, never above the cap.
 * No jitter: a node retries toward a handful of neighbours, so retries never stampede one server.
 */
export function backoffDelayMs(attempt: number, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS): number {
  const n = Math.max(0, Math.floor(attempt));
  if (n >= 31) return capMs;
  return Math.min(capMs, baseMs * 2 ** n);
}
