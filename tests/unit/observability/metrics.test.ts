import { describe, expect, it } from 'vitest';
import { Metrics, ObservabilityError, STANDARD_METRIC_NAMES } from '../../../src-main/runtime/observability';

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
