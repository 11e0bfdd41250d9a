/**
 * Input rules for posts: what `market.post` accepts from a person (its capability schema, annotated
 * for plain messages; every error names its field) and what the view accepts from a peer's signed
 * event (the same limits as schemas; bad data is skipped). Normalising (trimming, lower-cased and
 * de-duplicated tags) and the rules JSON Schema says badly (unsafe characters, the community's
 * maximum TTL) follow the schema check.
 */
import { unsafeCharIn, type Category, type WallClock } from '../../../common';
import { annotate, compileSchema, parseWith } from '../../schema';
import { MarketError } from './errors';
import { POST_LIMITS, TAG_PATTERN } from './limits';
import type { Location } from './post';
import { LOCATION_SCHEMA, POST_REQUEST_SCHEMA } from './schemas';

export { POST_LIMITS, TAG_PATTERN };

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

const LOCATION_WORDS = `{lat: -90..90, lng: -180..180, label: text of at most ${POST_LIMITS.labelMax} characters} or null`;

const checkPostInput = compileSchema<PostInput>(
  annotate(POST_REQUEST_SCHEMA, {
    title: { expected: `${POST_LIMITS.titleMin} to ${POST_LIMITS.titleMax} characters` },
    'tags[]': { expected: `${POST_LIMITS.tagMin} to ${POST_LIMITS.tagMax} characters of a-z, 0-9 and "-"` },
    location: { description: `must be ${LOCATION_WORDS}` },
    ttl_seconds: { expected: `a whole number of seconds, at least ${POST_LIMITS.ttlMinSeconds}` },
  }),
);

const WALL_CLOCK = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' } as const;
/**
 * The fields of a post in a peer's event. Only types and ranges: the title and tag rules are
 * checked after trimming, as for a person's post; unknown fields pass (newer peers may add some).
 */
const EVENT_FIELDS = {
  category: POST_REQUEST_SCHEMA.properties.category,
  title: { type: 'string' },
  body: POST_REQUEST_SCHEMA.properties.body,
  tags: { type: 'array', items: { type: 'string' } },
  location: {
    oneOf: [
      { type: 'null' },
      {
        type: 'object',
        required: ['lat', 'lng'],
        properties: {
          lat: LOCATION_SCHEMA.properties.lat,
          lng: LOCATION_SCHEMA.properties.lng,
          label: { type: 'string' },
        },
      },
    ],
  },
  expires_at: WALL_CLOCK,
} as const;
type EventFields = Partial<Omit<PostCreatedData, 'tags'> & { tags: string[] }>;
const checkCreated = compileSchema<EventFields>({
  type: 'object',
  required: ['category', 'title', 'expires_at'],
  properties: EVENT_FIELDS,
});
const checkUpdated = compileSchema<EventFields>({ type: 'object', properties: EVENT_FIELDS });

const len = (s: string) => Array.from(s).length; // code points
const isInstant = (w: string | undefined): w is WallClock => w !== undefined && !Number.isNaN(Date.parse(w));
/** MarketError('bad_request') for a schema's sentence; `field` is the top-level field (`location`). */
export const badRequest = (message: string, field: string) =>
  new MarketError('bad_request', message, { field: field.split(/[.[]/)[0] || 'body' });

function checkTitle(v: string): string {
  const t = v.trim();
  const unsafe = unsafeCharIn(t);
  if (unsafe)
    throw badRequest(
      `title: must not contain control or text-direction characters (found ${unsafe}); it is one line of plain text`,
      'title',
    );
  if (len(t) < POST_LIMITS.titleMin || len(t) > POST_LIMITS.titleMax)
    throw badRequest(
      `title: must be ${POST_LIMITS.titleMin} to ${POST_LIMITS.titleMax} characters (it has ${len(t)})`,
      'title',
    );
  return t;
}

function checkTags(v: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const raw of v ?? []) {
    const t = raw.trim().toLowerCase();
    if (len(t) < POST_LIMITS.tagMin || len(t) > POST_LIMITS.tagMax || !TAG_PATTERN.test(t))
      throw badRequest(
        `tags: "${raw}" must be ${POST_LIMITS.tagMin} to ${POST_LIMITS.tagMax} characters of a-z, 0-9 and "-"`,
        'tags',
      );
    if (!out.includes(t)) out.push(t);
  }
  if (out.length > POST_LIMITS.tagsMax)
    throw badRequest(`tags: at most ${POST_LIMITS.tagsMax} (got ${out.length})`, 'tags');
  return out;
}

/** `label` may be missing from a peer's event (older writers left it out). */
function checkLocation(l: (Omit<Location, 'label'> & { label?: string }) | null | undefined): Location | null {
  if (!l) return null;
  const location = { lat: l.lat, lng: l.lng, label: l.label ?? '' };
  const unsafe = unsafeCharIn(location.label);
  if (unsafe)
    throw badRequest(
      `location: label must not contain control or text-direction characters (found ${unsafe})`,
      'location',
    );
  return location;
}

/**
 * Check a `market.post` body. Unknown fields, a missing TTL's bound or a TTL past `maxTtl` are
 * errors (never silently clamped); an absent TTL becomes `defaultTtl`.
 */
export function validatePostInput(input: unknown, ttl: { defaultTtl: number; maxTtl: number }): ValidPostInput {
  const o = parseWith(checkPostInput, input ?? null, badRequest);
  const title = checkTitle(o.title);
  const body = o.body ?? '';
  const unsafeBody = unsafeCharIn(body, { multiline: true });
  if (unsafeBody)
    throw badRequest(
      `body: must not contain control or text-direction characters other than newline and tab (found ${unsafeBody})`,
      'body',
    );
  const tags = checkTags(o.tags);
  const location = checkLocation(o.location);
  const ttlSeconds = o.ttl_seconds ?? ttl.defaultTtl;
  if (ttlSeconds > ttl.maxTtl)
    throw badRequest(
      `ttl_seconds: ${ttlSeconds} is more than this community's maximum of ${ttl.maxTtl} (${Math.floor(ttl.maxTtl / 86_400)} days)`,
      'ttl_seconds',
    );
  return { category: o.category, title, body, tags, location, ttl_seconds: ttlSeconds };
}

/** The created-event data of a peer's post, or null when it breaks the rules (the view skips it). */
export function readCreatedData(data: Record<string, unknown>): PostCreatedData | null {
  try {
    if (!checkCreated(data) || !data.category || !data.title || !isInstant(data.expires_at)) return null;
    return {
      category: data.category,
      title: checkTitle(data.title),
      body: data.body ?? '',
      tags: checkTags(data.tags),
      location: checkLocation(data.location),
      expires_at: data.expires_at,
    };
  } catch {
    return null; // a rule broken: the caller counts it as skipped
  }
}

/** The editable fields of a `market.post.updated` event (all optional), or null when malformed. */
export function readUpdatedData(data: Record<string, unknown>): Partial<PostCreatedData> | null {
  try {
    if (!checkUpdated(data) || (data.expires_at !== undefined && !isInstant(data.expires_at))) return null;
    const out: { -readonly [K in keyof PostCreatedData]?: PostCreatedData[K] } = {};
    if (data.category !== undefined) out.category = data.category;
    if (data.title !== undefined) out.title = checkTitle(data.title);
    if (data.body !== undefined) out.body = data.body;
    if (data.tags !== undefined) out.tags = checkTags(data.tags);
    if (data.location !== undefined) out.location = checkLocation(data.location);
    if (data.expires_at !== undefined) out.expires_at = data.expires_at;
    return out;
  } catch {
    return null;
  }
}
