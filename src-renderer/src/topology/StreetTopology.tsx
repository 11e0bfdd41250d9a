/**
 * The street graph fed by the node: households and capabilities from the `onTopology`
 * subscription, live calls from `onTraces` (one per finished call between two households).
 */
import { createSignal, Show, type JSX } from 'solid-js';
import type { Topology, TraceRow } from '../../../src-main/runtime/api';
import { trpc } from '../trpc';
import { ErrorState, Loading } from '../ui/states';
import { useSubscription } from '../ui/subscription';
import type { LiveCall, StreetGraph } from './model';
import { TopologyGraph } from './TopologyGraph';

/** The node's Topology in the view's terms. */
export function toStreetGraph(t: Topology): StreetGraph {
  return {
    households: t.households.map((h) => ({
      id: h.node_id,
      name: h.name,
      isSelf: h.is_self,
      online: h.online,
      capabilities: h.capabilities,
      models: h.models,
      collections: h.collections,
    })),
    links: t.links,
  };
}

/** A trace between two households (calls a node makes to itself are not drawn). */
export function toLiveCall(r: TraceRow): LiveCall | null {
  if (r.is_local || !r.from_node || !r.to_node || r.from_node === r.to_node) return null;
  return { from: r.from_node, to: r.to_node, capability: r.capability, ok: r.result === 'ok' };
}

export default function StreetTopology(): JSX.Element {
  const [graph, setGraph] = createSignal<StreetGraph>();
  let push: ((c: LiveCall) => void) | null = null;
  const topo = useSubscription<Topology>(
    (h) => trpc.onTopology.subscribe(undefined, h),
    (t) => setGraph(toStreetGraph(t)),
  );
  useSubscription<TraceRow>(
    (h) => trpc.onTraces.subscribe({}, h),
    (r) => {
      const c = toLiveCall(r);
      if (c) push?.(c);
    },
  );
  return (
    <Show
      when={graph()}
      fallback={
        <Show when={topo.error()} fallback={<Loading label="Drawing your street…" />}>
          {(e) => <ErrorState error={e()} />}
        </Show>
      }
    >
      {(g) => <TopologyGraph graph={g()} connectCalls={(p) => (push = p)} />}
    </Show>
  );
}
