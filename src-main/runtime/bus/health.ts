/** M03 §3.3 of ../shared/spec/hearthnet-reference.md: per-instance success rate and latency over the last calls, and quarantine of failing ones. */
import { HEALTH_QUARANTINE_SECONDS, HEALTH_QUARANTINE_THRESHOLD, HEALTH_WINDOW_CALLS } from '../../common';
import type { CapabilityEntry } from './entry';

/** Calls needed in the window before a low success rate may quarantine (one early failure must not). */
export const HEALTH_MIN_CALLS_FOR_QUARANTINE = 5;

/**
 * The last `size` outcomes of one instance, kept so that each call costs O(log n) + a short
 * memmove instead of a filter, map and sort of the whole window (that was ~15 us per call at the
 * default 100, on both ends of every bus call): a ring of outcomes, the success count, and the
 * latencies of the successful ones kept sorted.
 */
class OutcomeWindow {
  readonly #success: Uint8Array;
  readonly #latency: Float64Array;
  #next = 0;
  count = 0;
  successes = 0;
  /** Latencies (ms) of the successful calls in the window, ascending. */
  readonly sortedLatencies: number[] = [];

  constructor(readonly size: number) {
    this.#success = new Uint8Array(size);
    this.#latency = new Float64Array(size);
  }

  push(success: boolean, latencyMs: number): void {
    const i = this.#next;
    if (this.count === this.size) {
      if (this.#success[i]) {
        this.successes--;
        this.sortedLatencies.splice(lowerBound(this.sortedLatencies, this.#latency[i]), 1);
      }
    } else this.count++;
    this.#success[i] = success ? 1 : 0;
    this.#latency[i] = latencyMs;
    if (success) {
      this.successes++;
      this.sortedLatencies.splice(lowerBound(this.sortedLatencies, latencyMs), 0, latencyMs);
    }
    this.#next = (i + 1) % this.size;
  }
}

/** First index whose value is >= x in an ascending array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface HealthInit {
  /** Calls remembered per instance (default HEALTH_WINDOW_CALLS). */
  window?: number;
  /** Epoch ms (injected in tests). */
  now?: () => number;
  minCalls?: number;
  /** Called when an instance is quarantined (metric hearthnet_quarantines_total). */
  onQuarantine?: (entry: CapabilityEntry) => void;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/**
 * Tracks each capability instance by its registry key and writes the figures back onto the
 * entry (success_rate, p50/p99 latency of successful calls, quarantined_until).
 */
export class HealthTracker {
  readonly window: number;
  readonly #samples = new Map<string, OutcomeWindow>();
  readonly #now: () => number;
  readonly #minCalls: number;
  onQuarantine: ((entry: CapabilityEntry) => void) | null;

  constructor(init: HealthInit = {}) {
    this.window = init.window ?? HEALTH_WINDOW_CALLS;
    this.#now = init.now ?? Date.now;
    this.#minCalls = init.minCalls ?? HEALTH_MIN_CALLS_FOR_QUARANTINE;
    this.onQuarantine = init.onQuarantine ?? null;
  }

  record(entry: CapabilityEntry, outcome: { success: boolean; latencyMs: number }): void {
    let s = this.#samples.get(entry.key);
    if (!s) this.#samples.set(entry.key, (s = new OutcomeWindow(this.window)));
    s.push(outcome.success, Math.max(0, outcome.latencyMs));
    entry.success_rate = s.successes / s.count;
    const lat = s.sortedLatencies;
    if (lat.length) {
      entry.p50_latency_ms = percentile(lat, 0.5);
      entry.p99_latency_ms = percentile(lat, 0.99);
    }
    if (s.count >= this.#minCalls && entry.success_rate < HEALTH_QUARANTINE_THRESHOLD && !this.isQuarantined(entry)) {
      entry.quarantined_until = this.#now() + HEALTH_QUARANTINE_SECONDS * 1000;
      // Forget the bad window: after the quarantine the instance starts on probation with a
      // clean slate, and needs minCalls new calls before it can be quarantined again.
      this.#samples.delete(entry.key);
      this.onQuarantine?.(entry);
    }
  }

  isQuarantined(entry: CapabilityEntry): boolean {
    return entry.quarantined_until > this.#now();
  }

  /** Forget everything about an instance (e.g. an operator cleared it). */
  reset(entry: CapabilityEntry): void {
    this.#samples.delete(entry.key);
    entry.quarantined_until = 0;
    entry.success_rate = 1;
    entry.p50_latency_ms = null;
    entry.p99_latency_ms = null;
  }

  /** Calls in the current window for an instance. */
  samples(entry: CapabilityEntry): number {
    return this.#samples.get(entry.key)?.count ?? 0;
  }
}
