/** Wire shapes of the community-service and model procedures (snake_case: also printed by `--json`). */
import type { DeliveryState } from './ui-shapes';

/** `files add`: the file is in this node's blob store and advertised to the community. */
export interface FileAdded {
  readonly cid: string;
  readonly filename: string;
  readonly size_bytes: number;
  readonly chunks: number;
  readonly mime_type: string | null;
}

/** Who holds a file, with the name a person recognises. */
export interface FileHolder {
  readonly node_id: string;
  readonly name: string;
}

/** `files list`: one file held here or advertised by a neighbour. */
export interface FileRow {
  readonly cid: string;
  readonly filename: string | null;
  readonly size_bytes: number | null;
  readonly mime_type: string | null;
  /** Held in full in this node's blob store. */
  readonly local: boolean;
  readonly pinned: boolean;
  /** Other members that advertised it. */
  readonly holders: readonly FileHolder[];
}

export const MARKET_CATEGORIES = ['offer', 'request', 'info', 'emergency'] as const;
export type MarketCategory = (typeof MARKET_CATEGORIES)[number];

export interface MarketPostInput {
  readonly category: MarketCategory;
  readonly title: string;
  readonly body?: string;
  readonly tags?: readonly string[];
  readonly ttl_seconds?: number;
}

/** A marketplace post as market.* returns it, plus the author's display name. */
export interface MarketPost {
  readonly event_id: string;
  readonly lamport: number;
  readonly author: string;
  readonly author_name: string;
  readonly category: MarketCategory;
  readonly title: string;
  readonly body: string;
  readonly location: { readonly lat: number; readonly lng: number; readonly label?: string } | null;
  readonly tags: readonly string[];
  readonly created_at: string;
  readonly expires_at: string;
  readonly expired_via_event_id: string | null;
  readonly expiry_reason: 'author' | 'ttl' | null;
  /** Posted by this household (it may take it down). */
  readonly mine: boolean;
}

export interface MarketListInput {
  readonly category?: MarketCategory;
  readonly tags?: readonly string[];
  readonly limit?: number;
  readonly include_expired?: boolean;
  /** Only this household's own posts. */
  readonly mine?: boolean;
}

export interface MarketSearchInput {
  readonly query: string;
  readonly category?: MarketCategory;
  readonly limit?: number;
}

export interface MarketSearchHit {
  readonly post: MarketPost;
  readonly score: number;
}

export interface MarketExpired {
  readonly post_id: string;
  readonly expired_event_id: string;
  readonly already_expired: boolean;
}

/** `chat send`: the message is sealed in the log; `delivery` says whether it reached them yet. */
export interface ChatSent {
  readonly msg_id: string;
  readonly event_id: string;
  readonly delivery: string;
  /** What it means for the person: see DeliveryState. */
  readonly delivery_state: DeliveryState;
  readonly to: string;
  readonly to_name: string;
}

/** One opened message of this household's conversations. */
export interface ChatRow {
  readonly msg_id: string;
  readonly event_id: string;
  readonly lamport: number;
  readonly sender: string;
  readonly sender_name: string;
  readonly recipient: string;
  readonly recipient_name: string;
  /** `out` when this node sent it. */
  readonly direction: 'in' | 'out';
  readonly body: string;
  readonly created_at: string;
  readonly delivered_at: string | null;
  readonly read_at: string | null;
  /** For messages this household sent; null for incoming ones. */
  readonly delivery_state: DeliveryState | null;
}

/** `rag list`: one corpus on this node. */
export interface CorpusRow {
  readonly corpus: string;
  readonly documents: number;
  readonly chunks: number;
  readonly size_bytes: number;
  readonly language_majority: string | null;
  readonly embedding_model: string | null;
  readonly dim: number;
}

/** `models list`: one GGUF file in the models folder. */
export interface ModelRow {
  readonly name: string;
  readonly file: string;
  readonly path: string;
  readonly size_bytes: number;
  readonly sha256: string;
  readonly architecture: string | null;
  readonly context_length: number | null;
  readonly modified: string;
}
