/** M03 §3.1 of ../shared/spec/hearthnet-reference.md: registry entries, route requests, handlers and params predicates. */
import { canonicalJson, versionString } from '../../common';
import type { NodeId, Version } from '../../common';
import type { CapabilitySpec, Endpoint } from '../identity';
import type { FrameData } from '../transport/contract';
import type { CapabilityDescriptor } from './capability';

/** What a handler receives. `params` are the caller's requested params, `offered` this instance's. */
export interface HandlerContext {
  readonly body: unknown;
  /** Full node id of the caller (our own id for in-process calls). */
  readonly caller: NodeId;
  readonly traceId: string;
  readonly sessionId: string | null;
  /** Aborted on caller cancel, timeout, or when a stream consumer stops reading. */
  readonly signal: AbortSignal;
  readonly params: Readonly<Record<string, unknown>>;
  readonly offered: Readonly<Record<string, unknown>>;
  /** True when the caller asked for a stream of frames. */
  readonly stream: boolean;
}

/** A capability implementation: a JSON result, or (for streams) an async iterable of frames. */
export type CapabilityHandler = (ctx: HandlerContext) => Promise<unknown> | AsyncIterable<FrameData>;

/** `(offered, requested) => compatible`: does this instance satisfy the caller's params? */
export type ParamsPredicate = (
  offered: Readonly<Record<string, unknown>>,
  requested: Readonly<Record<string, unknown>>,
) => boolean;

/**
 * How far we trust a remote entry's contract: `known` when its schema hash equals a descriptor
 * we hold for the same name@version, `mismatch` when it differs (never routed to), `unknown`
 * when we hold no descriptor to compare with.
 */
export type ContractState = 'local' | 'known' | 'unknown' | 'mismatch';

/** One capability instance on one node, with the live figures the router scores. Times in ms. */
export interface CapabilityEntry {
  /** `<node_id>|<name>@<major.minor>|<canonical params>`: one instance on one node. */
  readonly key: string;
  readonly node_id: NodeId;
  /** Local: the registered descriptor. Remote: the known descriptor if the hash matches, else a stub built from the spec. */
  descriptor: CapabilityDescriptor;
  spec: CapabilitySpec;
  readonly is_local: boolean;
  handler: CapabilityHandler | null;
  params_compatible: ParamsPredicate | null;
  endpoint: Endpoint | null;
  contract: ContractState;
  /** Calls running now (local: executing here; remote: our calls outstanding to it). */
  in_flight: number;
  last_seen: number;
  p50_latency_ms: number | null;
  p99_latency_ms: number | null;
  /** Over the health window; 1 before any call. */
  success_rate: number;
  /** Epoch ms; 0 = not quarantined. */
  quarantined_until: number;
  sticky_sessions: Set<string>;
}

/** One routing question: who should serve this call? */
export interface RouteRequest {
  readonly capability: string;
  readonly versionReq: Version;
  readonly body: unknown;
  readonly caller: NodeId;
  readonly traceId: string;
  readonly sessionId: string | null;
  /** Requested params (§21 keys); null = any instance will do. */
  readonly params: Readonly<Record<string, unknown>> | null;
  readonly stream: boolean;
}

/** The registry key of an instance. */
export function entryKey(nodeId: NodeId, name: string, version: Version, params: Record<string, unknown>): string {
  return `${nodeId}|${name}@${versionString(version)}|${canonicalJson(params)}`;
}

/** Same major, minor at least the requested one. */
export function versionSatisfies(offered: Version, requested: Version): boolean {
  return offered[0] === requested[0] && offered[1] >= requested[1];
}
