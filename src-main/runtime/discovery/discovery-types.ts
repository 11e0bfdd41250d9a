/** The discovery service's constants, configuration and status shapes (M02). */
import type { Logger } from '../observability/logger';
import { MANIFEST_REPUBLISH_INTERVAL_SECONDS, type Profile } from '../../common';
import type { Endpoint, KeyPair, NodeManifest } from '../identity';
import type { PeerRegistry } from './peers';
import type { Now, Timers } from './timers';
import type { UdpListenerStats } from './udp';

/**
 * A sighting of an unregistered node whose manifest was fetched less than this ago is not
 * refetched. A sighting of a registered peer only refreshes `last_seen`: its manifest is refreshed
 * on the paced schedule (pacing.ts), and what neighbours must learn at once travels in the log.
 */
export const MANIFEST_REFETCH_MIN_MS = 5_000;
/** Manifests are republished every 20 s: the shortest refresh period of a known peer (longer on a big street). */
export const MANIFEST_REFRESH_MS = MANIFEST_REPUBLISH_INTERVAL_SECONDS * 1000;
export const MANIFEST_FETCH_TIMEOUT_MS = 5_000;
/** After a failed fetch, sightings of that node are ignored for 5 s, then 10, 20, 30 s (common/backoff.ts). */
export const SIGHTING_RETRY_BASE_MS = 5_000;
/** Housekeeping tick: unicast retries, manifest refresh, pruning. */
export const DISCOVERY_TICK_MS = 1_000;

/** Reference X04 `[discovery]` keys. */
export interface DiscoveryConfig {
  readonly mdns_enabled: boolean;
  readonly udp_enabled: boolean;
  readonly udp_multicast_group: string;
  readonly udp_port: number;
}

/** Fetches `GET /manifest` from an endpoint (the transport implements it, pinning TLS when the node id is known). */
export type FetchManifest = (
  endpoint: Endpoint,
  opts: { nodeIdFull?: string; signal: AbortSignal },
) => Promise<NodeManifest>;

export interface DiscoveryServiceInit {
  kp: KeyPair;
  registry: PeerRegistry;
  /** Full community id (the community root key). */
  communityId: string;
  displayName: string;
  profile: Profile;
  /** TCP port of our HTTP(S) server, announced to peers. */
  port: number;
  config: DiscoveryConfig;
  fetchManifest: FetchManifest;
  /** Throws when the manifest's signature, expiry or shape is bad (identity's verifyNodeManifest). */
  verifyManifest: (m: NodeManifest) => void;
  /** JSON file of known peers; null keeps them in memory only. */
  knownPeersPath: string | null;
  capabilityNames?: readonly string[];
  /** Scheme of endpoints learnt from sightings and manual entries (`https` for peers). */
  transport?: string;
  /** Bootstrap endpoints from an invite. */
  bootstrap?: readonly Endpoint[];
  /** Interface address to multicast on (namespaces, multi-homed hosts); default: all. */
  interfaceAddress?: string;
  /** Test hooks: mDNS group/port. */
  mdnsGroup?: string;
  mdnsPort?: number;
  now?: Now;
  timers?: Timers;
  log?: Logger;
}

export type PartState = 'off' | 'running' | 'unavailable';

export interface DiscoveryStatus {
  mdns: PartState;
  udp: PartState;
  peers: number;
  udpStats: UdpListenerStats | null;
  /** Announcements (mDNS + UDP) from other communities that were ignored. */
  foreign: number;
  /** Last reason mDNS/UDP could not start, for the doctor. */
  errors: string[];
}
