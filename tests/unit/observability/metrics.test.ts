import { describe, expect, it } from 'vitest';
import {
  Metrics,
  ObservabilityError,
  STANDARD_METRIC_NAMES,
  SUMMARY_QUEUE_MAX,
} from '../../../src-main/runtime/observability';

describe('Metrics', () => {
  it('pre-registers the 14 standard metrics with HELP/TYPE lines even before any value', async () => {
    const text = await new Metrics().text();
    expect(STANDARD_METRIC_NAMES).toHaveLength(14);
    for (const name of STANDARD_METRIC_NAMES) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('# TYPE hearthnet_request_duration_ms summary');
    expect(text).toContain('# TYPE hearthnet_requests_total counter');
    expect(text).toContain('hearthnet_quarantines_total 0');
  });

  it('records with the exact labels, quantile included', async () => {
    const m = new Metrics();
    m.std.requestsTotal.inc({ capability: 'llm.chat', result: 'ok' });
    m.std.requestDurationMs.observe({ capability: 'llm.chat' }, 120);
    m.std.capabilityHealthSuccessRate.set({ capability: 'llm.chat', node: 'ed25519:AAAA' }, 0.75);
    m.std.emergencyMode.set({ state: 'offline' }, 1);
    const text = await m.text();
    expect(text).toContain('hearthnet_requests_total{capability="llm.chat",result="ok"} 1');
    expect(text).toContain('hearthnet_request_duration_ms{quantile="0.5",capability="llm.chat"} 120');
    expect(text).toContain('hearthnet_capability_health_success_rate{capability="llm.chat",node="ed25519:AAAA"} 0.75');
    expect(text).toContain('hearthnet_emergency_mode{state="offline"} 1');
  });

  it('request durations queued on the call path reach the summary at scrape time, within its 10-minute window', async () => {
    let now = 1_800_000_000_000;
    const m = new Metrics({ now: () => now });
    m.std.requestDurationMs.observe({ capability: 'old.one' }, 5);
    now += 11 * 60_000; // older than the window by the time anyone scrapes
    for (const ms of [10, 20, 30, 40]) m.std.requestDurationMs.observe({ capability: 'llm.chat' }, ms);
    const text = await m.text();
    expect(text).toContain('hearthnet_request_duration_ms_count{capability="llm.chat"} 4');
    expect(text).toContain('hearthnet_request_duration_ms_sum{capability="llm.chat"} 100');
    expect(text).not.toContain('old.one');
    // Flushed once: a second scrape reports the same, not twice as many.
    expect(await m.text()).toContain('hearthnet_request_duration_ms_count{capability="llm.chat"} 4');
    m.std.requestDurationMs.observe({ capability: 'llm.chat' }, 50);
    expect(await m.text()).toContain('hearthnet_request_duration_ms_count{capability="llm.chat"} 5');
    m.std.requestDurationMs.observe({ capability: 'llm.chat' }, 60);
    m.reset();
    // The queued 60 went with the reset: the series reads zero (or is gone).
    expect(
      Number(/hearthnet_request_duration_ms_count\{capability="llm.chat"\} (\d+)/.exec(await m.text())?.[1] ?? 0),
    ).toBe(0);
  });

  it(`holds at most ${SUMMARY_QUEUE_MAX} unscraped durations`, async () => {
    const m = new Metrics();
    for (let i = 0; i < SUMMARY_QUEUE_MAX + 10; i++) m.std.requestDurationMs.observe({ capability: 'x' }, 1);
    const count = Number(/hearthnet_request_duration_ms_count\{capability="x"\} (\d+)/.exec(await m.text())?.[1]);
    expect(count).toBeGreaterThan(SUMMARY_QUEUE_MAX / 2);
    expect(count).toBeLessThanOrEqual(SUMMARY_QUEUE_MAX);
  });

  it('keeps nodes in one process apart and returns existing metrics by name', async () => {
    const a = new Metrics({ defaultLabels: { node: 'alice' } });
    const b = new Metrics();
    a.std.quarantinesTotal.inc();
    expect(await b.text()).toContain('hearthnet_quarantines_total 0');
    expect(await a.text()).toContain('hearthnet_quarantines_total{node="alice"} 1');
    expect(a.counter('hearthnet_quarantines_total', 'x')).toBe(a.std.quarantinesTotal);
    const h = a.histogram('hearthnet_test_ms', 'test', ['k'], [1, 10]);
    h.observe({ k: 'v' }, 5);
    expect(await a.text()).toContain('hearthnet_test_ms_bucket{le="10",node="alice",k="v"} 1');
    expect(() => a.gauge('hearthnet_test_ms', 'clash')).toThrow(ObservabilityError);
  });

  it('disabled metrics expose nothing', async () => {
    const m = new Metrics({ enabled: false });
    expect(m.disabled()).toBe(true);
    m.std.quarantinesTotal.inc();
    expect(await m.text()).toBe('');
    expect(new Metrics().disabled()).toBe(false);
  });
});
