/** Output shapes of the household app's procedures (docs/protocol/ui-api.md). snake_case wire names. */
import type { Mode, Profile } from '../../common';
import type { ChatRow, MarketPost, ModelRow } from './service-shapes';

/** A household as the app names it. */
export interface Household {
  readonly node_id: string;
  readonly name: string;
  readonly is_local: boolean;
}

export interface EmergencyReport {
  readonly mode: Mode;
  readonly since: string;
  readonly last_probe: string;
  /** What the probes saw at `last_probe`. */
  readonly probes: ReadonlyArray<{ readonly target: string; readonly ok: boolean }>;
  /** Households this node can reach now. */
  readonly reachable: ReadonlyArray<{
    readonly node_id: string;
    readonly name: string;
    readonly last_seen_s_ago: number;
    readonly mode: string | null;
  }>;
  /** Live posts of category `emergency`, newest first. */
  readonly emergency_posts: readonly MarketPost[];
  /** Capabilities offered without the internet, and by whom (names). */
  readonly still_works: ReadonlyArray<{ readonly capability: string; readonly households: readonly string[] }>;
}

export interface TopologyHousehold {
  readonly node_id: string;
  readonly node_id_short: string;
  readonly name: string;
  readonly is_self: boolean;
  readonly online: boolean;
  readonly mode: string | null;
  readonly profile: string;
  /** `name@version` of each capability it offers. */
  readonly capabilities: readonly string[];
  readonly models: readonly string[];
  readonly collections: readonly string[];
}

export interface Topology {
  readonly self: string;
  readonly households: readonly TopologyHousehold[];
  /** Who can reach whom, as this node sees it. */
  readonly links: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

export interface MeshModel {
  readonly model: string;
  readonly kind: 'chat' | 'embedding';
  readonly households: readonly Household[];
  readonly context_length: number | null;
  readonly backend: string | null;
  /** A household shared the model file: `modelsCopy({cid})` fetches it. */
  readonly shared_cid: string | null;
}

export interface MeshCollection {
  readonly corpus: string;
  readonly households: readonly Household[];
  /** Known for this household's own collections. */
  readonly documents: number | null;
  readonly embedding_model: string | null;
}

/** A passage an answer cites; `text` is what the source says. */
export interface Citation {
  readonly n: number;
  readonly corpus: string;
  readonly doc_cid: string;
  readonly title: string;
  readonly page: number | null;
  readonly section: string | null;
  readonly score: number;
  readonly text: string;
}

export type AskEvent =
  | { readonly type: 'sources'; readonly sources: readonly Citation[] }
  | { readonly type: 'token'; readonly text: string }
  | {
      readonly type: 'done';
      readonly answered_by: 'llm' | 'passages';
      readonly model: string | null;
      readonly notice: string | null;
      /** Which household ran the model (null when the passages are the answer). */
      readonly household: { readonly node_id: string; readonly name: string } | null;
    };

/** A long operation's events: progress, then the result. */
export type OpEvent<P, R> =
  { readonly type: 'progress'; readonly progress: P } | { readonly type: 'done'; readonly result: R };

export interface FetchProgress {
  readonly done_chunks: number;
  readonly total_chunks: number;
  readonly bytes: number;
  readonly total_bytes: number;
}
export interface PullProgress {
  readonly received_bytes: number;
  readonly total_bytes: number | null;
  readonly resumed_from: number;
}
export interface IngestProgress {
  readonly stage: string;
  readonly current: number;
  readonly total: number;
  readonly document?: number;
  readonly documents?: number;
  readonly title?: string;
}
export interface FetchedFile {
  readonly cid: string;
  readonly filename: string | null;
  readonly size_bytes: number;
}
export interface IngestDone {
  readonly corpus: string;
  readonly documents: number;
  readonly chunks_indexed: number;
  readonly embedding_model: string | null;
  readonly mode: string;
  readonly notices: readonly string[];
}

/** sent: handed to a neighbour who passes it on; waiting: kept and retried; delivered: their node has it; read: they opened it. */
export type DeliveryState = 'sent' | 'waiting' | 'delivered' | 'read';

export interface Conversation {
  readonly peer: string;
  readonly peer_name: string;
  readonly unread: number;
  readonly last: ChatRow | null;
  readonly online: boolean;
}

export interface ChatUpdate {
  readonly kind: 'message' | 'delivered' | 'read';
  readonly message: ChatRow;
  readonly conversation: Conversation;
}

export interface MarketUpdate {
  readonly kind: 'posted' | 'expired';
  readonly post: MarketPost;
}

export interface UploadReceived {
  readonly upload_id: string;
  readonly filename: string;
  readonly size_bytes: number;
}

export interface SettingsReport {
  readonly node_id: string;
  readonly node_id_short: string;
  readonly display_name: string;
  readonly profile: Profile;
  /** The profile in plain words. */
  readonly profile_explained: string;
  readonly profiles: ReadonlyArray<{ readonly profile: Profile; readonly explained: string }>;
  readonly community: { readonly id: string; readonly name: string } | null;
  readonly data_dir: string;
  readonly models_dir: string;
  readonly config_file: string | null;
  readonly api: { readonly host: string; readonly port: number };
  readonly embedding_model: string | null;
}

export interface MemberRow {
  readonly node_id: string;
  readonly node_id_short: string;
  readonly name: string;
  readonly level: 'member' | 'trusted' | 'anchor';
  readonly is_self: boolean;
  readonly online: boolean;
  readonly revoked: boolean;
}

export interface LlmBackendRow {
  /** ollama, lmstudio, llamacpp_server, vllm, gguf (a model file served in-process), ... */
  readonly kind: string;
  readonly url: string | null;
  readonly models: readonly string[];
  readonly source: 'configured' | 'found';
}

export interface EmbeddingModelRow {
  readonly name: string;
  readonly path: string;
  readonly dim: number | null;
  readonly in_use: boolean;
}

export type { ModelRow };

/** What `hearthnet doctor` asks the running node: its real ports, neighbours' clocks, the models it serves. */
export interface Diagnostics {
  readonly ports: { readonly transport: number; readonly api: number };
  /** `skew_ms` = the neighbour's clock minus ours (from the manifest it just signed for us). */
  readonly peer_clocks: ReadonlyArray<{ readonly node_id: string; readonly name: string; readonly skew_ms: number }>;
  /** Neighbours whose clock could not be read (not reachable now). */
  readonly unreachable: readonly string[];
  readonly models_served: ReadonlyArray<{ readonly model: string; readonly backend: string | null }>;
  readonly neighbour_models: number;
  readonly capabilities: { readonly local: number; readonly remote: number };
}
