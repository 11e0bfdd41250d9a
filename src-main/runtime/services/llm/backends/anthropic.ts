/** AnthropicApiBackend: Claude via the Messages API (POST /v1/messages, SSE event stream), needs internet. */
import type { Env } from './api-key';
import {
  checkMessages,
  DEFAULT_CHAT_MAX_TOKENS,
  DEFAULT_COMPLETE_MAX_TOKENS,
  type ChatMessage,
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
import { DEFAULT_HTTP_MAX_CONCURRENT } from './openai-compatible';
import { readSse } from './stream-readers';
import { countTokensApprox } from '../tokenizers';
import { bodyOf } from './http-client';

export const ANTHROPIC_DEFAULT_URL = 'https://api.anthropic.com';
export const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-4-6';
export const ANTHROPIC_DEFAULT_KEY_ENV = 'ANTHROPIC_API_KEY';
export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicOptions {
  readonly model?: string;
  readonly tokenEnv?: string;
  readonly baseUrl?: string;
  readonly env?: Env;
  readonly maxConcurrent?: number;
}

interface AnthropicEvent {
  type?: string;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  delta?: { type?: string; text?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number; input_tokens?: number };
  error?: { type?: string; message?: string };
}

export class AnthropicApiBackend extends HttpBackend implements LlmBackend {
  readonly name = 'anthropic_api';

  constructor(o: AnthropicOptions = {}) {
    const { client, keyError } = keyedClient({
      backend: 'anthropic_api',
      baseUrl: (o.baseUrl ?? ANTHROPIC_DEFAULT_URL).replace(/\/+$/, ''),
      keyEnv: o.tokenEnv ?? ANTHROPIC_DEFAULT_KEY_ENV,
      env: o.env ?? process.env,
      headers: (key) => ({ 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION }),
    });
    super(
      [describeModel(o.model ?? ANTHROPIC_DEFAULT_MODEL, true)],
      o.maxConcurrent ?? DEFAULT_HTTP_MAX_CONCURRENT,
      client,
      keyError,
    );
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const body = (await this.http().getJson('/v1/models', signal)) as { data?: Array<{ id?: unknown }> } | null; // the vendor's JSON
    if (!Array.isArray(body?.data))
      throw new LlmError('bad_response', 'anthropic_api sent a model list without "data"');
    return body.data.map((m) => m.id).filter((id): id is string => typeof id === 'string');
  }

  chat(req: ChatRequest): Generation {
    checkMessages(req.messages);
    const o = this.resolve(req, DEFAULT_CHAT_MAX_TOKENS);
    return this.stream(o, req.messages, req.temperature === undefined && req.topP !== undefined);
  }

  /** The Messages API has no raw completion: the prompt is sent as one user turn. */
  complete(req: CompleteRequest): Generation {
    if (typeof req.prompt !== 'string' || req.prompt === '')
      throw new LlmError('bad_request', 'prompt must be a non-empty string');
    const o = this.resolve(req, DEFAULT_COMPLETE_MAX_TOKENS);
    return this.stream(
      o,
      [{ role: 'user', content: req.prompt }],
      req.temperature === undefined && req.topP !== undefined,
    );
  }

  /**
   * System messages go to the top-level `system` field. Current Claude models refuse requests that
   * set both temperature and top_p, so top_p is sent only when the caller set it and not temperature.
   */
  private stream(o: ResolvedOptions, messages: readonly ChatMessage[], useTopP: boolean): Generation {
    const client = this.http();
    const system = messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const body = {
      model: o.model,
      max_tokens: o.maxTokens,
      messages: messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
      ...(system ? { system } : {}),
      ...(useTopP ? { top_p: o.topP } : { temperature: Math.min(o.temperature, 1) }),
      ...(o.stop.length ? { stop_sequences: o.stop } : {}),
      stream: true,
    };
    return httpGeneration(
      client,
      o,
      () => countTokensApprox(o.model, messages.map((m) => m.content).join('\n')),
      async function* (signal): AsyncGenerator<string, StreamStats, undefined> {
        const res = await client.postJson('/v1/messages', body, signal);
        const stats: StreamStats = { complete: false };
        for await (const ev of readSse(bodyOf(res))) {
          const e = JSON.parse(ev.data) as AnthropicEvent;
          switch (e.type ?? ev.event) {
            case 'message_start':
              stats.tokensIn = e.message?.usage?.input_tokens;
              break;
            case 'content_block_delta':
              if (e.delta?.type === 'text_delta' && e.delta.text) yield e.delta.text;
              break;
            case 'message_delta':
              stats.stopReason = mapStopReason(e.delta?.stop_reason) ?? stats.stopReason;
              stats.tokensOut = e.usage?.output_tokens ?? stats.tokensOut;
              break;
            case 'message_stop':
              stats.complete = true;
              return stats;
            case 'error': {
              const code =
                e.error?.type === 'overloaded_error' || e.error?.type === 'rate_limit_error'
                  ? 'rate_limited'
                  : 'bad_response';
              throw new LlmError(
                code,
                client.redact(`Claude reported an error mid-answer: ${e.error?.message ?? e.error?.type ?? 'unknown'}`),
              );
            }
            default:
              // ping, content_block_start, content_block_stop: nothing to do.
              break;
          }
        }
        return stats;
      },
    );
  }
}
