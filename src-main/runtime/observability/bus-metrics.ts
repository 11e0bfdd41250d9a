/** Feeds the standard metrics (§4.2 of ../shared/spec/hearthnet-reference.md) from the bus's trace hook. */
import type { CapabilityBus } from '../bus';
import type { Metrics } from '.';

export function wireBusMetrics(bus: CapabilityBus, metrics: Metrics): () => void {
  const m = metrics.std;
  const streaming = new Map<string, string>();
  const offStart = bus.trace.addStartListener((req) => {
    if (!req.stream) return;
    streaming.set(req.traceId, req.capability);
    m.activeStreams.inc({ capability: req.capability });
  });
  const offEnd = bus.trace.addListener((ev) => {
    m.requestsTotal.inc({ capability: ev.capability, result: ev.result });
    m.requestDurationMs.observe({ capability: ev.capability }, ev.ms);
    const streamed = streaming.get(ev.trace_id);
    if (streamed !== undefined) {
      streaming.delete(ev.trace_id);
      m.activeStreams.dec({ capability: streamed });
    }
    const entry = bus.registry.firstOn(ev.to_node, ev.capability);
    if (entry) m.capabilityHealthSuccessRate.set({ capability: ev.capability, node: ev.to_node }, entry.success_rate);
  });
  return () => {
    offStart();
    offEnd();
  };
}
