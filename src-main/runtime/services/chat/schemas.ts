/** JSON Schemas of chat.send@1.0 and chat.history@1.0 (docs/protocol/chat.md §Capabilities). */
import { CHAT_HISTORY_DEFAULT_LIMIT } from './views';
import { CHAT_ATTACHMENTS_MAX, CHAT_TEXT_MAX_CHARS } from './types';

/** Most messages one history call returns. */
export const CHAT_HISTORY_MAX_LIMIT = 1000;

const NODE_ID = { type: 'string', pattern: '^ed25519:[A-Za-z0-9_-]{43}$' } as const;

export const ATTACHMENT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['cid'],
  properties: {
    cid: { type: 'string', pattern: '^blake3:[0-9a-f]{64}$' },
    filename: { type: 'string', maxLength: 1020 },
    mime_type: { type: 'string', maxLength: 1020 },
    size_bytes: { type: 'integer', minimum: 0 },
    key: { type: 'string', maxLength: 1020 },
  },
} as const;

export const SEND_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'text'],
  properties: {
    to: NODE_ID,
    text: { type: 'string', minLength: 1, maxLength: CHAT_TEXT_MAX_CHARS },
    attachments: { type: 'array', maxItems: CHAT_ATTACHMENTS_MAX, items: ATTACHMENT_SCHEMA },
  },
} as const;

export const SEND_RESPONSE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['msg_id', 'event_id', 'delivery'],
  properties: {
    msg_id: { type: 'string' },
    event_id: { type: 'string' },
    delivery: { enum: ['direct', 'forwarded', 'queued'] },
  },
} as const;

export const HISTORY_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    with: NODE_ID,
    since_lamport: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: CHAT_HISTORY_MAX_LIMIT, default: CHAT_HISTORY_DEFAULT_LIMIT },
  },
} as const;

export const CHAT_MESSAGE_SCHEMA = {
  type: 'object',
  required: [
    'event_id',
    'msg_id',
    'lamport',
    'sender',
    'recipient',
    'body',
    'attachments',
    'created_at',
    'delivered_at',
    'read_at',
  ],
  properties: {
    event_id: { type: 'string' },
    msg_id: { type: 'string' },
    lamport: { type: 'integer' },
    sender: NODE_ID,
    recipient: NODE_ID,
    body: { type: 'string' },
    attachments: { type: 'array', items: ATTACHMENT_SCHEMA },
    created_at: { type: 'string' },
    delivered_at: { type: ['string', 'null'] },
    read_at: { type: ['string', 'null'] },
  },
} as const;

export const HISTORY_RESPONSE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['messages'],
  properties: { messages: { type: 'array', items: CHAT_MESSAGE_SCHEMA } },
} as const;
