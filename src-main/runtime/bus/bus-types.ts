/** M03 §3.7 of ../shared/spec/hearthnet-reference.md: the option and peer types of the CapabilityBus facade. */
import type { Logger } from '../observability/logger';
import type { CommunityId, NodeId } from '../../common';
import type { Endpoint, NodeManifest } from '../identity';
import type { PeerTransport } from '../transport/contract';
import type { CapabilityDescriptor } from './capability';
import type { CapabilityEntry, CapabilityHandler, ParamsPredicate } from './entry';
import type { RouterConfig } from './router';
import type { TrustOracle } from './trust';

/** A discovered peer with its verified manifest. */
export interface PeerInfo {
  readonly nodeId: NodeId;
  readonly endpoint: Endpoint | null;
  readonly manifest: NodeManifest;
}

/**
 * A descriptor as a service writes it: the version may be the wire tuple or its text ("1.0");
 * the bus checks and normalises it (defineCapability) when the service is registered.
 */
export type OfferedDescriptor =
  CapabilityDescriptor | (Omit<CapabilityDescriptor, 'version'> & { readonly version: string });

/** One capability a service offers, its descriptor already defined (`defineCapability`). */
export interface ServiceCapability {
  readonly descriptor: CapabilityDescriptor;
  readonly handler: CapabilityHandler;
  readonly paramsCompatible?: ParamsPredicate;
}

/** One capability as a service may hand it to the bus (the version possibly as text). */
export interface OfferedCapability {
  readonly descriptor: OfferedDescriptor;
  readonly handler: CapabilityHandler;
  readonly paramsCompatible?: ParamsPredicate;
}

/** The part of a Service (services/base.ts) the bus needs. */
export interface CapabilityProvider {
  capabilities(): readonly OfferedCapability[];
}

export interface BusCallOptions {
  /** Multi-turn conversations: keep using the same instance while it is healthy. */
  readonly sessionId?: string | null;
  /** Per attempt; default the instance's timeout_seconds. For streams: the wait for each frame. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Requested params (§21 keys) to pick a matching instance, e.g. `{ model: 'qwen2.5-7b' }`. */
  readonly params?: Readonly<Record<string, unknown>> | null;
  readonly traceId?: string;
  /** Override the descriptor's idempotent flag (e.g. for a remote capability whose contract we do not hold). */
  readonly idempotent?: boolean;
}

export interface CapabilityBusInit {
  /** Our full node id. */
  readonly nodeId: NodeId;
  readonly communityId: CommunityId;
  readonly config?: Partial<RouterConfig>;
  readonly transport: PeerTransport;
  readonly trust: TrustOracle;
  /** Epoch ms; drives quarantine and timestamps (latencies use a monotonic clock). */
  readonly now?: () => number;
  readonly newTraceId?: () => string;
  readonly maxAttempts?: number;
  readonly traceCapacity?: number;
  /** Quarantine notifications (metric hearthnet_quarantines_total). */
  readonly onQuarantine?: (entry: CapabilityEntry) => void;
  /** `components.logger.forComponent('bus')`; default: the process-wide logger. */
  readonly log?: Logger;
}
