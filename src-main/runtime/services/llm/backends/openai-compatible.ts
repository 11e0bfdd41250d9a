/** OpenAiCompatibleBackend: one implementation of the OpenAI chat/completions wire format (SSE streaming, /v1/models). */
import type { Env } from './api-key';
import {
  checkMessages,
  DEFAULT_CHAT_MAX_TOKENS,
  DEFAULT_COMPLETE_MAX_TOKENS,
  type BackendModel,
  type ChatRequest,
  type CompleteRequest,
  type Generation,
  type LlmBackend,
  type ResolvedOptions,
} from './base';
import { LlmError } from './errors';
import { httpGeneration, mapStopReason, type StreamStats } from './http-generation';
import { HttpBackend, keyedClient } from './http-backend';
import { describeModel } from './model-catalog';
import { readSse } from './stream-readers';
import { countTokensApprox } from '../tokenizers';
import { bodyOf } from './http-client';

/** Generations a remote server is asked to run at once per model unless configured (servers queue the rest). */
export const DEFAULT_HTTP_MAX_CONCURRENT = 4;

export interface OpenAiCompatibleOptions {
  /** Config name of the backend ("lmstudio", "nemotron", ...). */
  readonly name: string;
  /** Server URL with or without the trailing "/v1". */
  readonly baseUrl: string;
  /** Models to declare: names (metadata from the catalog) or full entries. */
  readonly models: ReadonlyArray<string | BackendModel>;
  readonly requiresInternet: boolean;
  /** Environment variable holding the bearer token; absent = no auth header. */
  readonly apiKeyEnv?: string | null;
  readonly env?: Env;
  readonly maxConcurrent?: number;
}

/** Normalise "http://h:1234" and "http://h:1234/v1/" to "http://h:1234/v1". */
export function openAiBase(url: string): string {
  const u = url.replace(/\/+$/, '');
  return /\/v1$/.test(u) ? u : `${u}/v1`;
}

interface OpenAiChunk {
  choices?: Array<{ delta?: { content?: string | null }; text?: string; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

/** Speaks POST /v1/chat/completions, POST /v1/completions (stream + include_usage) and GET /v1/models. */
export class OpenAiCompatibleBackend extends HttpBackend implements LlmBackend {
  readonly name: string;

  constructor(opts: OpenAiCompatibleOptions) {
    const { client, keyError } = keyedClient({
      backend: opts.name,
      baseUrl: openAiBase(opts.baseUrl),
      keyEnv: opts.apiKeyEnv,
      env: opts.env ?? process.env,
      headers: (key) => ({ authorization: `Bearer ${key}` }),
    });
    const models = opts.models.map((m) =>
      typeof m === 'string'
        ? describeModel(m, opts.requiresInternet)
        : { ...m, requires_internet: opts.requiresInternet },
    );
    super(models, opts.maxConcurrent ?? DEFAULT_HTTP_MAX_CONCURRENT, client, keyError);
    this.name = opts.name;
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const body = (await this.http().getJson('/models', signal)) as { data?: Array<{ id?: unknown }> } | null; // the vendor's JSON
    if (!Array.isArray(body?.data)) throw new LlmError('bad_response', `${this.name} sent a model list without "data"`);
    return body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
  }

  chat(req: ChatRequest): Generation {
    checkMessages(req.messages);
    const o = this.resolve(req, DEFAULT_CHAT_MAX_TOKENS);
    const body = { ...this.sampling(o), messages: req.messages.map((m) => ({ role: m.role, content: m.content })) };
    return this.stream('/chat/completions', body, o, () =>
      countTokensApprox(o.model, req.messages.map((m) => m.content).join('\n')),
    );
  }

  complete(req: CompleteRequest): Generation {
    if (typeof req.prompt !== 'string' || req.prompt === '')
      throw new LlmError('bad_request', 'prompt must be a non-empty string');
    const o = this.resolve(req, DEFAULT_COMPLETE_MAX_TOKENS);
    return this.stream('/completions', { ...this.sampling(o), prompt: req.prompt }, o, () =>
      countTokensApprox(o.model, req.prompt),
    );
  }

  private sampling(o: ResolvedOptions) {
    return {
      model: o.model,
      max_tokens: o.maxTokens,
      temperature: o.temperature,
      top_p: o.topP,
      ...(o.stop.length ? { stop: o.stop } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      stream: true,
      stream_options: { include_usage: true },
    };
  }

  private stream(path: string, body: unknown, o: ResolvedOptions, estimateIn: () => number): Generation {
    const client = this.http();
    return httpGeneration(client, o, estimateIn, async function* (signal): AsyncGenerator<
      string,
      StreamStats,
      undefined
    > {
      const res = await client.postJson(path, body, signal);
      const stats: StreamStats = { complete: false };
      for await (const ev of readSse(bodyOf(res))) {
        if (ev.data === '[DONE]') {
          stats.complete = true;
          break;
        }
        const chunk = JSON.parse(ev.data) as OpenAiChunk;
        if (chunk.error) {
          const msg = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'unknown error');
          throw new LlmError('bad_response', client.redact(`the model server reported an error mid-answer: ${msg}`));
        }
        for (const c of chunk.choices ?? []) {
          const piece = c.delta?.content ?? c.text;
          if (piece) yield piece;
          stats.stopReason = mapStopReason(c.finish_reason) ?? stats.stopReason;
        }
        if (chunk.usage) {
          stats.tokensIn = chunk.usage.prompt_tokens ?? stats.tokensIn;
          stats.tokensOut = chunk.usage.completion_tokens ?? stats.tokensOut;
        }
      }
      return stats;
    });
  }
}
