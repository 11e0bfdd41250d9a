import { describe, expect, it } from 'vitest';
import { HEALTH_QUARANTINE_SECONDS } from '../../../src-main/common';
import type { NodeId } from '../../../src-main/common';
import {
  defineCapability,
  HEALTH_MIN_CALLS_FOR_QUARANTINE,
  HealthTracker,
  Registry,
} from '../../../src-main/runtime/bus';

function setup(window?: number) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const quarantined: string[] = [];
  const h = new HealthTracker({ now: clock.now, window, onQuarantine: (e) => quarantined.push(e.key) });
  const r = new Registry('ed25519:us' as NodeId);
  const e = r.registerLocal(defineCapability({ name: 'llm.chat', version: [1, 0] }), () => Promise.resolve({}));
  return { h, e, clock, quarantined };
}

describe('HealthTracker', () => {
  it('computes success rate and latency percentiles over the window', () => {
    const { h, e } = setup(10);
    for (let i = 1; i <= 10; i++) h.record(e, { success: true, latencyMs: i * 10 });
    expect(e.success_rate).toBe(1);
    expect(e.p50_latency_ms).toBe(50);
    expect(e.p99_latency_ms).toBe(100);
    for (let i = 0; i < 3; i++) h.record(e, { success: false, latencyMs: 5000 });
    expect(h.samples(e)).toBe(10);
    expect(e.success_rate).toBeCloseTo(0.7);
    expect(e.p99_latency_ms).toBe(100); // failures do not count as latency
  });

  it('keeps exactly the figures of a full recount over a sliding window (random outcomes, repeated latencies)', () => {
    const { h, e } = setup(7);
    const all: { success: boolean; latencyMs: number }[] = [];
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const nearestRank = (sorted: number[], p: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
    for (let i = 0; i < 500; i++) {
      const o = { success: rand() < 0.8, latencyMs: Math.floor(rand() * 6) * 10 };
      all.push(o);
      h.record(e, o);
      const win = all.slice(-7);
      if (h.samples(e) === 0) {
        // Quarantined: the window starts again (the entry keeps the figures it had).
        all.length = 0;
        continue;
      }
      const ok = win
        .filter((x) => x.success)
        .map((x) => x.latencyMs)
        .sort((a, b) => a - b);
      expect(e.success_rate).toBeCloseTo(ok.length / win.length, 12);
      if (ok.length) {
        expect(e.p50_latency_ms).toBe(nearestRank(ok, 0.5));
        expect(e.p99_latency_ms).toBe(nearestRank(ok, 0.99));
      }
    }
  });

  it(`needs ${HEALTH_MIN_CALLS_FOR_QUARANTINE} calls before quarantining, then quarantines for ${HEALTH_QUARANTINE_SECONDS}s and recovers`, () => {
    const { h, e, clock, quarantined } = setup();
    for (let i = 0; i < HEALTH_MIN_CALLS_FOR_QUARANTINE - 1; i++) h.record(e, { success: false, latencyMs: 1 });
    expect(e.success_rate).toBe(0);
    expect(h.isQuarantined(e)).toBe(false);
    h.record(e, { success: false, latencyMs: 1 });
    expect(h.isQuarantined(e)).toBe(true);
    expect(quarantined).toEqual([e.key]);
    expect(e.quarantined_until).toBe(clock.now() + HEALTH_QUARANTINE_SECONDS * 1000);
    clock.advance(HEALTH_QUARANTINE_SECONDS * 1000 - 1);
    expect(h.isQuarantined(e)).toBe(true);
    clock.advance(1);
    expect(h.isQuarantined(e)).toBe(false);
    // probation: a clean window, so one more failure does not re-quarantine at once
    expect(h.samples(e)).toBe(0);
    h.record(e, { success: false, latencyMs: 1 });
    expect(h.isQuarantined(e)).toBe(false);
    h.record(e, { success: true, latencyMs: 1 });
    expect(e.success_rate).toBe(0.5);
    expect(quarantined).toHaveLength(1);
  });

  it('does not quarantine at exactly the threshold', () => {
    const { h, e } = setup();
    for (let i = 0; i < 10; i++) h.record(e, { success: i % 2 === 0, latencyMs: 1 });
    expect(e.success_rate).toBe(0.5);
    expect(h.isQuarantined(e)).toBe(false);
  });

  it('reset clears figures and quarantine', () => {
    const { h, e } = setup();
    for (let i = 0; i < 6; i++) h.record(e, { success: false, latencyMs: 1 });
    expect(h.isQuarantined(e)).toBe(true);
    h.reset(e);
    expect(h.isQuarantined(e)).toBe(false);
    expect([e.success_rate, e.p50_latency_ms, h.samples(e)]).toEqual([1, null, 0]);
  });
});
