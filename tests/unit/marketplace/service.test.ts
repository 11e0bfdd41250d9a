/** M06 MarketplaceService: market.* handlers, author rules, validation with nothing written, the sweeper, schemas. */
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  MarketError,
  MarketplaceService,
  MarketplaceView,
  type HandlerContext,
} from '../../../src-main/runtime/services/marketplace';
import { community, DAY, iso, NOW } from './helper';

const CONFIG = { enabled: true, default_ttl_seconds: 604_800, max_ttl_seconds: 2_592_000 };

function setup() {
  const c = community();
  let now = NOW;
  const view = new MarketplaceView({ now: () => now });
  const svc = new MarketplaceService({
    config: CONFIG,
    appendEvent: c.appender(c.alice),
    view,
    ourNodeId: c.alice.nodeIdFull,
    now: () => now,
  });
  const ctx = (body: unknown, caller = c.alice.nodeIdFull): HandlerContext => ({
    body,
    caller,
    traceId: 't',
    sessionId: null,
    signal: new AbortController().signal,
    params: {},
  });
  return { c, view, svc, ctx, setNow: (t: number) => (now = t) };
}

async function refused(p: Promise<unknown>, code: string, field?: string): Promise<MarketError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MarketError);
  const m = err as MarketError;
  expect(m.code).toBe(code);
  expect(m.wireCode).toBe(code);
  if (field !== undefined) expect(m.field).toBe(field);
  return m;
}

