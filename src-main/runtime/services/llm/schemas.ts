/** JSON Schemas (draft-07, ajv) of the llm.chat@1.0 / llm.complete@1.0 requests, stream frames and responses. */
import { MAX_STOP_SEQUENCES, STOP_REASONS } from './backends/base';

const sampling = {
  model: { type: 'string', minLength: 1, description: 'Model name as advertised in the capability params' },
  max_tokens: {
    type: 'integer',
    minimum: 1,
    description: 'Upper bound on generated tokens (chat default 1024, complete 256)',
  },
  temperature: { type: 'number', minimum: 0, maximum: 2, default: 0.7 },
  top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.95 },
  stop: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    maxItems: MAX_STOP_SEQUENCES,
    description: 'Generation ends before any of these strings',
  },
  seed: { type: 'integer', description: 'Same seed + same request = same text (where the backend supports it)' },
  stream: {
    type: 'boolean',
    default: true,
    description: 'true: token frames then a done frame; false: one response object',
  },
} as const;

/** Request body of `llm.chat@1.0`. Unknown fields are refused (a typo like "maxTokens" must not be ignored silently). */
export const LLM_CHAT_REQUEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hearthnet.local/schemas/llm.chat@1.0/request.json',
  title: 'llm.chat@1.0 request',
  type: 'object',
  required: ['model', 'messages'],
  additionalProperties: false,
  properties: {
    ...sampling,
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        additionalProperties: false,
        properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
      },
    },
  },
} as const;

/** Request body of `llm.complete@1.0`. */
export const LLM_COMPLETE_REQUEST_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hearthnet.local/schemas/llm.complete@1.0/request.json',
  title: 'llm.complete@1.0 request',
  type: 'object',
  required: ['model', 'prompt'],
  additionalProperties: false,
  properties: { ...sampling, prompt: { type: 'string', minLength: 1 } },
} as const;

/** One streamed piece of text. */
export const LLM_TOKEN_FRAME_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hearthnet.local/schemas/llm@1.0/token-frame.json',
  title: 'llm token frame',
  type: 'object',
  required: ['event', 'data'],
  additionalProperties: false,
  properties: {
    event: { const: 'token' },
    data: {
      type: 'object',
      required: ['text'],
      additionalProperties: false,
      properties: { text: { type: 'string' }, logprob: { type: ['number', 'null'] } },
    },
  },
} as const;

const stats = {
  tokens_in: { type: 'integer', minimum: 0 },
  tokens_out: { type: 'integer', minimum: 0 },
  stop_reason: { enum: [...STOP_REASONS] },
  ms: { type: 'integer', minimum: 0, description: 'Wall time of the generation in milliseconds' },
} as const;

/** The last frame of a successful stream (errors end a stream with the bus's error frame instead). */
export const LLM_DONE_FRAME_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hearthnet.local/schemas/llm@1.0/done-frame.json',
  title: 'llm done frame',
  type: 'object',
  required: ['event', 'data'],
  additionalProperties: false,
  properties: {
    event: { const: 'done' },
    data: {
      type: 'object',
      required: ['tokens_in', 'tokens_out', 'stop_reason', 'ms'],
      additionalProperties: false,
      properties: stats,
    },
  },
} as const;

/** Whole response when `stream: false` (same for chat and complete). */
export const LLM_RESPONSE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hearthnet.local/schemas/llm@1.0/response.json',
  title: 'llm.chat@1.0 / llm.complete@1.0 response (stream: false)',
  type: 'object',
  required: ['text', 'tokens_in', 'tokens_out', 'stop_reason', 'ms'],
  additionalProperties: false,
  properties: { text: { type: 'string' }, ...stats },
} as const;

/** Wire shapes the schemas above describe. */
export interface LlmChatWireRequest {
  model: string;
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  stream?: boolean;
}
export type LlmCompleteWireRequest = Omit<LlmChatWireRequest, 'messages'> & { prompt: string };
export interface LlmTokenFrame {
  event: 'token';
  data: { text: string; logprob?: number | null };
}
export interface LlmDoneFrame {
  event: 'done';
  data: { tokens_in: number; tokens_out: number; stop_reason: (typeof STOP_REASONS)[number]; ms: number };
}
