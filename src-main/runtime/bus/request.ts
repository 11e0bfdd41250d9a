/** Building a RouteRequest from a caller's arguments or a peer's inbound call, and what goes to the transport. */
import { parseVersion } from '../../common';
import type { NodeId, Version } from '../../common';
import type { CallOptions, InboundCall } from '../transport/contract';
import { isCapabilityName } from './capability';
import type { CapabilityEntry, RouteRequest } from './entry';
import { BusError } from './errors';

/** What the transport receives; `params` is carried for instance selection (see docs/protocol/bus.md). */
export type OutboundOptions = CallOptions & { readonly params?: Readonly<Record<string, unknown>> | null };
/** What the server hands us; `params` when the transport carries it. */
type InboundWithParams = InboundCall & { readonly params?: unknown };

export function versionOf(v: Version | string): Version {
  if (typeof v !== 'string') return v;
  try {
    return parseVersion(v);
  } catch {
    throw new BusError('schema_mismatch', `version "${v}" is not MAJOR.MINOR (e.g. "1.0")`);
  }
}

export interface OutgoingArgs {
  readonly capability: string;
  readonly versionReq: Version | string;
  readonly body: unknown;
  readonly caller: NodeId;
  readonly traceId: string;
  readonly sessionId: string | null;
  readonly params: Readonly<Record<string, unknown>> | null;
  readonly stream: boolean;
}

/** A call this node makes; throws BusError('namespace_violation') for a malformed name. */
export function outgoingRequest(a: OutgoingArgs): RouteRequest {
  if (!isCapabilityName(a.capability))
    throw new BusError(
      'namespace_violation',
      `capability name "${String(a.capability)}" must look like "<namespace>.<verb>" in lowercase`,
    );
  return { ...a, versionReq: versionOf(a.versionReq) };
}

/** A verified call from a peer. */
export function inboundRequest(call: InboundCall): RouteRequest {
  return {
    capability: call.capability,
    versionReq: versionOf(call.version),
    body: call.body,
    caller: call.caller,
    traceId: call.traceId,
    sessionId: call.sessionId,
    params: paramsOf((call as InboundWithParams).params),
    stream: call.stream,
  };
}

/** The executor's view of a call this node runs for itself. */
export function localCall(entry: CapabilityEntry, req: RouteRequest, caller: NodeId) {
  return {
    entry,
    body: req.body,
    caller,
    traceId: req.traceId,
    sessionId: req.sessionId,
    params: req.params,
    stream: req.stream,
  };
}

export function outbound(req: RouteRequest, signal: AbortSignal, timeoutMs: number): OutboundOptions {
  return { traceId: req.traceId, sessionId: req.sessionId, timeoutMs, signal, params: req.params };
}

export function peerOf(entry: CapabilityEntry) {
  if (!entry.endpoint) throw new BusError('partition', `${entry.node_id} has no known address`);
  return { nodeId: entry.node_id, endpoint: entry.endpoint };
}

function paramsOf(v: unknown): Readonly<Record<string, unknown>> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
