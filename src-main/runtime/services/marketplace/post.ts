/** M06 §3.1 of ../shared/spec/hearthnet-reference.md: a marketplace post as the view holds it (wire field names), and its expiry rule. */
import type { Category, WallClock } from '../../../common';

export interface Location {
  readonly lat: number;
  readonly lng: number;
  readonly label: string;
}

/** A post, keyed by the `event_id` of its `market.post.created` event. */
export interface Post {
  readonly event_id: string;
  /** Lamport of the creating event (ordering: newest = highest). */
  readonly lamport: number;
  /** Full node id of the node that created it (the event's author). */
  readonly author: string;
  readonly category: Category;
  readonly title: string;
  readonly body: string;
  readonly location: Location | null;
  readonly tags: readonly string[];
  /** The creating event's wall_clock. */
  readonly created_at: WallClock;
  readonly expires_at: WallClock;
  readonly expired_via_event_id: string | null;
  readonly expiry_reason: string | null;
}

/** Expiry reasons carried by `market.post.expired`. */
export const EXPIRY_REASONS = ['author', 'ttl'] as const;
export type ExpiryReason = (typeof EXPIRY_REASONS)[number];

/** Expired by an event, or simply past `expires_at` (views treat that as expired on read). */
export function isExpired(post: Post, now: number | Date = Date.now()): boolean {
  if (post.expired_via_event_id !== null) return true;
  const t = typeof now === 'number' ? now : now.getTime();
  return Date.parse(post.expires_at) <= t;
}
