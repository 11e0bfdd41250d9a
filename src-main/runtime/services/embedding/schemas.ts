/** JSON Schemas (draft-07, ajv) for `embed.text@1.0` requests and responses (docs/protocol/rag.md). */

/** Most texts one `embed.text@1.0` call may carry. */
export const EMBED_MAX_TEXTS = 256;
/** Longest single text in characters; longer texts must be chunked by the caller. */
export const EMBED_MAX_TEXT_CHARS = 32_768;

export const EMBED_TEXT_REQUEST_SCHEMA = {
  $id: 'hearthnet:embed.text@1.0/request',
  type: 'object',
  additionalProperties: false,
  required: ['texts'],
  properties: {
    texts: {
      type: 'array',
      minItems: 1,
      maxItems: EMBED_MAX_TEXTS,
      items: { type: 'string', maxLength: EMBED_MAX_TEXT_CHARS },
    },
    model: { type: 'string', minLength: 1, maxLength: 200 },
    normalize: { type: 'boolean', default: true },
  },
} as const;

export const EMBED_TEXT_RESPONSE_SCHEMA = {
  $id: 'hearthnet:embed.text@1.0/response',
  type: 'object',
  additionalProperties: false,
  required: ['model', 'dim', 'vectors'],
  properties: {
    model: { type: 'string' },
    dim: { type: 'integer', minimum: 1 },
    vectors: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
  },
} as const;

/** Wire shapes matching the schemas. */
export interface EmbedTextRequest {
  texts: string[];
  model?: string;
  normalize?: boolean;
}
export interface EmbedTextResponse {
  model: string;
  dim: number;
  vectors: number[][];
}
