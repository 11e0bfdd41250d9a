/**
 * M06 §3.2 of ../shared/spec/hearthnet-reference.md: the marketplace read model, rebuilt from market.post.* events. Order-independent:
 * edits are last-writer-wins by (lamport, event_id), the first expiry wins, and events about a
 * post not seen yet wait until its creation arrives. Only a post's author may edit or expire it.
 */
import type { Category } from '../../../common';
import { MarketError } from './errors';
import { isTypedEvent, type Event, type MaterialisedView, type TypedEvent } from '../../events';
import { isExpired, type Post } from './post';
import { TextIndex } from './text-search';
import { readCreatedData, readUpdatedData } from './validate';

export const MARKET_EVENT_TYPES = ['market.post.created', 'market.post.updated', 'market.post.expired'] as const;
export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 500;
export const SEARCH_DEFAULT_LIMIT = 20;
/** Events waiting for their post's creation; past this the oldest are dropped. */
export const MAX_PENDING_EVENTS = 10_000;
const SNAPSHOT_VERSION = 1;

export interface ListQuery {
  readonly category?: Category;
  /** Posts carrying every one of these tags. */
  readonly tags?: readonly string[];
  /** Only posts created, edited or expired after this Lamport (for polling). */
  readonly sinceLamport?: number;
  readonly limit?: number;
  readonly includeExpired?: boolean;
  /** Epoch ms for the expiry check; default the view's clock. */
  readonly now?: number;
}

export interface SearchQuery {
  readonly limit?: number;
  readonly category?: Category;
  readonly includeExpired?: boolean;
  readonly now?: number;
}

export interface SearchHit {
  readonly post: Post;
  readonly score: number;
}

type Mark = readonly [lamport: number, eventId: string];
interface Meta {
  edit: Mark;
  expiry: Mark | null;
  changed: number;
}

/** Tie-break rank for search: emergency above all, then higher Lamport. */
const rankOf = (p: Post) => (p.category === 'emergency' ? 2 ** 46 : 0) + p.lamport;
const after = (a: Mark, b: Mark) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
const markOf = (e: Event): Mark => [e.lamport, e.event_id];
/** The post a stashed (not yet checked) event is about, read back from a snapshot. */
const stashedPostId = (e: Event) => (typeof e.data.post_id === 'string' ? e.data.post_id : null);

/** Emergency first, then newest (highest Lamport, then event id). */
export function comparePosts(a: Post, b: Post): number {
  const ea = a.category === 'emergency' ? 0 : 1;
  const eb = b.category === 'emergency' ? 0 : 1;
  if (ea !== eb) return ea - eb;
  if (a.lamport !== b.lamport) return b.lamport - a.lamport;
  return a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0;
}

