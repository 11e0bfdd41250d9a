/** Retry pacing for unicast manifest fetches: exponential, capped at RECONNECT_BACKOFF_CAP_SECONDS. */
import { RECONNECT_BACKOFF_CAP_SECONDS } from '../../common';

export const BACKOFF_BASE_MS = 1_000;

/** Delay before the next attempt after `failures` consecutive failures (1 s, 2 s, 4 s, ... 30 s). */
export function backoffMs(
  failures: number,
  baseMs: number = BACKOFF_BASE_MS,
  capMs: number = RECONNECT_BACKOFF_CAP_SECONDS * 1000,
): number {
  if (failures <= 0) return 0;
  return Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 30));
}

/** Per-key attempt bookkeeping: when the next try is due and how many failed in a row. */
export class BackoffTable {
  private readonly state = new Map<string, { failures: number; nextAt: number }>();

  due(key: string, now: number): boolean {
    return (this.state.get(key)?.nextAt ?? 0) <= now;
  }

  failures(key: string): number {
    return this.state.get(key)?.failures ?? 0;
  }

  /** Record a failure; returns the delay chosen in ms. */
  fail(key: string, now: number): number {
    const failures = this.failures(key) + 1;
    const delay = backoffMs(failures);
    this.state.set(key, { failures, nextAt: now + delay });
    return delay;
  }

  /** Record a success; the next attempt is due after `nextInMs`. */
  succeed(key: string, now: number, nextInMs: number): void {
    this.state.set(key, { failures: 0, nextAt: now + nextInMs });
  }

  /** Block attempts for `ms` (while one is in flight) without touching the failure count. */
  hold(key: string, now: number, ms: number): void {
    this.state.set(key, { failures: this.failures(key), nextAt: now + ms });
  }

  clear(): void {
    this.state.clear();
  }
}
