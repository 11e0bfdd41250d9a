/** OpenAI request bodies -> llm.chat / llm.complete / embed.text bodies, and results -> OpenAI response objects. */
import { OpenAiRequestError } from './errors';

type Json = Record<string, unknown>;

/** What one OpenAI generation request becomes on the bus. */
export interface BusGeneration {
  readonly model: string;
  readonly body: Json;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

function obj(v: unknown): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new OpenAiRequestError('The request body must be a JSON object.');
  return v as Json;
}

function model(b: Json): string {
  if (typeof b.model !== 'string' || b.model === '')
    throw new OpenAiRequestError('you must provide a model parameter', 'model');
  return b.model;
}

/** Sampling fields shared by chat and completions; nulls mean "default" as in OpenAI's API. */
function sampling(b: Json): Json {
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw new OpenAiRequestError('Only n = 1 is supported.', 'n');
  const out: Json = {};
  const max = b.max_completion_tokens ?? b.max_tokens;
  if (max !== undefined && max !== null) out.max_tokens = max;
  for (const k of ['temperature', 'top_p', 'seed'] as const) if (b[k] !== undefined && b[k] !== null) out[k] = b[k];
  if (typeof b.stop === 'string') out.stop = [b.stop];
  else if (Array.isArray(b.stop)) out.stop = b.stop;
  return out;
}

function streamFlags(b: Json): { stream: boolean; includeUsage: boolean } {
  const so = b.stream_options as { include_usage?: unknown } | null | undefined;
  return { stream: b.stream === true, includeUsage: so?.include_usage === true };
}

/** Message content: a string, or text parts (`[{type:'text', text}]`); other parts are refused. */
function content(c: unknown, i: number): string {
  if (typeof c === 'string') return c;
  if (c === null || c === undefined) return '';
  if (Array.isArray(c)) {
    return c
      .map((p: unknown, j) => {
        const part = p as { type?: unknown; text?: unknown } | null; // from JSON: any element may be null
        if (part?.type !== 'text' || typeof part.text !== 'string')
          throw new OpenAiRequestError(
            `messages[${i}].content[${j}]: only text parts are supported`,
            `messages[${i}].content`,
          );
        return part.text;
      })
      .join('');
  }
  throw new OpenAiRequestError(
    `messages[${i}].content must be a string or a list of text parts`,
    `messages[${i}].content`,
  );
}

/** POST /v1/chat/completions body -> llm.chat@1.0 body. `developer` counts as `system`. */
export function chatRequest(raw: unknown): BusGeneration {
  const b = obj(raw);
  const m = model(b);
  if (!Array.isArray(b.messages) || b.messages.length === 0)
    throw new OpenAiRequestError('messages must be a non-empty array', 'messages');
  const messages = b.messages.map((x: unknown, i) => {
    const msg = obj(x);
    const role = msg.role === 'developer' ? 'system' : msg.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      throw new OpenAiRequestError(
        `messages[${i}].role "${String(msg.role)}" is not supported (use system, user or assistant)`,
        `messages[${i}].role`,
      );
    return { role, content: content(msg.content, i) };
  });
  const flags = streamFlags(b);
  return { model: m, body: { model: m, messages, ...sampling(b), stream: flags.stream }, ...flags };
}

/** POST /v1/completions body -> llm.complete@1.0 body (one prompt string). */
export function completionRequest(raw: unknown): BusGeneration {
  const b = obj(raw);
  const m = model(b);
  const p: unknown = Array.isArray(b.prompt) && b.prompt.length === 1 ? b.prompt[0] : b.prompt;
  if (typeof p !== 'string' || p === '') throw new OpenAiRequestError('prompt must be a non-empty string', 'prompt');
  const flags = streamFlags(b);
  return { model: m, body: { model: m, prompt: p, ...sampling(b), stream: flags.stream }, ...flags };
}

/** POST /v1/embeddings body -> texts, model and the wanted encoding. */
export function embeddingRequest(raw: unknown): { model: string; texts: string[]; encoding: 'float' | 'base64' } {
  const b = obj(raw);
  const m = model(b);
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string')) {
    throw new OpenAiRequestError(
      'input must be a string or a non-empty array of strings (token arrays are not supported)',
      'input',
    );
  }
  const enc = b.encoding_format ?? 'float';
  if (enc !== 'float' && enc !== 'base64')
    throw new OpenAiRequestError('encoding_format must be "float" or "base64"', 'encoding_format');
  return { model: m, texts: input, encoding: enc };
}

/** HearthNet stop_reason -> OpenAI finish_reason. */
export function finishReason(stop: unknown): string {
  if (stop === 'length') return 'length';
  if (stop === 'content_filter') return 'content_filter';
  return 'stop';
}

export function usageOf(r: { tokens_in?: unknown; tokens_out?: unknown }): {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
} {
  const i = typeof r.tokens_in === 'number' ? r.tokens_in : 0;
  const o = typeof r.tokens_out === 'number' ? r.tokens_out : 0;
  return { prompt_tokens: i, completion_tokens: o, total_tokens: i + o };
}

/** A vector as OpenAI's base64 encoding: little-endian float32 bytes. */
export function vectorBase64(v: readonly number[]): string {
  const f = Float32Array.from(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}