describe('market.post', () => {
  it('appends market.post.created with the default TTL and returns the post', async () => {
    const { c, svc, ctx } = setup();
    const res = (await svc.post(
      ctx({
        category: 'offer',
        title: '  Plums from our tree ',
        body: 'Come by.',
        tags: ['Food', 'food', 'fruit'],
        location: { lat: 52.52, lng: 13.4, label: 'Yard' },
      }),
    )) as { post: Record<string, unknown> };
    expect(c.written).toHaveLength(1);
    const e = c.written[0];
    expect(e.event_type).toBe('market.post.created');
    expect(e.data).toEqual({
      category: 'offer',
      title: 'Plums from our tree',
      body: 'Come by.',
      tags: ['food', 'fruit'],
      location: { lat: 52.52, lng: 13.4, label: 'Yard' },
      expires_at: iso(NOW + 604_800_000),
    });
    expect(res.post).toMatchObject({
      event_id: e.event_id,
      author: c.alice.nodeIdFull,
      title: 'Plums from our tree',
      expired_via_event_id: null,
    });
  });

  it('an explicit TTL is honoured; a TTL past the maximum is refused, never clamped', async () => {
    const { c, svc, ctx } = setup();
    await svc.post(ctx({ category: 'info', title: 'Street party', ttl_seconds: 3600 }));
    expect(c.written[0].data.expires_at).toBe(iso(NOW + 3_600_000));
    const err = await refused(
      svc.post(ctx({ category: 'info', title: 'Street party', ttl_seconds: 2_592_001 })),
      'bad_request',
      'ttl_seconds',
    );
    expect(err.message).toContain('2592000');
    expect(c.written).toHaveLength(1);
  });

  it.each([
    ['not an object', 'x', 'body'],
    ['unknown field', { category: 'offer', title: 'Okay title', ttl: 5 }, 'ttl'],
    ['bad category', { category: 'sale', title: 'Okay title' }, 'category'],
    ['missing title', { category: 'offer' }, 'title'],
    ['short title', { category: 'offer', title: ' ab ' }, 'title'],
    ['long title', { category: 'offer', title: 'x'.repeat(121) }, 'title'],
    ['long body', { category: 'offer', title: 'Okay title', body: 'x'.repeat(4001) }, 'body'],
    [
      'too many tags',
      { category: 'offer', title: 'Okay title', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
      'tags',
    ],
    ['bad tag chars', { category: 'offer', title: 'Okay title', tags: ['no spaces'] }, 'tags'],
    ['long tag', { category: 'offer', title: 'Okay title', tags: ['x'.repeat(33)] }, 'tags'],
    [
      'latitude out of range',
      { category: 'offer', title: 'Okay title', location: { lat: 91, lng: 0, label: '' } },
      'location',
    ],
    [
      'longitude not a number',
      { category: 'offer', title: 'Okay title', location: { lat: 0, lng: 'east', label: '' } },
      'location',
    ],
    ['fractional TTL', { category: 'offer', title: 'Okay title', ttl_seconds: 60.5 }, 'ttl_seconds'],
    ['TTL under a minute', { category: 'offer', title: 'Okay title', ttl_seconds: 10 }, 'ttl_seconds'],
  ])('refuses %s with bad_request naming the field, writing nothing', async (_name, body, field) => {
    const { c, svc, ctx, view } = setup();
    await refused(svc.post(ctx(body)), 'bad_request', field);
    expect(c.written).toEqual([]);
    expect(view.list({ includeExpired: true })).toEqual([]);
  });

  it('a remote caller may not post through our node', async () => {
    const { c, svc, ctx } = setup();
    await refused(svc.post(ctx({ category: 'offer', title: 'From afar' }, c.bob.nodeIdFull)), 'forbidden');
    expect(c.written).toEqual([]);
  });
});

describe('market.expire', () => {
  it('the author expires their post once; repeating writes nothing', async () => {
    const { c, svc, ctx, view } = setup();
    const { post } = (await svc.post(ctx({ category: 'offer', title: 'Old sofa' }))) as { post: { event_id: string } };
    const res = await svc.expire(ctx({ post_id: post.event_id }));
    expect(c.written.map((e) => e.event_type)).toEqual(['market.post.created', 'market.post.expired']);
    expect(c.written[1].data).toEqual({ post_id: post.event_id, reason: 'author' });
    expect(res).toEqual({ post_id: post.event_id, expired_event_id: c.written[1].event_id, already_expired: false });
    expect(view.list()).toEqual([]);
    expect(await svc.expire(ctx({ post_id: post.event_id }))).toMatchObject({
      already_expired: true,
      expired_event_id: c.written[1].event_id,
    });
    expect(c.written).toHaveLength(2);
  });

  it('refuses a non-author (forbidden) and an unknown post (not_found), writing nothing', async () => {
    const { c, svc, ctx, view } = setup();
    const bobsPost = c.created(c.bob, { title: "Bob's bike" });
    view.apply(bobsPost);
    const { post } = (await svc.post(ctx({ category: 'offer', title: 'Alice lamp' }))) as {
      post: { event_id: string };
    };
    const before = c.written.length;
    await refused(svc.expire(ctx({ post_id: post.event_id }, c.bob.nodeIdFull)), 'forbidden', 'post_id');
    await refused(svc.expire(ctx({ post_id: bobsPost.event_id })), 'forbidden', 'post_id');
    // Bob is the author but asks Alice's node: it could only sign as Alice, so it refuses.
    await refused(svc.expire(ctx({ post_id: bobsPost.event_id }, c.bob.nodeIdFull)), 'forbidden');
    await refused(svc.expire(ctx({ post_id: '01HZZZZZZZZZZZZZZZZZZZZZZZ' })), 'not_found', 'post_id');
    await refused(svc.expire(ctx({})), 'bad_request', 'post_id');
    expect(c.written).toHaveLength(before);
    expect(view.get(post.event_id)?.expired_via_event_id).toBeNull();
    expect(view.get(bobsPost.event_id)?.expired_via_event_id).toBeNull();
  });
});

describe('market.list / market.search', () => {
  it('list and search through the handlers, with input errors named', async () => {
    const { svc, ctx } = setup();
    await svc.post(ctx({ category: 'offer', title: 'Winter tyres', tags: ['car'] }));
    await svc.post(ctx({ category: 'emergency', title: 'Flooded cellar, need pump' }));
    const list = (await svc.list(ctx({}))) as { posts: { title: string }[]; max_lamport: number };
    expect(list.posts.map((p) => p.title)).toEqual(['Flooded cellar, need pump', 'Winter tyres']);
    expect(list.max_lamport).toBeGreaterThan(0);
    expect(((await svc.list(ctx({ tags: ['CAR'] }))) as { posts: unknown[] }).posts).toHaveLength(1);
    const found = (await svc.search(ctx({ query: 'pump?' }))) as {
      results: { post: { title: string }; score: number }[];
    };
    expect(found.results.map((r) => r.post.title)).toEqual(['Flooded cellar, need pump']);
    expect(((await svc.search(ctx({ query: '?!' }))) as { results: unknown[] }).results).toEqual([]);
    await refused(svc.search(ctx({ query: '' })), 'bad_request', 'query');
    await refused(svc.search(ctx({ query: 'x', limit: 0 })), 'bad_request', 'limit');
    await refused(svc.list(ctx({ category: 'sale' })), 'bad_request', 'category');
    await refused(svc.list(ctx({ include_expired: 'yes' })), 'bad_request', 'include_expired');
  });
});

describe('sweepExpired', () => {
  it("expires this node's own lapsed posts once, with reason ttl, and leaves other authors' posts to them", async () => {
    const { c, svc, ctx, view, setNow } = setup();
    const { post: mine } = (await svc.post(ctx({ category: 'offer', title: 'Short lived', ttl_seconds: 3600 }))) as {
      post: { event_id: string };
    };
    await svc.post(ctx({ category: 'offer', title: 'Long lived' }));
    const bobs = c.created(c.bob, { title: 'Bob lapsed', expires_at: iso(NOW + 60_000) });
    view.apply(bobs);
    expect(await svc.sweepExpired(NOW)).toBe(0);
    setNow(NOW + 2 * 3_600_000);
    const [a, b] = await Promise.all([svc.sweepExpired(), svc.sweepExpired()]);
    expect([a, b]).toEqual([1, 1]); // shared sweep, one event
    const expiries = c.written.filter((e) => e.event_type === 'market.post.expired');
    expect(expiries.map((e) => e.data)).toEqual([{ post_id: mine.event_id, reason: 'ttl' }]);
    expect(view.get(mine.event_id)?.expiry_reason).toBe('ttl');
    expect(view.get(bobs.event_id)?.expired_via_event_id).toBeNull();
    expect(view.list().map((p) => p.title)).toEqual(['Long lived']); // Bob's is expired on read
    expect(await svc.sweepExpired(NOW + 30 * DAY * 1000)).toBe(1);
    expect(await svc.sweepExpired(NOW + 30 * DAY * 1000)).toBe(0);
    await svc.stop();
  });

  it('sweeps past any listing limit (600 lapsed posts)', async () => {
    const { c, svc, view } = setup();
    for (let i = 0; i < 600; i++) view.apply(c.created(c.alice, { title: `Lapsed ${i}`, expires_at: iso(NOW - 1000) }));
    expect(await svc.sweepExpired()).toBe(600);
    expect(view.list({ includeExpired: true, limit: 500 }).every((p) => p.expiry_reason === 'ttl')).toBe(true);
  });

  it('start() runs the sweeper periodically', async () => {
    const { c, svc, ctx, setNow } = setup();
    await svc.post(ctx({ category: 'offer', title: 'Soon gone', ttl_seconds: 60 }));
    setNow(NOW + 61_000);
    svc.start(20);
    await expect
      .poll(() => c.written.filter((e) => e.event_type === 'market.post.expired').length, { timeout: 2_000 })
      .toBe(1);
    await svc.stop();
  });

  it('start()/stop() are idempotent', async () => {
    const { svc } = setup();
    svc.start(1_000);
    svc.start(1_000);
    expect(svc.health()).toEqual({
      ok: true,
      posts_active: 0,
      max_lamport: 0,
      skipped_events: 0,
      sweeper_running: true,
    });
    await svc.stop();
    expect(svc.health().sweeper_running).toBe(false);
    await svc.stop();
  });
});

describe('capabilities', () => {
  it('declares market.list/post/expire/search @1.0 for members with schemas that accept real traffic', async () => {
    const { svc, ctx } = setup();
    const caps = svc.capabilities();
    expect(caps.map((x) => `${x.descriptor.name}@${x.descriptor.version}`)).toEqual([
      'market.list@1.0',
      'market.post@1.0',
      'market.expire@1.0',
      'market.search@1.0',
    ]);
    expect(
      caps.every((x) => x.descriptor.trust_required === 'member' && Object.keys(x.descriptor.params).length === 0),
    ).toBe(true);
    expect(caps.find((x) => x.descriptor.name === 'market.post')!.descriptor.idempotent).toBe(false);
    const ajv = new Ajv({ strict: true });
    const by = Object.fromEntries(
      caps.map((x) => [
        x.descriptor.name,
        {
          req: ajv.compile(x.descriptor.request_schema),
          res: ajv.compile(x.descriptor.response_schema),
          handler: x.handler,
        },
      ]),
    );
    const call = async (name: string, body: unknown) => {
      const h = by[name];
      expect(h.req(body), JSON.stringify(h.req.errors)).toBe(true);
      const out = await h.handler(ctx(body));
      expect(h.res(out), JSON.stringify(h.res.errors)).toBe(true);
      return out;
    };
    const { post } = (await call('market.post', {
      category: 'request',
      title: 'Borrow a tent',
      tags: ['camping'],
      location: { lat: 1, lng: 2, label: 'Park' },
      ttl_seconds: 86_400,
    })) as { post: { event_id: string } };
    await call('market.list', {
      category: 'request',
      limit: 10,
      include_expired: false,
      since_lamport: 0,
      tags: ['camping'],
    });
    await call('market.search', { query: 'tent', limit: 5 });
    await call('market.expire', { post_id: post.event_id });
    await call('market.list', { include_expired: true });
    expect(by['market.post'].req({ category: 'request', title: 'x' })).toBe(false);
    expect(by['market.search'].req({ query: 'x', extra: 1 })).toBe(false);
  });
});
