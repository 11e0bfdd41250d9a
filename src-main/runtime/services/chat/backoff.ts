/** Retry schedule for undelivered chat messages: doubling from a base, capped (§0.2 of ../shared/spec/hearthnet-reference.md). */
import { RECONNECT_BACKOFF_CAP_SECONDS } from '../../../common';

/** First retry after this long; then 2 s, 4 s, ... */
export const CHAT_RETRY_BASE_MS = 1_000;
export const CHAT_RETRY_CAP_MS = RECONNECT_BACKOFF_CAP_SECONDS * 1_000;

/**
 * Delay before retry number `attempt` (0 = first retry): base·2^attempt, never above cap. No
 * jitter: a node retries toward a handful of neighbours, so retries never stampede one server.
 */
export function retryDelayMs(attempt: number, baseMs = CHAT_RETRY_BASE_MS, capMs = CHAT_RETRY_CAP_MS): number {
  const n = Math.max(0, Math.floor(attempt));
  if (n >= 31) return capMs;
  return Math.min(capMs, baseMs * 2 ** n);
}
