/** Fake Anthropic Messages API: POST /v1/messages streaming every documented SSE event type; GET /v1/models. */
import type { ServerResponse } from 'node:http';
import type { LlmBackend } from '../../../src-main/runtime/services/llm';
import { generate } from './generate';
import { sendJson, startFakeServer, takeRateLimit, type FakeServer } from './server';

export interface FakeAnthropicOptions {
  readonly backend: LlmBackend;
  readonly models: string[];
  readonly apiKey: string;
  /** Send an `error` event (overloaded_error) after this many pieces instead of finishing. */
  errorAfter?: number;
}

function event(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

const err = (type: string, message: string) => ({ type: 'error', error: { type, message } });

export async function startFakeAnthropic(
  o: FakeAnthropicOptions,
): Promise<FakeServer & { options: FakeAnthropicOptions }> {
  const server = await startFakeServer(async (req, body, res, { faults, signal }) => {
    if (req.headers['x-api-key'] !== o.apiKey) {
      sendJson(res, 401, err('authentication_error', 'invalid x-api-key'));
      return;
    }
    if (req.headers['anthropic-version'] !== '2023-06-01') {
      sendJson(res, 400, err('invalid_request_error', 'anthropic-version header is required'));
      return;
    }
    const retry = takeRateLimit(faults);
    if (retry !== null) {
      sendJson(res, 429, err('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), {
        'retry-after': String(retry),
      });
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        data: o.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
        has_more: false,
        first_id: o.models[0],
        last_id: o.models.at(-1),
      });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages' || !body) {
      sendJson(res, 404, err('not_found_error', 'Not found'));
      return;
    }
    const model = String(body.model);
    if (!o.models.includes(model)) {
      sendJson(res, 404, err('not_found_error', `model: ${model}`));
      return;
    }
    if (typeof body.max_tokens !== 'number') {
      sendJson(res, 400, err('invalid_request_error', 'max_tokens: Field required'));
      return;
    }
    if (body.temperature !== undefined && body.top_p !== undefined) {
      sendJson(
        res,
        400,
        err('invalid_request_error', '`temperature` and `top_p` cannot both be specified for this model.'),
      );
      return;
    }
    const messages = [
      ...(typeof body.system === 'string' && body.system ? [{ role: 'system', content: body.system }] : []),
      ...(body.messages as Array<{ role: string; content: string }>),
    ];
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const id = `msg_${Date.now()}`;
    // Real Claude counts input tokens before answering; we count them with the model's own tokenizer.
    const inputTokens = o.backend.countTokens(o.backend.models[0].name, messages.map((m) => m.content).join('\n'));
    event(res, 'message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    });
    event(res, 'content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event(res, 'ping', {});
    let sent = 0;
    let cut = false;
    const result = await generate(
      o.backend,
      {
        messages: messages as never,
        maxTokens: body.max_tokens,
        temperature: body.temperature as number | undefined,
        topP: body.top_p as number | undefined,
        stop: body.stop_sequences as string[] | undefined,
      },
      signal,
      (text) => {
        if (faults.disconnectAfter !== undefined && sent >= faults.disconnectAfter) {
          res.socket?.destroy();
          cut = true;
          return false;
        }
        if (o.errorAfter !== undefined && sent >= o.errorAfter) {
          event(res, 'error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
          res.end();
          cut = true;
          return false;
        }
        sent++;
        event(res, 'content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
        return true;
      },
    );
    if (!result || cut) return;
    event(res, 'content_block_stop', { index: 0 });
    const stop_reason =
      result.stop_reason === 'length'
        ? 'max_tokens'
        : result.stop_reason === 'stop_sequence'
          ? 'stop_sequence'
          : 'end_turn';
    event(res, 'message_delta', {
      delta: { stop_reason, stop_sequence: null },
      usage: { output_tokens: result.tokens_out },
    });
    event(res, 'message_stop', {});
    res.end();
  });
  return Object.assign(server, { options: o });
}
