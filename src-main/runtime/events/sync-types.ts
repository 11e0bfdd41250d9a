/** X02 §3.6 of ../shared/spec/hearthnet-reference.md wire shapes of sync: `GET /sync/v1/heads` and `POST /sync/v1/events` bodies and replies. */
import type { CommunityId, EventType } from '../../common';
import type { AuthorSummary } from './author-summary';
import type { Event } from './types';

/** Version of the reconciliation protocol below (in HeadsReport.sync_version). */
export const SYNC_PROTOCOL_VERSION = 1;
/** Events per `POST /sync/v1/events` request, both directions; also the server's limit. */
export const SYNC_BATCH_EVENTS = 500;
/** Lamport buckets per author that reconciliation aims for when narrowing a difference down. */
export const SYNC_TARGET_BUCKETS = 64;

/** `GET /sync/v1/heads`: the reference fields plus the exact per-author fingerprint. */
export interface HeadsReport {
  readonly sync_version: number;
  readonly community_id: CommunityId;
  readonly heads_by_type: Partial<Record<EventType, number>>;
  readonly head: number;
  readonly count: number;
  /** Keyed by full author node id. */
  readonly authors: Record<string, AuthorSummary>;
  /** Set digest of the whole log (sum of the authors' digests); absent from servers before it existed. */
  readonly digest?: string;
}

/** One Lamport bucket of one author: events with floor(lamport / width) = bucket index. */
export interface BucketSummary {
  readonly count: number;
  readonly digest: string;
}

/** What a client asks the server for, in the same request that may carry events. */
export interface SyncWant {
  /** Per-author bucket summaries at this bucket width. */
  readonly buckets?: { readonly width: number; readonly authors: readonly string[] };
  /** (event_id, lamport) of every event in these buckets of these authors. */
  readonly ids?: { readonly width: number; readonly authors: Readonly<Record<string, readonly number[]>> };
  /** Full signed events (at most SYNC_BATCH_EVENTS ids). */
  readonly event_ids?: readonly string[];
  /**
   * The client's whole-log digest: the server answers `in_sync: true` when its own is equal, else
   * its full HeadsReport in `heads`. One small request when nothing differs.
   */
  readonly heads_unless?: string;
}

/** `POST /sync/v1/events` body. */
export interface SyncEventsBody {
  readonly events?: readonly Event[];
  readonly want?: SyncWant;
}

/** `POST /sync/v1/events` reply: the outcome of `events`, then whatever `want` asked for. */
export interface SyncEventsReply {
  readonly accepted: number;
  readonly duplicates: number;
  /** Why the peer refused each event: an EventLogErrorCode (a newer peer may send codes this one does not know). */
  readonly rejected: ReadonlyArray<{ readonly event_id: string; readonly code: string }>;
  /** author -> bucket index (decimal string) -> summary; empty buckets are omitted. */
  readonly buckets?: Record<string, Record<string, BucketSummary>>;
  /** author -> [event_id, lamport][] */
  readonly ids?: Record<string, Array<[string, number]>>;
  /** Requested events, in (lamport, event_id) order. */
  readonly events?: Event[];
  /** Answer to `want.heads_unless`: both logs hold the same set. */
  readonly in_sync?: boolean;
  /** Answer to `want.heads_unless` when the sets differ. */
  readonly heads?: HeadsReport;
}

/** Provided by the transport (HTTP later, in-memory in tests). Failures reject with a HearthError. */
export interface SyncChannel {
  heads(): Promise<HeadsReport>;
  events(body: SyncEventsBody): Promise<SyncEventsReply>;
}

/** Outcome of one `syncWith`. */
export interface SyncResult {
  /** Events the peer accepted from us. */
  readonly sent_count: number;
  /** Events we accepted from the peer. */
  readonly received_count: number;
  readonly duration_ms: number;
  /** Events the peer refused, with its reason. */
  readonly rejected_sent: ReadonlyArray<{ event_id: string; code: string }>;
  /** Events from the peer that this log refused. */
  readonly rejected_received: ReadonlyArray<{ event_id: string; code: string; message: string }>;
}
