/** OllamaBackend: Ollama's native API (POST /api/chat, /api/generate as NDJSON streams; GET /api/tags). */
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
import { readNdjson } from './stream-readers';
import { countTokensApprox } from '../tokenizers';
import { bodyOf } from './http-client';

export const OLLAMA_DEFAULT_URL = 'http://localhost:11434';
/** Ollama runs OLLAMA_NUM_PARALLEL requests per model (default 1 on small machines; up to 4). */
export const OLLAMA_DEFAULT_MAX_CONCURRENT = 1;

export interface OllamaOptions {
  readonly baseUrl?: string;
  /** Models to declare (names as in `ollama list`, e.g. "qwen2.5:7b"). */
  readonly models?: ReadonlyArray<string | BackendModel>;
  /** Ollama has no auth of its own; set this when it sits behind a proxy that wants a bearer token. */
  readonly apiKeyEnv?: string | null;
  readonly env?: Env;
  readonly maxConcurrent?: number;
}

interface OllamaLine {
  message?: { content?: string };
  response?: string;
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

export class OllamaBackend extends HttpBackend implements LlmBackend {
  readonly name = 'ollama';

  constructor(o: OllamaOptions = {}) {
    const { client, keyError } = keyedClient({
      backend: 'ollama',
      baseUrl: (o.baseUrl ?? OLLAMA_DEFAULT_URL).replace(/\/+$/, ''),
      keyEnv: o.apiKeyEnv,
      env: o.env ?? process.env,
      headers: (key) => ({ authorization: `Bearer ${key}` }),
    });
    const models = (o.models ?? []).map((m) =>
      typeof m === 'string' ? describeModel(m, false) : { ...m, requires_internet: false },
    );
    super(models, o.maxConcurrent ?? OLLAMA_DEFAULT_MAX_CONCURRENT, client, keyError);
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const body = (await this.client.getJson('/api/tags', signal)) as { models?: Array<{ name?: unknown }> } | null; // the vendor's JSON
    if (!Array.isArray(body?.models)) throw new LlmError('bad_response', 'ollama sent a model list without "models"');
    return body.models.map((m) => m.name).filter((n): n is string => typeof n === 'string');
  }

  chat(req: ChatRequest): Generation {
    checkMessages(req.messages);
    const o = this.resolve(req, DEFAULT_CHAT_MAX_TOKENS);
    const body = {
      model: o.model,
      messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      options: options(o),
    };
    return this.stream('/api/chat', body, o, () =>
      countTokensApprox(o.model, req.messages.map((m) => m.content).join('\n')),
    );
  }

  complete(req: CompleteRequest): Generation {
    if (typeof req.prompt !== 'string' || req.prompt === '')
      throw new LlmError('bad_request', 'prompt must be a non-empty string');
    const o = this.resolve(req, DEFAULT_COMPLETE_MAX_TOKENS);
    // raw: the prompt is text to continue, not a user turn to wrap in the chat template.
    const body = { model: o.model, prompt: req.prompt, raw: true, stream: true, options: options(o) };
    return this.stream('/api/generate', body, o, () => countTokensApprox(o.model, req.prompt));
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
      for await (const raw of readNdjson(bodyOf(res))) {
        const line = raw as OllamaLine;
        if (line.error)
          throw new LlmError('bad_response', client.redact(`ollama reported an error mid-answer: ${line.error}`));
        const piece = line.message?.content ?? line.response;
        if (piece) yield piece;
        if (line.done) {
          stats.complete = true;
          stats.stopReason = mapStopReason(line.done_reason) ?? 'stop';
          stats.tokensIn = line.prompt_eval_count;
          stats.tokensOut = line.eval_count;
          break;
        }
      }
      return stats;
    });
  }
}

function options(o: ResolvedOptions) {
  return {
    num_predict: o.maxTokens,
    temperature: o.temperature,
    top_p: o.topP,
    ...(o.stop.length ? { stop: o.stop } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };
}
