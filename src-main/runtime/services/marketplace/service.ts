/**
 * M06 §3.3 of ../shared/spec/hearthnet-reference.md: the marketplace capabilities (market.post / list / search / expire @1.0) as plain
 * bus handlers, and the TTL sweeper. Posts are authored by the node that appends them: only this
 * node itself (its CLI or UI) may call its own market.post and market.expire.
 */
import type { Logger } from '../../observability/logger';
import { getLogger } from '../../observability/logging';
import { promiseTry, RPC_DEFAULT_TIMEOUT_SECONDS, toWallClock, type Category, type EventType } from '../../../common';
import type { Event } from '../../events/types';
import type { MarketConfig } from '../../config';
import { compileSchema, parseWith } from '../../schema';
import type { Service } from '../base';
import { MarketError } from './errors';
import { isExpired, type Post } from './post';
import * as S from './schemas';
import { badRequest, validatePostInput } from './validate';
import type { MarketplaceView } from './views';

/** What the bus passes a local handler. */
export interface HandlerContext {
  readonly body: unknown;
  /** Full node id of the caller (this node's own id for its CLI/UI). */
  readonly caller: string;
  readonly traceId: string;
  readonly sessionId: string | null;
  readonly signal: AbortSignal;
  readonly params: Readonly<Record<string, unknown>>;
}

export type Handler = (ctx: HandlerContext) => Promise<unknown>;

/** A capability descriptor (bus shape, snake_case) plus its handler. */
export interface MarketCapability {
  readonly descriptor: {
    readonly name: string;
    readonly version: string;
    readonly stability: 'beta';
    readonly request_schema: Record<string, unknown>;
    readonly response_schema: Record<string, unknown>;
    readonly stream_schema: null;
    readonly params: Record<string, never>;
    readonly max_concurrent: number;
    readonly trust_required: 'member';
    readonly timeout_seconds: number;
    readonly idempotent: boolean;
  };
  readonly handler: Handler;
}

export interface MarketplaceServiceOptions {
  readonly config: MarketConfig;
  /** Appends a signed local event (the node binds eventLog.appendLocal to its key). */
  readonly appendEvent: (type: EventType, data: Record<string, unknown>) => Event | Promise<Event>;
  readonly view: MarketplaceView;
  /** Full node id of this node: the author of everything it appends. */
  readonly ourNodeId: string;
  /** Epoch ms. */
  readonly now?: () => number;
  /** Where a failed background sweep is reported (the components' logger); default: the process-wide logger. */
  readonly log?: Logger;
}

/** How often `start()` runs the TTL sweeper. */
export const MARKET_SWEEP_INTERVAL_MS = 60_000;

/** Concurrent calls one node serves per market capability. */
export const MARKET_MAX_CONCURRENT = 32;

interface ListBody {
  category?: Category;
  tags?: string[];
  since_lamport?: number;
  limit?: number;
  include_expired?: boolean;
}
/** The capability schemas of `schemas.ts` (what the bus checks too), for handlers called directly. */
const checkList = compileSchema<ListBody>(S.LIST_REQUEST_SCHEMA);
const checkSearch = compileSchema<Omit<ListBody, 'tags' | 'since_lamport'> & { query: string }>(
  S.SEARCH_REQUEST_SCHEMA,
);
const checkExpire = compileSchema<{ post_id: string }>(S.EXPIRE_REQUEST_SCHEMA);

