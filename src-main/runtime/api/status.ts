/** The shapes the UI and the CLI read about a running node (snake_case: also printed by `status --json`). */
import type { Mode, Profile } from '../../common';

export interface PeerSummary {
  readonly node_id: string;
  readonly node_id_short: string;
  readonly display_name: string;
  readonly profile: string;
  readonly endpoints: readonly string[];
  readonly source: string;
  readonly last_seen_s_ago: number;
  readonly mode: string | null;
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
