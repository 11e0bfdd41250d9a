/** OpenAiCompatibleBackend: one implementation of the OpenAI chat/completions wire format (SSE streaming, /v1/models). */
import { readApiKey, type Env } from './api-key';
import {
  checkMessages,
  DEFAULT_CHAT_MAX_TOKENS,
  DEFAULT_COMPLETE_MAX_TOKENS,
  resolveOptions,
  type BackendHealth,
  type BackendModel,
  type ChatRequest,
  type CompleteRequest,
  type Generation,
  type LlmBackend,
  type ResolvedOptions,
} from './base';
import { LlmError } from './errors';
import { httpGeneration, mapStopReason, type StreamStats } from './http-generation';
import { HttpClient } from './http-client';
import { describeModel } from './model-catalog';
import { readSse } from './stream-readers';
import { countTokensApprox } from '../tokenizers';

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
export class OpenAiCompatibleBackend implements LlmBackend {
  readonly name: string;
  readonly models: readonly BackendModel[];
  private readonly client: HttpClient | null;
  private readonly keyError: LlmError | null;
  private readonly concurrency: number;

  constructor(opts: OpenAiCompatibleOptions) {
    this.name = opts.name;
    this.models = opts.models.map((m) => (typeof m === 'string' ? describeModel(m, opts.requiresInternet) : { ...m, requires_internet: opts.requiresInternet }));
    this.concurrency = opts.maxConcurrent ?? DEFAULT_HTTP_MAX_CONCURRENT;
    let key: string | null = null;
    let keyError: LlmError | null = null;
    try {
      key = readApiKey(opts.apiKeyEnv, opts.env ?? process.env, opts.name);
    } catch (e) {
      keyError = e as LlmError;
    }
    this.keyError = keyError;
    this.client = new HttpClient({
      baseUrl: openAiBase(opts.baseUrl),
      backend: opts.name,
      headers: key ? { authorization: `Bearer ${key}` } : {},
      secrets: key ? [key] : [],
    });
  }

  maxConcurrent(_model?: string): number {
    return this.concurrency;
  }

  countTokens(model: string, text: string): number {
    return countTokensApprox(model, text);
  }

  async warm(model: string): Promise<void> {
    this.checkModel(model);
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing to release (fetch keeps no sockets we own).
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const body = (await this.http().getJson('/models', signal)) as { data?: Array<{ id?: unknown }> };
    if (!Array.isArray(body?.data)) throw new LlmError('bad_response', `${this.name} sent a model list without "data"`);
    return body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
  }

  async health(): Promise<BackendHealth> {
    return probeHealth(this.name, () => this.listModels());
  }

  chat(req: ChatRequest): Generation {
    checkMessages(req.messages);
    const o = this.resolve(req, DEFAULT_CHAT_MAX_TOKENS);
    const body = { ...this.sampling(o), messages: req.messages.map((m) => ({ role: m.role, content: m.content })) };
    return this.stream('/chat/completions', body, o, () => countTokensApprox(o.model, req.messages.map((m) => m.content).join('\n')));
  }

  complete(req: CompleteRequest): Generation {
    if (typeof req.prompt !== 'string' || req.prompt === '') throw new LlmError('bad_request', 'prompt must be a non-empty string');
    const o = this.resolve(req, DEFAULT_COMPLETE_MAX_TOKENS);
    return this.stream('/completions', { ...this.sampling(o), prompt: req.prompt }, o, () => countTokensApprox(o.model, req.prompt));
  }

  private resolve(req: ChatRequest | CompleteRequest, defaultMax: number): ResolvedOptions {
    const o = resolveOptions(req, defaultMax);
    this.checkModel(o.model);
    return o;
  }

  private checkModel(model: string): void {
    if (!this.models.some((m) => m.name === model)) throw new LlmError('model_not_found', `model "${model}" is not configured for ${this.name}`);
  }

  private http(): HttpClient {
    if (this.keyError) throw this.keyError;
    return this.client!;
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
    return httpGeneration(client, o, estimateIn, async function* (signal): AsyncGenerator<string, StreamStats, undefined> {
      const res = await client.postJson(path, body, signal);
      const stats: StreamStats = { complete: false };
      for await (const ev of readSse(res.body!)) {
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

/** Shared health probe: ok when the model list answers. */
export async function probeHealth(backend: string, list: () => Promise<string[]>): Promise<BackendHealth> {
  const t0 = Date.now();
  try {
    const models = await list();
    return { backend, ok: true, detail: `reachable, ${models.length} model(s)`, models, latency_ms: Date.now() - t0 };
  } catch (e) {
    return { backend, ok: false, detail: e instanceof Error ? e.message : 'unreachable', models: [], latency_ms: Date.now() - t0 };
  }
}
