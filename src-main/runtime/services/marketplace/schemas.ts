/** JSON Schemas (draft-07, as ajv checks them) of the four market.*@1.0 capabilities. */
import { CATEGORIES } from '../../../common';
import { POST_LIMITS } from './limits';
import { LIST_MAX_LIMIT } from './views';

export const SEARCH_QUERY_MAX = 200;
export const SEARCH_MAX_LIMIT = 100;

const category = { type: 'string', enum: [...CATEGORIES] } as const;
const wallClock = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$' } as const;

export const LOCATION_SCHEMA = {
  type: 'object',
  required: ['lat', 'lng'],
  additionalProperties: false,
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lng: { type: 'number', minimum: -180, maximum: 180 },
    label: { type: 'string', maxLength: POST_LIMITS.labelMax },
  },
} as const;

/** A Post on the wire (every field always present). */
export const POST_SCHEMA = {
  type: 'object',
  required: [
    'event_id',
    'lamport',
    'author',
    'category',
    'title',
    'body',
    'location',
    'tags',
    'created_at',
    'expires_at',
    'expired_via_event_id',
    'expiry_reason',
  ],
  additionalProperties: false,
  properties: {
    event_id: { type: 'string' },
    lamport: { type: 'integer', minimum: 0 },
    author: { type: 'string' },
    category,
    title: { type: 'string' },
    body: { type: 'string' },
    location: { oneOf: [{ type: 'null' }, LOCATION_SCHEMA] },
    tags: { type: 'array', items: { type: 'string' } },
    created_at: wallClock,
    expires_at: wallClock,
    expired_via_event_id: { anyOf: [{ type: 'null' }, { type: 'string' }] },
    expiry_reason: { anyOf: [{ type: 'null' }, { type: 'string', enum: ['author', 'ttl'] }] },
  },
} as const;

/** `market.post` request. Tags are lower-cased by the handler, so the schema allows any case. */
export const POST_REQUEST_SCHEMA = {
  type: 'object',
  required: ['category', 'title'],
  additionalProperties: false,
  properties: {
    category,
    title: { type: 'string', minLength: POST_LIMITS.titleMin, maxLength: POST_LIMITS.titleMax },
    body: { type: 'string', maxLength: POST_LIMITS.bodyMax },
    tags: {
      type: 'array',
      maxItems: POST_LIMITS.tagsMax,
      items: { type: 'string', minLength: POST_LIMITS.tagMin, maxLength: POST_LIMITS.tagMax },
    },
    location: { oneOf: [{ type: 'null' }, LOCATION_SCHEMA] },
    ttl_seconds: { type: 'integer', minimum: POST_LIMITS.ttlMinSeconds },
  },
} as const;

export const POST_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['post'],
  additionalProperties: false,
  properties: { post: POST_SCHEMA },
} as const;

export const LIST_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    category,
    tags: {
      type: 'array',
      maxItems: POST_LIMITS.tagsMax,
      items: { type: 'string', minLength: 1, maxLength: POST_LIMITS.tagMax },
    },
    since_lamport: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: LIST_MAX_LIMIT },
    include_expired: { type: 'boolean' },
  },
} as const;

export const LIST_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['posts', 'max_lamport'],
  additionalProperties: false,
  properties: { posts: { type: 'array', items: POST_SCHEMA }, max_lamport: { type: 'integer', minimum: 0 } },
} as const;

export const SEARCH_REQUEST_SCHEMA = {
  type: 'object',
  required: ['query'],
  additionalProperties: false,
  properties: {
    query: { type: 'string', minLength: 1, maxLength: SEARCH_QUERY_MAX },
    category,
    limit: { type: 'integer', minimum: 1, maximum: SEARCH_MAX_LIMIT },
    include_expired: { type: 'boolean' },
  },
} as const;

export const SEARCH_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['results'],
  additionalProperties: false,
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['post', 'score'],
        additionalProperties: false,
        properties: { post: POST_SCHEMA, score: { type: 'number' } },
      },
    },
  },
} as const;

export const EXPIRE_REQUEST_SCHEMA = {
  type: 'object',
  required: ['post_id'],
  additionalProperties: false,
  properties: { post_id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const EXPIRE_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['post_id', 'expired_event_id', 'already_expired'],
  additionalProperties: false,
  properties: {
    post_id: { type: 'string' },
    expired_event_id: { type: 'string' },
    already_expired: { type: 'boolean' },
  },
} as const;
