/** Fake OpenAI-compatible server (OpenAI, LM Studio, vLLM, NIM, HF router): /v1/models and streaming chat/completions. */
import type { ServerResponse } from 'node:http';
import type { LlmBackend } from '../../../src-main/runtime/services/llm';
import { generate } from './generate';
import { sendJson, startFakeServer, takeRateLimit, type FakeServer } from './server';

export interface FakeOpenAiOptions {
  readonly backend: LlmBackend;
  /** Model ids this server claims; requests for others get OpenAI's 404. */
  readonly models: string[];
  /** Required bearer token; null = no auth (local servers). */
  readonly apiKey: string | null;
  /** Path prefix before /chat/completions etc. (default "/v1"). */
  readonly prefix?: string;
}

function sse(res: ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

export async function startFakeOpenAi(o: FakeOpenAiOptions): Promise<FakeServer> {
  const prefix = o.prefix ?? '/v1';
  return startFakeServer(async (req, body, res, { faults, signal }) => {
    const auth = req.headers.authorization ?? '';
    if (o.apiKey !== null && auth !== `Bearer ${o.apiKey}`) {
      // Real OpenAI quotes (part of) the offending key back; we quote all of it to test redaction.
      const given = auth.replace(/^Bearer /, '');
      sendJson(res, 401, {
        error: {
          message: `Incorrect API key provided: ${given}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      return;
    }
    const retry = takeRateLimit(faults);
    if (retry !== null) {
      sendJson(
        res,
        429,
        {
          error: {
            message: 'Rate limit reached for requests',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        { 'retry-after': String(retry) },
      );
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === `${prefix}/models`) {
      sendJson(res, 200, {
        object: 'list',
        data: o.models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })),
      });
      return;
    }
    const isChat = path === `${prefix}/chat/completions`;
    if (req.method !== 'POST' || (!isChat && path !== `${prefix}/completions`) || !body) {
      sendJson(res, 404, {
        error: {
          message: `Unknown request URL: ${req.method} ${path}`,
          type: 'invalid_request_error',
          code: 'unknown_url',
        },
      });
      return;
    }
    const model = String(body.model);
    if (!o.models.includes(model)) {
      sendJson(res, 404, {
        error: {
          message: `The model \`${model}\` does not exist or you do not have access to it.`,
          type: 'invalid_request_error',
          param: null,
          code: 'model_not_found',
        },
      });
      return;
    }
    const id = `cmpl-${Date.now()}`;
    const object = isChat ? 'chat.completion.chunk' : 'text_completion';
    const choice = (text: string | null, finish: string | null) =>
      isChat
        ? { index: 0, delta: text === null ? {} : { content: text }, logprobs: null, finish_reason: finish }
        : { index: 0, text: text ?? '', logprobs: null, finish_reason: finish };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    if (isChat)
      sse(res, {
        id,
        object,
        created: 0,
        model,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      });
    let sent = 0;
    const stop = typeof body.stop === 'string' ? [body.stop] : (body.stop as string[] | undefined);
    const result = await generate(
      o.backend,
      {
        messages: isChat ? (body.messages as never) : undefined,
        prompt: isChat ? undefined : String(body.prompt),
        maxTokens: body.max_tokens as number,
        temperature: body.temperature as number,
        topP: body.top_p as number,
        stop,
        seed: body.seed as number | undefined,
      },
      signal,
      (text) => {
        if (faults.disconnectAfter !== undefined && sent >= faults.disconnectAfter) {
          res.socket?.destroy();
          return false;
        }
        sent++;
        sse(res, { id, object, created: 0, model, choices: [choice(text, null)] });
        return true;
      },
    );
    if (!result) return;
    sse(res, {
      id,
      object,
      created: 0,
      model,
      choices: [choice(null, result.stop_reason === 'length' ? 'length' : 'stop')],
    });
    const opts = body.stream_options as { include_usage?: boolean } | undefined;
    if (opts?.include_usage)
      sse(res, {
        id,
        object,
        created: 0,
        model,
        choices: [],
        usage: {
          prompt_tokens: result.tokens_in,
          completion_tokens: result.tokens_out,
          total_tokens: result.tokens_in + result.tokens_out,
        },
      });
    sse(res, '[DONE]');
    res.end();
  });
}
