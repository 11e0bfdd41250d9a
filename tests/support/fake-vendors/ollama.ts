/** Fake Ollama server: GET /api/tags, POST /api/chat and /api/generate streaming NDJSON. */
import type { LlmBackend } from '../../../src-main/runtime/services/llm';
import { generate } from './generate';
import { sendJson, startFakeServer, takeRateLimit, type FakeServer } from './server';

export interface FakeOllamaOptions {
  readonly backend: LlmBackend;
  readonly models: string[];
}

export async function startFakeOllama(o: FakeOllamaOptions): Promise<FakeServer> {
  return startFakeServer(async (req, body, res, { faults, signal }) => {
    const retry = takeRateLimit(faults);
    if (retry !== null) {
      sendJson(
        res,
        429,
        { error: 'server busy, please try again. maximum pending requests exceeded' },
        { 'retry-after': String(retry) },
      );
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/api/tags') {
      sendJson(res, 200, {
        models: o.models.map((name) => ({
          name,
          model: name,
          modified_at: '2025-01-01T00:00:00Z',
          size: 1_200_000,
          digest: 'sha256:0',
          details: { format: 'gguf', family: 'llama', parameter_size: '260K', quantization_level: 'F32' },
        })),
      });
      return;
    }
    const isChat = path === '/api/chat';
    if (req.method !== 'POST' || (!isChat && path !== '/api/generate') || !body) {
      sendJson(res, 404, { error: '404 page not found' });
      return;
    }
    const model = String(body.model);
    if (!o.models.includes(model)) {
      sendJson(res, 404, { error: `model '${model}' not found, try pulling it first` });
      return;
    }
    const opt = (body.options ?? {}) as Record<string, unknown>;
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const line = (x: unknown) => res.write(JSON.stringify(x) + '\n');
    const created_at = new Date(0).toISOString();
    let sent = 0;
    const result = await generate(
      o.backend,
      {
        messages: isChat ? (body.messages as never) : undefined,
        prompt: isChat ? undefined : String(body.prompt),
        maxTokens: opt.num_predict as number,
        temperature: opt.temperature as number,
        topP: opt.top_p as number,
        stop: opt.stop as string[] | undefined,
        seed: opt.seed as number | undefined,
      },
      signal,
      (text) => {
        if (faults.disconnectAfter !== undefined && sent >= faults.disconnectAfter) {
          res.socket?.destroy();
          return false;
        }
        sent++;
        line(
          isChat
            ? { model, created_at, message: { role: 'assistant', content: text }, done: false }
            : { model, created_at, response: text, done: false },
        );
        return true;
      },
    );
    if (!result) return;
    const stats = {
      done: true,
      done_reason: result.stop_reason === 'length' ? 'length' : 'stop',
      total_duration: result.ms * 1e6,
      load_duration: 0,
      prompt_eval_count: result.tokens_in,
      eval_count: result.tokens_out,
    };
    line(
      isChat
        ? { model, created_at, message: { role: 'assistant', content: '' }, ...stats }
        : { model, created_at, response: '', ...stats },
    );
    res.end();
  });
}
