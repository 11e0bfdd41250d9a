/**
 * The OpenAI-compatible endpoint (`/v1/models`, `/v1/chat/completions`, `/v1/completions`,
 * `/v1/embeddings`): any OpenAI client on this machine can use every model of the mesh, each
 * request routed through the capability bus with params `{ model }`.
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context, type Next } from 'hono';
import { ulid } from 'ulidx';
import type { CapabilityBus } from '../bus';
import type { Frame } from '../transport/contract';
import { openAiError, OpenAiRequestError, toOpenAiError, type OpenAiErrorResponse } from './errors';
import { instancesOf, listModels } from './models';
import { sseResponse, type SseEnd } from './sse';
import {
  chatRequest,
  completionRequest,
  embeddingRequest,
  finishReason,
  usageOf,
  vectorBase64,
  type BusGeneration,
} from './translate';

/** Texts per embed.text call (the capability's maxItems); longer inputs are split. */
export const OPENAI_EMBED_BATCH = 256;

export interface OpenAiAppOptions {
  readonly bus: Pick<CapabilityBus, 'call' | 'stream' | 'registry' | 'health'>;
  /** The local API token; every request must carry `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Route prefix (default `/v1`); mount the app at the server root. */
  readonly basePath?: string;
  /** Epoch ms (the `created` field). */
  readonly now?: () => number;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith('Bearer ') ? header.slice(7) : '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return token.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

function send(c: Context, e: OpenAiErrorResponse): Response {
  return c.json(e.body, e.status as 400, e.headers);
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new OpenAiRequestError('We could not parse the JSON body of your request as JSON.');
  }
}

type Kind = 'chat' | 'text';

/** Build the Hono app. Routes answer OpenAI-shaped JSON, errors included. */
export function createOpenAiApp(opts: OpenAiAppOptions): Hono {
  const base = opts.basePath ?? '/v1';
  const now = opts.now ?? Date.now;
  const bus = opts.bus;
  const app = new Hono();
  const created = () => Math.floor(now() / 1000);

  app.use(`${base}/*`, async (c: Context, next: Next) => {
    if (!tokenMatches(c.req.header('authorization'), opts.token)) {
      return send(
        c,
        openAiError(
          401,
          'Incorrect API key provided. Use the local API token of this HearthNet node (hearthnet status shows where it is).',
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    await next();
  });
  app.onError((err, c) => send(c, toOpenAiError(err)));

  app.get(`${base}/models`, (c) => c.json({ object: 'list', data: listModels(bus) }));
  app.get(`${base}/models/:model{.+}`, (c) => {
    const m = listModels(bus).find((x) => x.id === c.req.param('model'));
    return m ? c.json(m) : send(c, notFound(c.req.param('model')));
  });

  const generation = async (c: Context, kind: Kind) => {
    const g = kind === 'chat' ? chatRequest(await jsonBody(c)) : completionRequest(await jsonBody(c));
    const capability = kind === 'chat' ? 'llm.chat' : 'llm.complete';
    if (instancesOf(bus, capability, g.model).length === 0) return send(c, notFound(g.model));
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${ulid()}`;
    if (!g.stream) {
      const r = (await bus.call(capability, '1.0', g.body, {
        params: { model: g.model },
        signal: c.req.raw.signal,
      })) as Record<string, unknown>;
      const choice =
        kind === 'chat'
          ? {
              index: 0,
              message: { role: 'assistant', content: r.text, refusal: null },
              logprobs: null,
              finish_reason: finishReason(r.stop_reason),
            }
          : { index: 0, text: r.text, logprobs: null, finish_reason: finishReason(r.stop_reason) };
      return c.json({
        id,
        object: kind === 'chat' ? 'chat.completion' : 'text_completion',
        created: created(),
        model: g.model,
        choices: [choice],
        usage: usageOf(r),
        system_fingerprint: null,
      });
    }
    return streamGeneration(c, kind, capability, g, id, created());
  };

  const streamGeneration = async (
    c: Context,
    kind: Kind,
    capability: string,
    g: BusGeneration,
    id: string,
    ts: number,
  ) => {
    const ctl = new AbortController();
    const reqSignal = c.req.raw.signal;
    const onGone = () => ctl.abort();
    reqSignal.addEventListener('abort', onGone, { once: true });
    const it = bus
      .stream(capability, '1.0', g.body, { params: { model: g.model }, signal: ctl.signal })
      [Symbol.asyncIterator]();
    let first: IteratorResult<Frame>;
    try {
      first = await it.next(); // errors before the first frame keep their HTTP status (404, 429, ...)
    } catch (e) {
      reqSignal.removeEventListener('abort', onGone);
      throw e;
    }
    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const usageField = g.includeUsage ? { usage: null } : {};
    const chunk = (choice: Record<string, unknown>) => ({
      id,
      object,
      created: ts,
      model: g.model,
      system_fingerprint: null,
      choices: [choice],
      ...usageField,
    });
    const piece = (text: string, finish: string | null) =>
      kind === 'chat'
        ? chunk({ index: 0, delta: finish === null ? { content: text } : {}, logprobs: null, finish_reason: finish })
        : chunk({ index: 0, text, logprobs: null, finish_reason: finish });
    async function* events(): AsyncGenerator<unknown, SseEnd> {
      try {
        if (kind === 'chat')
          yield chunk({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
        for (let r = first; !r.done; r = await it.next()) {
          const f = r.value;
          if (f.event === 'token') yield piece(String(f.data.text), null);
          else if (f.event === 'done') {
            yield piece('', finishReason(f.data.stop_reason));
            if (g.includeUsage)
              yield {
                id,
                object,
                created: ts,
                model: g.model,
                system_fingerprint: null,
                choices: [],
                usage: usageOf(f.data),
              };
            return 'done';
          }
        }
        return 'done';
      } catch (e) {
        // Mid-stream failure: OpenAI clients raise an API error on a chunk carrying `error`.
        yield toOpenAiError(e).body;
        return 'error';
      } finally {
        reqSignal.removeEventListener('abort', onGone);
        await it.return(undefined).catch(() => {});
      }
    }
    return sseResponse(events(), () => ctl.abort());
  };

  app.post(`${base}/chat/completions`, (c) => generation(c, 'chat'));
  app.post(`${base}/completions`, (c) => generation(c, 'text'));

  app.post(`${base}/embeddings`, async (c) => {
    const r = embeddingRequest(await jsonBody(c));
    if (instancesOf(bus, 'embed.text', r.model).length === 0) return send(c, notFound(r.model));
    const vectors: number[][] = [];
    for (let i = 0; i < r.texts.length; i += OPENAI_EMBED_BATCH) {
      const out = (await bus.call(
        'embed.text',
        '1.0',
        { texts: r.texts.slice(i, i + OPENAI_EMBED_BATCH), model: r.model },
        { params: { model: r.model }, signal: c.req.raw.signal },
      )) as { vectors: number[][] };
      vectors.push(...out.vectors);
    }
    const tokens = r.texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    return c.json({
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: r.encoding === 'base64' ? vectorBase64(v) : v,
      })),
      model: r.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  return app;
}

function notFound(model: string): OpenAiErrorResponse {
  return openAiError(
    404,
    `The model \`${model}\` does not exist on your HearthNet community right now (GET /v1/models lists the available ones).`,
    'invalid_request_error',
    'model_not_found',
  );
}
