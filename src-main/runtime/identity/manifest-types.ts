/**
 * M01 §3.2 of ../shared/spec/hearthnet-reference.md manifest shapes. Field names are wire names (signed, sent to peers):
 * snake_case, never renamed. Type aliases, not interfaces: a wire object is a plain JSON record (assignable to
 * `Record<string, unknown>` where it is signed, hashed or stored) without a cast.
 */
import type { CommunityId, NodeId, Profile, TrustLevel, WallClock } from '../../common';

export type Endpoint = {
  /** `https` for peer traffic (TLS pinned per node id); `http` only for local tooling. */
  readonly transport: string;
  readonly host: string;
  readonly port: number;
};

export type HardwareSpec = {
  readonly gpu: string | null;
  readonly vram_gb: number;
  readonly ram_gb: number;
  readonly cpu_cores: number;
  readonly disk_free_gb: number;
};

/** The part of a capability descriptor a node advertises in its manifest. */
export type CapabilitySpec = {
  readonly name: string;
  readonly version: string;
  readonly stability: string;
  readonly schema_hash: string;
  readonly params: Record<string, unknown>;
  readonly max_concurrent: number;
};

export type NodeManifest = {
  readonly version: number;
  readonly contract_version: string;
  readonly node_id: NodeId;
  readonly display_name: string;
  readonly community_id: CommunityId;
  readonly profile: Profile;
  readonly endpoints: readonly Endpoint[];
  readonly hardware: HardwareSpec;
  readonly capabilities: readonly CapabilitySpec[];
  readonly uptime_seconds: number;
  /** Free-form load figures; also carries `mode` (emergency state) and `tls_fingerprint`. */
  readonly load: Record<string, unknown>;
  readonly issued_at: WallClock;
  readonly expires_at: WallClock;
  readonly signature: string;
};

export type CommunityPolicy = {
  readonly min_signatures_to_invite: number;
  readonly min_signatures_to_demote: number;
  readonly min_signatures_to_revoke: number;
  readonly capability_token_ttl_seconds: number;
  readonly federation_enabled: boolean;
  readonly default_member_can_invite: boolean;
};

export type CommunityMember = {
  readonly node_id: NodeId;
  readonly level: TrustLevel;
  readonly added_at: WallClock;
  readonly added_by: NodeId;
};

export type RevokedEntry = {
  readonly node_id: NodeId;
  readonly revoked_at: WallClock;
};

export type CommunityManifest = {
  readonly version: number;
  readonly community_id: CommunityId;
  readonly name: string;
  /** Full node id of the community's root key (equal to community_id). */
  readonly root_key: NodeId;
  readonly created_at: WallClock;
  readonly lamport_at_creation: number;
  readonly policy: CommunityPolicy;
  readonly members: readonly CommunityMember[];
  readonly revoked: readonly RevokedEntry[];
  readonly head_lamport: number;
  readonly signature: string;
};
