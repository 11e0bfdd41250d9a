/** M06 MarketplaceView: apply rules, listing order and filters, search ranking, snapshots. */
import { describe, expect, it } from 'vitest';
import { MarketError, MarketplaceView, tokenize } from '../../../src-main/runtime/services/marketplace';
import { community, DAY, iso, NOW } from './helper';

const view = () => new MarketplaceView({ now: () => NOW });

describe('MarketplaceView.apply', () => {
  it('builds a post from market.post.created, idempotently, ignoring other event types', () => {
    const c = community();
    const v = view();
    const e = c.created(c.alice, { tags: ['tools', 'garden'], location: { lat: 52.5, lng: 13.4, label: 'Kiez' } });
    v.apply(e);
    v.apply(e);
    v.apply(c.make(c.alice, 'chat.message.sent', { body: 'hi' }));
    expect(v.get(e.event_id)).toEqual({
      event_id: e.event_id,
      lamport: e.lamport,
      author: c.alice.nodeIdFull,
      category: 'offer',
      title: 'Spare ladder',
      body: 'A 3 m ladder to lend.',
      location: { lat: 52.5, lng: 13.4, label: 'Kiez' },
      tags: ['tools', 'garden'],
      created_at: e.wall_clock,
      expires_at: e.data.expires_at,
      expired_via_event_id: null,
      expiry_reason: null,
    });
    expect(v.list()).toHaveLength(1);
    expect(v.maxLamport()).toBe(e.lamport);
  });

  it('skips malformed peer data without throwing', () => {
    const c = community();
    const v = view();
    for (const bad of [
      { title: 'x' },
      { category: 'spam' },
      { expires_at: 'tomorrow' },
      { tags: ['Not OK!'] },
      { location: { lat: 91, lng: 0 } },
      { body: 'x'.repeat(4001) },
    ]) {
      v.apply(c.created(c.alice, bad));
    }
    v.apply(c.make(c.alice, 'market.post.expired', { reason: 'ttl' }));
    expect(v.list({ includeExpired: true })).toEqual([]);
    expect(v.skipped).toBe(7);
  });

  it('applies edits from the author only, last writer (by Lamport) wins whatever the arrival order', () => {
    const c = community();
    const v = view();
    const p = c.created(c.alice);
    const u1 = c.make(c.alice, 'market.post.updated', { post_id: p.event_id, title: 'Ladder (2 m)' });
    const u2 = c.make(c.alice, 'market.post.updated', {
      post_id: p.event_id,
      title: 'Ladder gone soon',
      tags: ['ladder'],
    });
    const forged = c.make(c.bob, 'market.post.updated', { post_id: p.event_id, title: 'Hijacked' });
    v.apply(p);
    v.apply(u2);
    v.apply(u1);
    v.apply(forged);
    expect(v.get(p.event_id)?.title).toBe('Ladder gone soon');
    expect(v.get(p.event_id)?.tags).toEqual(['ladder']);
    expect(v.skipped).toBe(1);
    expect(v.search('ladder').map((h) => h.post.event_id)).toEqual([p.event_id]);
    expect(v.search('hijacked')).toEqual([]);
  });

  it('expiry: author only, earliest wins, and events before their post wait for it', () => {
    const c = community();
    const v = view();
    const p = c.created(c.alice);
    const byBob = c.make(c.bob, 'market.post.expired', { post_id: p.event_id, reason: 'author' });
    const first = c.make(c.alice, 'market.post.expired', { post_id: p.event_id, reason: 'author' });
    const second = c.make(c.alice, 'market.post.expired', { post_id: p.event_id, reason: 'ttl' });
    v.apply(second);
    v.apply(byBob);
    expect(v.get(p.event_id)).toBeNull();
    v.apply(p);
    v.apply(first);
    expect(v.get(p.event_id)).toMatchObject({ expired_via_event_id: first.event_id, expiry_reason: 'author' });
    expect(v.skipped).toBe(1);
    expect(v.list()).toEqual([]);
    expect(v.list({ includeExpired: true })).toHaveLength(1);
  });
});

