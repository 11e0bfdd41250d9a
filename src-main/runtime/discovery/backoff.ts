/** Retry pacing for unicast manifest fetches, per peer, on the one backoff (common/backoff.ts). */
import { backoffDelayMs } from '../../common';

/** Per-key attempt bookkeeping: when the next try is due and how many failed in a row. */
export class BackoffTable {
  private readonly state = new Map<string, { failures: number; nextAt: number }>();

  due(key: string, now: number): boolean {
    return (this.state.get(key)?.nextAt ?? 0) <= now;
  }

  failures(key: string): number {
    return this.state.get(key)?.failures ?? 0;
  }

  /** Record a failure; returns the delay chosen in ms (from `baseMs`: 1 s, 2 s, 4 s, ... 30 s by default). */
  fail(key: string, now: number, baseMs?: number): number {
    const failures = this.failures(key) + 1;
    const delay = backoffDelayMs(failures - 1, baseMs);
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

  forget(key: string): void {
    this.state.delete(key);
  }

  clear(): void {
    this.state.clear();
  }
}
