/** M06 §3.1 of ../shared/spec/hearthnet-reference.md: a marketplace post as the view holds it (wire field names), and its expiry rule. */
import { CATEGORIES, isOneOf, type Category, type WallClock } from '../../../common';

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

const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Wall clock check for data that arrives from peers. */
export function isWall(v: unknown): v is WallClock {
  return typeof v === 'string' && WALL.test(v) && !Number.isNaN(Date.parse(v));
}

/** A Location from untrusted data, or null when absent; undefined when malformed. */
export function readLocation(v: unknown): Location | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const { lat, lng } = o;
  const label = o.label ?? '';
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) return undefined;
  if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180) return undefined;
  if (typeof label !== 'string') return undefined;
  return { lat, lng, label };
}

export function isCategory(v: unknown): v is Category {
  return isOneOf(CATEGORIES, v);
}