describe('MarketplaceView.list', () => {
  it('emergency first, then newest; filters by category, tags, sinceLamport, limit; past expires_at is expired on read', () => {
    const c = community();
    const v = view();
    const old = c.created(c.alice, { title: 'Old offer' });
    const emergency = c.created(c.bob, { category: 'emergency', title: 'Need insulin', tags: ['medical'] });
    const req = c.created(c.bob, { category: 'request', title: 'Need a drill', tags: ['tools', 'drill'] });
    const lapsed = c.created(c.alice, { title: 'Lapsed offer', expires_at: iso(NOW - 1000) });
    [old, emergency, req, lapsed].forEach((e) => v.apply(e));
    const ids = (ps: { event_id: string }[]) => ps.map((p) => p.event_id);
    expect(ids(v.list())).toEqual([emergency.event_id, req.event_id, old.event_id]);
    expect(ids(v.list({ category: 'request' }))).toEqual([req.event_id]);
    expect(ids(v.list({ tags: ['tools'] }))).toEqual([req.event_id, old.event_id]);
    expect(ids(v.list({ tags: ['tools', 'drill'] }))).toEqual([req.event_id]);
    expect(ids(v.list({ sinceLamport: emergency.lamport }))).toEqual([req.event_id]);
    expect(ids(v.list({ limit: 1 }))).toEqual([emergency.event_id]);
    expect(ids(v.list({ includeExpired: true }))).toContain(lapsed.event_id);
    expect(ids(v.allActive(NOW))).toEqual([emergency.event_id, req.event_id, old.event_id]);
    expect(ids(v.allActive(NOW + 8 * DAY * 1000))).toEqual([]);
    // An expiry counts as a change for since_lamport polling.
    const exp = c.make(c.alice, 'market.post.expired', { post_id: old.event_id, reason: 'author' });
    v.apply(exp);
    expect(ids(v.list({ sinceLamport: lapsed.lamport, includeExpired: true }))).toEqual([old.event_id]);
  });
});

