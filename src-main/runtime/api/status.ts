/** The shapes the UI and the CLI read about a running node (snake_case: also printed by `--json`). */
import type { Mode, PeerRefusal, Profile } from '../../common';

export interface PeerSummary {
  readonly node_id: string;
  readonly node_id_short: string;
  readonly display_name: string;
  readonly profile: string;
  readonly endpoints: readonly string[];
  readonly source: string;
  readonly last_seen_s_ago: number;
  readonly mode: string | null;
  /** Set when this neighbour refuses our node: the community removed us, or it does not count us as a member. */
  readonly refuses_us: PeerRefusal | null;
}

export interface StatusReport {
  readonly version: string;
  readonly node_id: string;
  readonly node_id_short: string;
  readonly display_name: string;
  readonly profile: Profile;
  readonly mode: Mode;
  readonly community: { readonly id: string; readonly name: string } | null;
  readonly peers: readonly PeerSummary[];
  readonly event_log: { readonly head: number; readonly count: number };
  readonly capabilities: { readonly local: number; readonly remote: number };
  readonly ports: { readonly transport: number; readonly api: number };
  readonly uptime_s: number;
}

/** One capability instance on the mesh, as `hearthnet caps` lists it. */
export interface CapabilityRow {
  readonly name: string;
  readonly version: string;
  readonly node_id: string;
  readonly node_name: string;
  readonly is_local: boolean;
  readonly params: Record<string, unknown>;
  readonly in_flight: number;
  readonly max_concurrent: number;
  readonly success_rate: number;
  readonly p50_latency_ms: number | null;
  readonly quarantined: boolean;
}

export interface TraceRow {
  readonly ts: string;
  readonly trace_id: string;
  readonly capability: string;
  readonly version: string;
  readonly from_node: string;
  readonly to_node: string;
  readonly is_local: boolean;
  readonly result: string;
  readonly ms: number;
  readonly tokens_in: number | null;
  readonly tokens_out: number | null;
}

export interface InviteCreated {
  readonly text: string;
  readonly invitee: string;
  readonly level: string;
  readonly expires_at: string;
  readonly bootstrap: readonly string[];
  /** PNG of the QR code, base64. */
  readonly qr_png_base64: string;
}

export interface InviteRedeemed {
  readonly community_id: string;
  readonly name: string;
  readonly inviter: string;
}

export interface CallInput {
  readonly capability: string;
  readonly version: string;
  readonly body: unknown;
  readonly params?: Record<string, unknown> | null;
  readonly timeout_ms?: number;
}

export interface GovernanceInput {
  readonly action: 'revoke' | 'promote' | 'demote';
  readonly nodeId: string;
  readonly reason?: string;
  readonly level?: 'member' | 'trusted' | 'anchor';
  readonly signatures?: ReadonlyArray<{ readonly signer: string; readonly signature: string }>;
}

export interface GovernanceOutcome {
  readonly done: boolean;
  readonly event_id: string | null;
  readonly signatures: ReadonlyArray<{ readonly signer: string; readonly signature: string }>;
  readonly message: string;
}
