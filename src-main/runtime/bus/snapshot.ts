/** M03 §3.7 of ../shared/spec/hearthnet-reference.md: plain-data views of the bus for the UI, the CLI and GET /trace/recent. */
import type { NodeId } from '../../common';
import type { Endpoint } from '../identity';
import type { CapabilityEntry, ContractState } from './entry';

/** One capability instance without its handler (safe to serialise). Times in epoch ms. */
export interface EntryView {
  readonly node_id: NodeId;
  readonly name: string;
  readonly version: string;
  readonly params: Record<string, unknown>;
  readonly is_local: boolean;
  readonly contract: ContractState;
  readonly in_flight: number;
  readonly max_concurrent: number;
  readonly p50_latency_ms: number | null;
  readonly p99_latency_ms: number | null;
  readonly success_rate: number;
  readonly quarantined_until: number;
  readonly sticky_sessions: number;
  readonly last_seen: number;
}

export interface PeerView {
  readonly node_id: NodeId;
  readonly display_name: string;
  readonly endpoint: Endpoint | null;
  readonly capabilities: number;
  readonly last_seen: number;
}

export interface TopologySnapshot {
  readonly our_node_id: NodeId;
  readonly peers: PeerView[];
  readonly capabilities_local: EntryView[];
  readonly capabilities_remote: EntryView[];
  readonly in_flight_total: number;
}

export interface BusStats {
  calls_total: number;
  calls_ok: number;
  calls_failed: number;
  failovers: number;
  inbound_total: number;
  inbound_failed: number;
}

export function entryView(e: CapabilityEntry): EntryView {
  return {
    node_id: e.node_id,
    name: e.descriptor.name,
    version: e.spec.version,
    params: { ...e.descriptor.params },
    is_local: e.is_local,
    contract: e.contract,
    in_flight: e.in_flight,
    max_concurrent: e.descriptor.max_concurrent,
    p50_latency_ms: e.p50_latency_ms,
    p99_latency_ms: e.p99_latency_ms,
    success_rate: e.success_rate,
    quarantined_until: e.quarantined_until,
    sticky_sessions: e.sticky_sessions.size,
    last_seen: e.last_seen,
  };
}

/** The bus's counters with what its registry holds right now. */
export interface BusStatsView extends BusStats {
  readonly local_capabilities: number;
  readonly remote_capabilities: number;
  readonly quarantined: number;
  readonly in_flight_total: number;
}

export function topologyOf(ourNodeId: NodeId, peers: Iterable<PeerView>, all: CapabilityEntry[]): TopologySnapshot {
  return {
    our_node_id: ourNodeId,
    peers: [...peers],
    capabilities_local: all.filter((e) => e.is_local).map(entryView),
    capabilities_remote: all.filter((e) => !e.is_local).map(entryView),
    in_flight_total: all.reduce((n, e) => n + e.in_flight, 0),
  };
}

export function statsOf(
  counters: BusStats,
  all: CapabilityEntry[],
  isQuarantined: (e: CapabilityEntry) => boolean,
): BusStatsView {
  return {
    ...counters,
    local_capabilities: all.filter((e) => e.is_local).length,
    remote_capabilities: all.filter((e) => !e.is_local).length,
    quarantined: all.filter(isQuarantined).length,
    in_flight_total: all.reduce((n, e) => n + e.in_flight, 0),
  };
}
