/**
 * Marketplace search benchmark: 50,000 synthetic posts applied to a MarketplaceView, then
 * market.search latency (p50/p95) over varied queries, against a naive linear substring scan
 * over the same posts in the same process. Events carry a dummy signature: the view does not
 * verify (the event log does, before apply), so signing would only time ed25519.
 */
import { performance } from 'node:perf_hooks';
import type { CommunityId, EventId, NodeId, Signature, WallClock } from '../src-main/common';
import type { Event } from '../src-main/runtime/events/types';
import { MarketplaceView, type Post } from '../src-main/runtime/services/marketplace';

const POSTS = 50_000;
const QUERIES = 120;
const WARMUP = 20;
const NOW = Date.parse('2026-06-01T12:00:00Z');

/** Deterministic PRNG (mulberry32) so runs compare. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON = [
  'the',
  'a',
  'and',
  'for',
  'with',
  'to',
  'of',
  'in',
  'my',
  'our',
  'free',
  'need',
  'have',
  'please',
  'help',
  'today',
  'neighbour',
  'street',
];
const TOPICS = [
  'bike',
  'ladder',
  'drill',
  'soup',
  'bread',
  'water',
  'generator',
  'insulin',
  'tent',
  'sofa',
  'lamp',
  'books',
  'toys',
  'pram',
  'garden',
  'tomatoes',
  'apples',
  'firewood',
  'candles',
  'battery',
  'radio',
  'blanket',
  'jacket',
  'shoes',
  'flour',
  'eggs',
  'milk',
  'charger',
  'router',
  'cable',
];

function buildView(): { view: MarketplaceView; posts: Post[]; words: string[] } {
  const r = rng(42);
  const words = Array.from({ length: 6000 }, (_, i) => `w${i.toString(36)}x${Math.floor(r() * 1e6).toString(36)}`);
  // Zipf-ish pick: low indexes far more often, so some posting lists are long.
  const zipf = () => words[Math.floor(words.length * r() ** 3)];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const sentence = (n: number) =>
    Array.from({ length: n }, () => (r() < 0.35 ? pick(COMMON) : r() < 0.25 ? pick(TOPICS) : zipf())).join(' ');
  const view = new MarketplaceView({ now: () => NOW });
  const cats = ['offer', 'request', 'info', 'emergency'] as const;
  const events: Event[] = [];
  for (let i = 0; i < POSTS; i++) {
    events.push({
      schema_version: 1,
      event_id: `01J${i.toString(36).padStart(23, '0').toUpperCase()}` as EventId,
      lamport: i + 1,
      wall_clock: new Date(NOW - (POSTS - i) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') as WallClock,
      community_id: 'ed25519:bench' as CommunityId,
      author: `ed25519:node${i % 40}` as NodeId,
      event_type: 'market.post.created',
      data: {
        category: r() < 0.05 ? 'emergency' : pick(cats.slice(0, 3)),
        title: `${pick(TOPICS)} ${sentence(2 + Math.floor(r() * 6))}`.slice(0, 120),
        body: `${sentence(20 + Math.floor(r() * 40))}.`,
        tags: [...new Set(Array.from({ length: Math.floor(r() * 4) }, () => pick(TOPICS)))],
        location: null,
        expires_at: new Date(NOW + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      signature: 'ed25519:bench' as Signature,
    });
  }
  const t0 = performance.now();
  for (const e of events) view.apply(e);
  const ms = performance.now() - t0;
  console.log(`market: applied ${POSTS} posts in ${ms.toFixed(0)} ms (${((POSTS / ms) * 1000).toFixed(0)} posts/s)`);
  return { view, posts: view.allActive(NOW), words };
}

function queries(words: string[]): string[] {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < QUERIES + WARMUP; i++) {
    const kind = i % 6;
    if (kind === 0) out.push(pick(TOPICS));
    else if (kind === 1) out.push(`${pick(TOPICS)} ${pick(TOPICS)}`);
    else if (kind === 2) out.push(`need ${pick(TOPICS)} please!`);
    else if (kind === 3) out.push(words[Math.floor(r() * 200)]);
    else if (kind === 4) out.push(`${pick(TOPICS)}, ${words[Math.floor(r() * words.length)]} (urgent?)`);
    else out.push(`the ${pick(TOPICS)} for ${pick(COMMON)}`);
  }
  return out;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** The baseline: substring match of each query word over every post's lower-cased text. */
function naiveSearch(haystacks: { post: Post; text: string }[], query: string, limit = 20): Post[] {
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .map((t) => t.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter(Boolean);
  const hits: { post: Post; n: number }[] = [];
  for (const h of haystacks) {
    let n = 0;
    for (const t of terms) if (h.text.includes(t)) n += 1;
    if (n > 0) hits.push({ post: h.post, n });
  }
  return hits
    .sort((a, b) => b.n - a.n)
    .slice(0, limit)
    .map((h) => h.post);
}

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export function main(): void {
  const { view, posts, words } = buildView();
  const qs = queries(words);
  const haystacks = posts.map((p) => ({ post: p, text: `${p.title} ${p.body} ${p.tags.join(' ')}`.toLowerCase() }));
  for (const q of qs.slice(0, WARMUP)) {
    view.search(q);
    naiveSearch(haystacks, q);
  }
  const ours: number[] = [];
  const base: number[] = [];
  let found = 0;
  for (const q of qs.slice(WARMUP)) {
    ours.push(time(() => (found += view.search(q).length)));
    base.push(time(() => naiveSearch(haystacks, q)));
  }
  const p50 = percentile(ours, 50);
  const p95 = percentile(ours, 95);
  const b50 = percentile(base, 50);
  console.log(
    `market: search p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms over ${QUERIES} queries (avg ${(found / QUERIES).toFixed(1)} results); naive scan p50 ${b50.toFixed(2)} ms, p95 ${percentile(base, 95).toFixed(2)} ms`,
  );
  console.log(
    `market: ${p50.toFixed(2)} ms p50 search over ${POSTS} posts (baseline ${b50.toFixed(2)} ms, ratio ${(b50 / p50).toFixed(1)})`,
  );
}
