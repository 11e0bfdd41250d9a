/** M03 §3.3: per-instance success rate and latency over the last calls, and quarantine of failing ones. */
import { HEALTH_QUARANTINE_SECONDS, HEALTH_QUARANTINE_THRESHOLD, HEALTH_WINDOW_CALLS } from '../../common';
import type { CapabilityEntry } from './entry';

/** Calls needed in the window before a low success rate may quarantine (one early failure must not). */
export const HEALTH_MIN_CALLS_FOR_QUARANTINE = 5;

interface Sample {
  readonly success: boolean;
  readonly latencyMs: number;
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
  readonly #samples = new Map<string, Sample[]>();
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
    if (!s) this.#samples.set(entry.key, (s = []));
    s.push({ success: outcome.success, latencyMs: Math.max(0, outcome.latencyMs) });
    if (s.length > this.window) s.splice(0, s.length - this.window);
    const ok = s.filter((x) => x.success);
    entry.success_rate = ok.length / s.length;
    const lat = ok.map((x) => x.latencyMs).sort((a, b) => a - b);
    if (lat.length) {
      entry.p50_latency_ms = percentile(lat, 0.5);
      entry.p99_latency_ms = percentile(lat, 0.99);
    }
    if (s.length >= this.#minCalls && entry.success_rate < HEALTH_QUARANTINE_THRESHOLD && !this.isQuarantined(entry)) {
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
    return this.#samples.get(entry.key)?.length ?? 0;
  }
}