export class MarketplaceView implements MaterialisedView {
  private posts = new Map<string, Post>();
  private meta = new Map<string, Meta>();
  private pending = new Map<string, Event[]>();
  private pendingCount = 0;
  private readonly index = new TextIndex();
  private head = 0;
  private skippedCount = 0;
  private readonly clock: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.clock = opts.now ?? Date.now;
  }

  reset(): void {
    this.posts.clear();
    this.meta.clear();
    this.pending.clear();
    this.pendingCount = 0;
    this.index.clear();
    this.head = 0;
    this.skippedCount = 0;
  }

  /** Events refused as malformed or not by the post's author (counted, never thrown). */
  get skipped(): number {
    return this.skippedCount;
  }

  /** Idempotent: applying the same event twice changes nothing. Other event types are ignored. */
  apply(event: Event): void {
    if (!(MARKET_EVENT_TYPES as readonly string[]).includes(event.event_type)) return;
    this.head = Math.max(this.head, event.lamport);
    if (!isTypedEvent(event, MARKET_EVENT_TYPES)) {
      this.skippedCount += 1;
      return;
    }
    if (event.event_type === 'market.post.created') {
      this.applyCreated(event);
      return;
    }
    const id = event.data.post_id;
    if (!this.posts.has(id)) {
      this.stash(id, event);
      return;
    }
    if (event.event_type === 'market.post.updated') this.applyUpdated(id, event);
    else this.applyExpired(id, event);
  }

  private applyCreated(e: TypedEvent<'market.post.created'>): void {
    if (this.posts.has(e.event_id)) return;
    const d = readCreatedData(e.data);
    if (d === null) return void (this.skippedCount += 1);
    const post: Post = {
      event_id: e.event_id,
      lamport: e.lamport,
      author: e.author,
      ...d,
      created_at: e.wall_clock,
      expired_via_event_id: null,
      expiry_reason: null,
    };
    this.posts.set(post.event_id, post);
    this.meta.set(post.event_id, { edit: markOf(e), expiry: null, changed: e.lamport });
    this.index.set(post.event_id, post, rankOf(post));
    const waiting = this.pending.get(post.event_id);
    if (waiting) {
      this.pending.delete(post.event_id);
      this.pendingCount -= waiting.length;
      for (const w of waiting) this.apply(w);
    }
  }

  /** A post and its bookkeeping; apply() routes here only for a post it holds (both maps change together). */
  private held(id: string): { post: Post; meta: Meta } {
    const post = this.posts.get(id);
    const meta = this.meta.get(id);
    if (!post || !meta) throw new Error(`market post ${id} is not held`);
    return { post, meta };
  }

  private applyUpdated(id: string, e: TypedEvent<'market.post.updated'>): void {
    const { post, meta } = this.held(id);
    const patch = readUpdatedData(e.data);
    if (e.author !== post.author || patch === null) return void (this.skippedCount += 1);
    if (!after(markOf(e), meta.edit)) return;
    const next: Post = { ...post, ...patch };
    this.posts.set(id, next);
    meta.edit = markOf(e);
    meta.changed = Math.max(meta.changed, e.lamport);
    if (
      patch.title !== undefined ||
      patch.body !== undefined ||
      patch.tags !== undefined ||
      patch.category !== undefined
    )
      this.index.set(id, next, rankOf(next));
  }

  private applyExpired(id: string, e: TypedEvent<'market.post.expired'>): void {
    const { post, meta } = this.held(id);
    const reason = e.data.reason;
    if (e.author !== post.author || (reason !== 'author' && reason !== 'ttl')) return void (this.skippedCount += 1);
    // The earliest expiry wins, so every replica agrees whatever order events arrived in.
    if (meta.expiry !== null && !after(meta.expiry, markOf(e))) return;
    this.posts.set(id, { ...post, expired_via_event_id: e.event_id, expiry_reason: reason });
    meta.expiry = markOf(e);
    meta.changed = Math.max(meta.changed, e.lamport);
  }

  private stash(id: string, e: Event): void {
    const list = this.pending.get(id) ?? [];
    if (list.some((x) => x.event_id === e.event_id)) return;
    list.push(e);
    this.pending.set(id, list);
    this.pendingCount += 1;
    if (this.pendingCount > MAX_PENDING_EVENTS) {
      const [oldest, evs] = this.pending.entries().next().value as [string, Event[]];
      this.pending.delete(oldest);
      this.pendingCount -= evs.length;
      this.skippedCount += evs.length;
    }
  }

  get(id: string): Post | null {
    return this.posts.get(id) ?? null;
  }

  /** Every post by `author` (full node id), expired ones included, in no particular order. */
  postsBy(author: string): Post[] {
    return [...this.posts.values()].filter((p) => p.author === author);
  }

  /** Highest Lamport of any market event applied. */
  maxLamport(): number {
    return this.head;
  }

  /** Posts not expired at `now` (epoch ms or Date), emergency first then newest. */
  allActive(now: number | Date = this.clock()): Post[] {
    return [...this.posts.values()].filter((p) => !isExpired(p, now)).sort(comparePosts);
  }

  list(q: ListQuery = {}): Post[] {
    const now = q.now ?? this.clock();
    const since = q.sinceLamport ?? 0;
    const limit = Math.max(0, Math.min(q.limit ?? LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT));
    const out: Post[] = [];
    for (const p of this.posts.values()) {
      if (q.category !== undefined && p.category !== q.category) continue;
      if (since > 0 && (this.meta.get(p.event_id)?.changed ?? 0) <= since) continue;
      if (!q.includeExpired && isExpired(p, now)) continue;
      if (q.tags && !q.tags.every((t) => p.tags.includes(t))) continue;
      out.push(p);
    }
    return out.sort(comparePosts).slice(0, limit);
  }

  /** Ranked full-text search over title, tags and body; punctuation-only queries find nothing. */
  search(query: string, q: SearchQuery = {}): SearchHit[] {
    const now = q.now ?? this.clock();
    const limit = Math.max(0, Math.min(q.limit ?? SEARCH_DEFAULT_LIMIT, LIST_MAX_LIMIT));
    const accept = (id: string) => {
      const p = this.posts.get(id);
      return (
        p !== undefined &&
        (q.category === undefined || p.category === q.category) &&
        (q.includeExpired === true || !isExpired(p, now))
      );
    };
    const hits = this.index.search(query, { limit, accept }).flatMap((h) => {
      const post = this.posts.get(h.id); // the index and the posts change together
      return post ? [{ post, score: h.score }] : [];
    });
    // The index orders by score then rank; this settles exact ties by event id as well.
    return hits.sort((a, b) => b.score - a.score || comparePosts(a.post, b.post));
  }

  snapshotState(): Record<string, unknown> {
    const meta: Record<string, unknown> = {};
    for (const [id, m] of this.meta) meta[id] = { edit: m.edit, expiry: m.expiry, changed: m.changed };
    return {
      version: SNAPSHOT_VERSION,
      max_lamport: this.head,
      skipped: this.skippedCount,
      posts: [...this.posts.values()],
      meta,
      pending: [...this.pending.values()].flat(),
    };
  }

  restoreState(state: Record<string, unknown>): void {
    if (state.version !== SNAPSHOT_VERSION || !Array.isArray(state.posts)) {
      // The caller (snapshot restore) falls back to replaying the log.
      throw new MarketError(
        'bad_request',
        `marketplace snapshot version ${String(state.version)} is not supported (expected ${SNAPSHOT_VERSION}); rebuild from the event log`,
      );
    }
    this.reset();
    const meta = (state.meta ?? {}) as Record<string, Meta>;
    for (const p of state.posts as Post[]) {
      this.posts.set(p.event_id, p);
      this.meta.set(
        p.event_id,
        meta[p.event_id] ?? { edit: [p.lamport, p.event_id], expiry: null, changed: p.lamport },
      );
      this.index.set(p.event_id, p, rankOf(p));
    }
    for (const e of (state.pending ?? []) as Event[]) this.stash(stashedPostId(e) ?? '', e);
    this.head = typeof state.max_lamport === 'number' ? state.max_lamport : 0;
    this.skippedCount = typeof state.skipped === 'number' ? state.skipped : 0;
  }
}