export class MarketplaceService implements Service {
  readonly name = 'marketplace';
  readonly version = '1.0';
  private readonly now: () => number;
  private sweeping: Promise<number> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly opts: MarketplaceServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** One post by its id (the creating event's id), or null: for the app's live updates. */
  postById(id: string): Post | null {
    return this.opts.view.get(id);
  }

  /** Run `sweepExpired` every `intervalMs` (unref'd timer). Idempotent. */
  start(intervalMs: number = MARKET_SWEEP_INTERVAL_MS): void {
    if (this.timer !== null) return;
    const log = this.opts.log ?? getLogger('marketplace');
    const report = (err: unknown) => log.warn('marketplace sweep failed', { error: String(err) });
    this.timer = setInterval(() => void this.sweepExpired().catch(report), intervalMs);
    this.timer.unref();
  }

  /** Stop the sweeper and wait for a sweep in progress. Idempotent. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping?.catch(() => undefined);
  }

  /** For `hearthnet status` / doctor: counts from the view and whether the sweeper runs. */
  health(): { ok: true; posts_active: number; max_lamport: number; skipped_events: number; sweeper_running: boolean } {
    const v = this.opts.view;
    return {
      ok: true,
      posts_active: v.allActive(this.now()).length,
      max_lamport: v.maxLamport(),
      skipped_events: v.skipped,
      sweeper_running: this.timer !== null,
    };
  }

  /** `market.post`: validate, append market.post.created, return the post as the view now holds it. */
  readonly post: Handler = async (ctx) => {
    this.requireSelf(ctx.caller, 'post');
    const input = validatePostInput(ctx.body, {
      defaultTtl: this.opts.config.default_ttl_seconds,
      maxTtl: this.opts.config.max_ttl_seconds,
    });
    const expires_at = toWallClock(new Date(this.now() + input.ttl_seconds * 1000));
    const data = {
      category: input.category,
      title: input.title,
      body: input.body,
      tags: [...input.tags],
      location: input.location,
      expires_at,
    };
    const event = await this.opts.appendEvent('market.post.created', data);
    // Apply now for read-your-writes; the log's fan-out applying it again is a no-op.
    this.opts.view.apply(event);
    return { post: this.opts.view.get(event.event_id) };
  };

  /** `market.list`: active posts (or all), emergency first, then newest. */
  readonly list: Handler = (ctx) => promiseTry(() => this.listNow(ctx));

  private listNow(ctx: HandlerContext): unknown {
    const o = parseWith(checkList, ctx.body ?? {}, badRequest);
    const posts = this.opts.view.list({
      category: o.category,
      tags: o.tags?.map((t) => t.trim().toLowerCase()),
      sinceLamport: o.since_lamport,
      limit: o.limit,
      includeExpired: o.include_expired,
      now: this.now(),
    });
    return { posts, max_lamport: this.opts.view.maxLamport() };
  }

  /** `market.search`: ranked full-text search; punctuation-only queries return no results. */
  readonly search: Handler = (ctx) => promiseTry(() => this.searchNow(ctx));

  private searchNow(ctx: HandlerContext): unknown {
    const o = parseWith(checkSearch, ctx.body ?? null, badRequest);
    const hits = this.opts.view.search(o.query, {
      category: o.category,
      limit: o.limit,
      includeExpired: o.include_expired,
      now: this.now(),
    });
    return { results: hits.map((h) => ({ post: h.post, score: Math.round(h.score * 1e6) / 1e6 })) };
  }

  /** `market.expire`: the author withdraws a post. Anyone else is refused and nothing is written. */
  readonly expire: Handler = async (ctx) => {
    const o = parseWith(checkExpire, ctx.body ?? null, badRequest);
    const post = this.opts.view.get(o.post_id);
    if (post === null)
      throw new MarketError('not_found', `no post ${o.post_id} in this community's marketplace`, { field: 'post_id' });
    if (ctx.caller !== post.author)
      throw new MarketError('forbidden', 'only the person who posted this can take it down', { field: 'post_id' });
    this.requireSelf(ctx.caller, 'expire');
    if (post.expired_via_event_id !== null)
      return { post_id: post.event_id, expired_event_id: post.expired_via_event_id, already_expired: true };
    const event = await this.appendExpired(post, 'author');
    return { post_id: post.event_id, expired_event_id: event.event_id, already_expired: false };
  };

  /**
   * Append `market.post.expired {reason: 'ttl'}` for this node's own posts past expires_at.
   * Only the author's node sweeps a post, so expiry events are never duplicated across nodes.
   * Returns how many were expired; concurrent calls share one sweep.
   */
  sweepExpired(now: number = this.now()): Promise<number> {
    if (this.sweeping) return this.sweeping;
    const run = this.sweepOnce(now).finally(() => {
      if (this.sweeping === run) this.sweeping = null;
    });
    this.sweeping = run;
    return run;
  }

  private async sweepOnce(now: number): Promise<number> {
    await Promise.resolve(); // always asynchronous, so concurrent callers share this run
    let n = 0;
    for (const p of this.opts.view.postsBy(this.opts.ourNodeId)) {
      if (p.expired_via_event_id !== null || !isExpired(p, now)) continue;
      await this.appendExpired(p, 'ttl');
      n += 1;
    }
    return n;
  }

  /** The four capabilities with descriptors (trust: member, params: {}) and handlers. */
  capabilities(): MarketCapability[] {
    const d = (
      name: string,
      request_schema: Record<string, unknown>,
      response_schema: Record<string, unknown>,
      idempotent: boolean,
      handler: Handler,
    ): MarketCapability => ({
      descriptor: {
        name,
        version: '1.0',
        stability: 'beta',
        request_schema,
        response_schema,
        stream_schema: null,
        params: {},
        max_concurrent: MARKET_MAX_CONCURRENT,
        trust_required: 'member',
        timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
        idempotent,
      },
      handler,
    });
    return [
      d('market.list', S.LIST_REQUEST_SCHEMA, S.LIST_RESPONSE_SCHEMA, true, this.list),
      d('market.post', S.POST_REQUEST_SCHEMA, S.POST_RESPONSE_SCHEMA, false, this.post),
      d('market.expire', S.EXPIRE_REQUEST_SCHEMA, S.EXPIRE_RESPONSE_SCHEMA, true, this.expire),
      d('market.search', S.SEARCH_REQUEST_SCHEMA, S.SEARCH_RESPONSE_SCHEMA, true, this.search),
    ];
  }

  private async appendExpired(post: Post, reason: 'author' | 'ttl'): Promise<Event> {
    const event = await this.opts.appendEvent('market.post.expired', { post_id: post.event_id, reason });
    this.opts.view.apply(event);
    return event;
  }

  private requireSelf(caller: string, what: string): void {
    if (caller !== this.opts.ourNodeId) {
      throw new MarketError(
        'forbidden',
        `market.${what} is only accepted from this node's own app; ${what === 'post' ? 'post' : 'withdraw it'} from your own HearthNet app instead`,
        { details: { caller } },
      );
    }
  }
}
