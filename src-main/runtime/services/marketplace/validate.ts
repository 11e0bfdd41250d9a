/**
 * Input rules for posts: what `market.post` accepts from a person (strict, every error names its
 * field) and what the view accepts from a peer's signed event (same limits; bad data is skipped).
 */
import { CATEGORIES, unsafeCharIn, type Category, type WallClock } from '../../../common';
import { MarketError } from './errors';
import { isCategory, isWall, readLocation, type Location } from './post';

/** Documented limits (docs/protocol/marketplace.md). Lengths count Unicode code points. */
export const POST_LIMITS = Object.freeze({
  titleMin: 3,
  titleMax: 120,
  bodyMax: 4000,
  tagsMax: 10,
  tagMin: 1,
  tagMax: 32,
  labelMax: 120,
  /** A post that lives under a minute is almost surely a mistake. */
  ttlMinSeconds: 60,
});

export const TAG_PATTERN = /^[a-z0-9-]+$/;

/** What a person sends to `market.post`. */
export interface PostInput {
  category: Category;
  title: string;
  body?: string;
  tags?: string[];
  location?: Location | null;
  ttl_seconds?: number;
}

/** A checked, normalised PostInput (tags lower-cased, trimmed and de-duplicated; TTL filled in). */
export interface ValidPostInput {
  readonly category: Category;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly location: Location | null;
  readonly ttl_seconds: number;
}

/** The `data` of a `market.post.created` event. */
export interface PostCreatedData {
  readonly category: Category;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly location: Location | null;
  readonly expires_at: WallClock;
}

const INPUT_FIELDS = new Set(['category', 'title', 'body', 'tags', 'location', 'ttl_seconds']);
const len = (s: string) => [...s].length;
const bad = (field: string, message: string) => new MarketError('bad_request', message, { field });

function checkTitle(v: unknown): string {
  if (typeof v !== 'string') throw bad('title', 'title must be text');
  const t = v.trim();
  const unsafe = unsafeCharIn(t);
  if (unsafe)
    throw bad(
      'title',
      `title must not contain control or text-direction characters (found ${unsafe}); it is one line of plain text`,
    );
  if (len(t) < POST_LIMITS.titleMin || len(t) > POST_LIMITS.titleMax)
    throw bad(
      'title',
      `title must be ${POST_LIMITS.titleMin} to ${POST_LIMITS.titleMax} characters (it has ${len(t)})`,
    );
  return t;
}

function checkTags(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad('tags', 'tags must be a list of words');
  const out: string[] = [];
  for (const raw of v) {
    if (typeof raw !== 'string') throw bad('tags', 'each tag must be text');
    const t = raw.trim().toLowerCase();
    if (len(t) < POST_LIMITS.tagMin || len(t) > POST_LIMITS.tagMax || !TAG_PATTERN.test(t)) {
      throw bad(
        'tags',
        `tag "${raw}" must be ${POST_LIMITS.tagMin} to ${POST_LIMITS.tagMax} characters of a-z, 0-9 and "-"`,
      );
    }
    if (!out.includes(t)) out.push(t);
  }
  if (out.length > POST_LIMITS.tagsMax) throw bad('tags', `at most ${POST_LIMITS.tagsMax} tags (got ${out.length})`);
  return out;
}

/**
 * Check a `market.post` body. Unknown fields, a missing TTL's bound or a TTL past `maxTtl` are
 * errors (never silently clamped); an absent TTL becomes `defaultTtl`.
 */
export function validatePostInput(input: unknown, ttl: { defaultTtl: number; maxTtl: number }): ValidPostInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw bad('body', 'the request must be an object');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!INPUT_FIELDS.has(k)) throw bad(k, `unknown field "${k}"; allowed: ${[...INPUT_FIELDS].join(', ')}`);
  if (!isCategory(o.category)) throw bad('category', `category must be one of ${CATEGORIES.join(', ')}`);
  const title = checkTitle(o.title);
  const body = o.body ?? '';
  if (typeof body !== 'string') throw bad('body', 'body must be text');
  if (len(body) > POST_LIMITS.bodyMax)
    throw bad('body', `body must be at most ${POST_LIMITS.bodyMax} characters (it has ${len(body)})`);
  const unsafeBody = unsafeCharIn(body, { multiline: true });
  if (unsafeBody)
    throw bad(
      'body',
      `body must not contain control or text-direction characters other than newline and tab (found ${unsafeBody})`,
    );
  const tags = checkTags(o.tags);
  const location = readLocation(o.location);
  if (location === undefined) throw bad('location', 'location must be {lat: -90..90, lng: -180..180, label: text}');
  if (location && len(location.label) > POST_LIMITS.labelMax)
    throw bad('location', `location label must be at most ${POST_LIMITS.labelMax} characters`);
  const unsafeLabel = location ? unsafeCharIn(location.label) : null;
  if (unsafeLabel)
    throw bad(
      'location',
      `location label must not contain control or text-direction characters (found ${unsafeLabel})`,
    );
  const ttlSeconds = o.ttl_seconds ?? ttl.defaultTtl;
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds))
    throw bad('ttl_seconds', 'ttl_seconds must be a whole number of seconds');
  if (ttlSeconds < POST_LIMITS.ttlMinSeconds)
    throw bad('ttl_seconds', `ttl_seconds must be at least ${POST_LIMITS.ttlMinSeconds}`);
  if (ttlSeconds > ttl.maxTtl)
    throw bad(
      'ttl_seconds',
      `ttl_seconds ${ttlSeconds} is more than this community's maximum of ${ttl.maxTtl} (${Math.floor(ttl.maxTtl / 86_400)} days)`,
    );
  return { category: o.category, title, body, tags, location, ttl_seconds: ttlSeconds };
}

/** The created-event data of a peer's post, or null when it breaks the rules (the view skips it). */
export function readCreatedData(data: Record<string, unknown>): PostCreatedData | null {
  try {
    if (!isCategory(data.category) || !isWall(data.expires_at)) return null;
    const title = checkTitle(data.title);
    const body = data.body ?? '';
    if (typeof body !== 'string' || len(body) > POST_LIMITS.bodyMax) return null;
    const tags = checkTags(data.tags);
    const location = readLocation(data.location);
    if (location === undefined) return null;
    return { category: data.category, title, body, tags, location, expires_at: data.expires_at };
  } catch {
    return null; // a rule broken: the caller counts it as skipped
  }
}

/** The editable fields of a `market.post.updated` event (all optional), or null when malformed. */
export function readUpdatedData(data: Record<string, unknown>): Partial<PostCreatedData> | null {
  try {
    const out: { -readonly [K in keyof PostCreatedData]?: PostCreatedData[K] } = {};
    if (data.category !== undefined) {
      if (!isCategory(data.category)) return null;
      out.category = data.category;
    }
    if (data.title !== undefined) out.title = checkTitle(data.title);
    if (data.body !== undefined) {
      if (typeof data.body !== 'string' || len(data.body) > POST_LIMITS.bodyMax) return null;
      out.body = data.body;
    }
    if (data.tags !== undefined) out.tags = checkTags(data.tags);
    if (data.location !== undefined) {
      const l = readLocation(data.location);
      if (l === undefined) return null;
      out.location = l;
    }
    if (data.expires_at !== undefined) {
      if (!isWall(data.expires_at)) return null;
      out.expires_at = data.expires_at;
    }
    return out;
  } catch {
    return null;
  }
}