describe('MarketplaceView.search', () => {
  function seeded() {
    const c = community();
    const v = view();
    const add = (over: Record<string, unknown>) => {
      const e = c.created(c.alice, over);
      v.apply(e);
      return e.event_id;
    };
    return { c, v, add };
  }

  it('ranks a title match over a body-only match and a tag match over a body match', () => {
    const { v, add } = seeded();
    const inBody = add({ title: 'Garden tools', body: 'Also have a bicycle pump and some rope.', tags: [] });
    const inTitle = add({ title: 'Bicycle for kids', body: 'Blue, 20 inch wheels.', tags: [] });
    const inTag = add({ title: 'Old pump', body: 'Works fine.', tags: ['bicycle'] });
    add({ title: 'Soup kitchen', body: 'Hot soup tonight.', tags: ['food'] });
    const hits = v.search('bicycle');
    expect(hits.map((h) => h.post.event_id)).toEqual([inTitle, inTag, inBody]);
    expect(hits[0].score).toBeGreaterThan(hits[2].score);
  });

  it('more matched terms rank higher; accents and plurals fold; category and expiry filter', () => {
    const { v, add } = seeded();
    const both = add({ title: 'Café open for soup', tags: ['food'] });
    const one = add({ title: 'Soup recipes shared', tags: [] });
    const info = add({ category: 'info', title: 'Cafe closed Sunday', tags: [] });
    add({ title: 'Lapsed soups offer', expires_at: iso(NOW - 1) });
    expect(
      v
        .search('cafe soup')
        .map((h) => h.post.event_id)
        .slice(0, 1),
    ).toEqual([both]);
    expect(
      v
        .search('soups')
        .map((h) => h.post.event_id)
        .sort(),
    ).toEqual([both, one].sort());
    expect(v.search('CAFÉ', { category: 'info' }).map((h) => h.post.event_id)).toEqual([info]);
    expect(v.search('soup', { includeExpired: true })).toHaveLength(3);
    expect(v.search('soup', { limit: 1 })).toHaveLength(1);
  });

  it('the last query word also finds the longer words it begins, including ones added after a search', () => {
    const { v, add } = seeded();
    const ids = (q: string) =>
      v
        .search(q)
        .map((h) => h.post.event_id)
        .sort();
    const lad = add({ title: 'Lad needs a lift', body: '', tags: [] });
    expect(ids('lad')).toEqual([lad]);
    const ladder = add({ title: 'Ladder to lend', body: '', tags: [] });
    expect(ids('lad')).toEqual([lad, ladder].sort());
    expect(ids('ladd')).toEqual([ladder]);
    expect(ids('ladd lift')).toEqual([lad]); // only the last word is a prefix
  });

  it('emergency comes first among equal scores', () => {
    const { v, add } = seeded();
    const offer = add({ title: 'Water available', body: '', tags: [] });
    const sos = add({ category: 'emergency', title: 'Water available', body: '', tags: [] });
    const later = add({ title: 'Water available', body: '', tags: [] });
    expect(v.search('water').map((h) => h.post.event_id)).toEqual([sos, later, offer]);
  });

  it('never throws on punctuation or odd input', () => {
    const { v, add } = seeded();
    const id = add({ title: 'C++ & Rust help (free!)', body: 'regex: a.*b? [yes] {no} "quoted" \\ back' });
    for (const q of [
      '!!!',
      '(',
      ')*',
      '"',
      '\\',
      '.*',
      '[a-',
      '{}',
      '🙂',
      '   ',
      'a'.repeat(500),
      '%s %d',
      "'; DROP TABLE posts; --",
    ]) {
      expect(() => v.search(q)).not.toThrow();
    }
    expect(v.search('!!!')).toEqual([]);
    expect(v.search('(rust)!').map((h) => h.post.event_id)).toEqual([id]);
    expect(v.search('"quoted"').map((h) => h.post.event_id)).toEqual([id]);
  });

  it('tokenize lower-cases, strips accents and splits on punctuation', () => {
    expect(tokenize('Héllo, WORLD! bike-repair boxes')).toEqual(['hello', 'world', 'bike', 'repair', 'box']);
  });
});

describe('MarketplaceView snapshots', () => {
  it('round-trips through JSON: same posts, same search, same pending events', () => {
    const c = community();
    const v = view();
    const a = c.created(c.alice, { title: 'Bread to share', tags: ['food'] });
    const b = c.created(c.bob, { category: 'emergency', title: 'Generator needed' });
    const up = c.make(c.alice, 'market.post.updated', { post_id: a.event_id, body: 'Sourdough, two loaves.' });
    const x = c.make(c.bob, 'market.post.expired', { post_id: b.event_id, reason: 'author' });
    const orphan = c.make(c.bob, 'market.post.expired', { post_id: 'not-yet-seen', reason: 'ttl' });
    [a, b, up, x, orphan].forEach((e) => v.apply(e));
    const state = JSON.parse(JSON.stringify(v.snapshotState())) as Record<string, unknown>;
    const w = view();
    w.restoreState(state);
    expect(w.list({ includeExpired: true })).toEqual(v.list({ includeExpired: true }));
    expect(w.search('sourdough')).toEqual(v.search('sourdough'));
    expect(w.maxLamport()).toBe(v.maxLamport());
    // Stale edit after restore is still refused by last-writer-wins.
    w.apply(c.make(c.alice, 'market.post.updated', { post_id: a.event_id, title: 'Newer title' }));
    expect(w.get(a.event_id)?.title).toBe('Newer title');
    w.apply(up);
    expect(w.get(a.event_id)?.title).toBe('Newer title');
    expect(() => w.restoreState({ version: 99 })).toThrow(MarketError);
    expect(w.get(a.event_id)?.title).toBe('Newer title');
    w.reset();
    expect(w.list({ includeExpired: true })).toEqual([]);
  });
});
