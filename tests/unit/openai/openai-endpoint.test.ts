/**
 * The OpenAI-compatible endpoint on bob, whose bus routes to alice's real stories260K and Model2Vec
 * models: requests exactly as the OpenAI JS SDK sends them (plain fetch), and the repo's own
 * OpenAiCompatibleBackend as a standard-format client.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiApp } from '../../../src-main/runtime/openai';
import {
  EmbeddingService,
  embeddingDescriptors,
  StaticModel2VecBackend,
} from '../../../src-main/runtime/services/embedding';
import {
  collect,
  LlamaCppBackend,
  LlmService,
  llmDescriptors,
  OpenAiCompatibleBackend,
} from '../../../src-main/runtime/services/llm';
import { MODEL2VEC_DIR, skipWithoutModel, STORIES_GGUF } from '../../support/models';
import { createMesh, waitFor, type Mesh } from '../bus/loopback-mesh';

const skip = skipWithoutModel('OpenAI endpoint', STORIES_GGUF) || skipWithoutModel('OpenAI endpoint', MODEL2VEC_DIR);
const MODEL = 'stories260K';
const EMBED = 'model2vec-bge-64d-q';
const TOKEN = 'local-token-123';

/** The headers the OpenAI JS SDK (v4) sends with every request. */
function sdkHeaders(token = TOKEN): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: `Bearer ${token}`,
    'user-agent': 'OpenAI/JS 4.77.0',
    'x-stainless-lang': 'js',
    'x-stainless-package-version': '4.77.0',
    'x-stainless-os': 'Linux',
    'x-stainless-arch': 'x64',
    'x-stainless-runtime': 'node',
    'x-stainless-runtime-version': process.version,
    'x-stainless-retry-count': '0',
  };
}

/** Parse `data:` events of an SSE body; returns the JSON events and whether `[DONE]` came last. */
function parseSse(text: string): { events: Array<Record<string, unknown>>; done: boolean } {
  const datas = text
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6));
  const done = datas.at(-1) === '[DONE]';
  return { events: datas.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, unknown>), done };
}

describe.skipIf(skip)('OpenAI-compatible endpoint', () => {
  let mesh: Mesh;
  let llm: LlmService;
  let emb: EmbeddingService;
  let server: ServerType;
  let url: string;
  const post = (path: string, body: unknown, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: sdkHeaders(), body: JSON.stringify(body), ...init });
  const running = () => (llm.health().models as Array<{ running: number }>)[0].running;

  beforeAll(async () => {
    llm = new LlmService({
      backends: [new LlamaCppBackend({ modelPath: STORIES_GGUF!, maxConcurrent: 1, threads: 1, contextSize: 512 })],
      waitQueue: 0,
    });
    emb = new EmbeddingService({ backend: new StaticModel2VecBackend({ dir: MODEL2VEC_DIR!, model: EMBED }) });
    await Promise.all([llm.start(), emb.start()]);
    mesh = createMesh(['alice', 'bob']);
    mesh.node('alice').bus.registerService(llm);
    mesh.node('alice').bus.registerService(emb);
    for (const n of mesh.nodes)
      for (const d of [...llmDescriptors(), ...embeddingDescriptors()]) n.bus.learn(d.descriptor, d.paramsCompatible);
    mesh.sync();
    const app = createOpenAiApp({ bus: mesh.node('bob').bus, token: TOKEN });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
        url = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await llm?.stop();
    await emb?.stop();
  });

  it('refuses requests without the right bearer token with OpenAI error JSON', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, sdkHeaders('wrong')]) {
      const r = await fetch(`${url}/v1/models`, { headers });
      expect(r.status).toBe(401);
      expect(await r.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'invalid_api_key', message: expect.any(String) as unknown },
      });
    }
  });

  it('lists every model on the mesh', async () => {
    const r = await fetch(`${url}/v1/models`, { headers: sdkHeaders() });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      object: string;
      data: Array<{ id: string; object: string; hearthnet: { capabilities: string[] } }>;
    };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual([EMBED, MODEL]);
    expect(body.data.find((m) => m.id === MODEL)?.hearthnet.capabilities).toEqual(['llm.chat', 'llm.complete']);
    expect((await fetch(`${url}/v1/models/${MODEL}`, { headers: sdkHeaders() })).status).toBe(200);
    expect((await fetch(`${url}/v1/models/nope`, { headers: sdkHeaders() })).status).toBe(404);
  });

  it('chat completions: non-stream and stream (with usage) give the same text', async () => {
    const req = {
      model: MODEL,
      messages: [
        { role: 'developer', content: 'Be kind.' },
        { role: 'user', content: [{ type: 'text', text: 'Tell me a story' }] },
      ],
      max_tokens: 24,
      temperature: 0,
    };
    const r = await post('/v1/chat/completions', req);
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      object: string;
      choices: Array<{ message: { role: string; content: string }; finish_reason: string }>;
      usage: { completion_tokens: number; total_tokens: number; prompt_tokens: number };
    };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.role).toBe('assistant');
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(24);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 24);

    const s = await post('/v1/chat/completions', { ...req, stream: true, stream_options: { include_usage: true } });
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events, done } = parseSse(await s.text());
    expect(done).toBe(true);
    expect(events.every((e) => e.object === 'chat.completion.chunk')).toBe(true);
    const choices = events.flatMap(
      (e) => e.choices as Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>,
    );
    expect(choices[0].delta.role).toBe('assistant');
    expect(choices.map((c) => c.delta.content ?? '').join('')).toBe(body.choices[0].message.content);
    expect(choices.at(-1)?.finish_reason).toBe('length');
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 24 } });
  });

  it('completions: stream and non-stream', async () => {
    const req = { model: MODEL, prompt: 'Once upon a time', max_tokens: 12, temperature: 0 };
    const r = (await (await post('/v1/completions', req)).json()) as {
      object: string;
      choices: Array<{ text: string; finish_reason: string }>;
    };
    expect(r.object).toBe('text_completion');
    const s = parseSse(await (await post('/v1/completions', { ...req, stream: true })).text());
    expect(s.done).toBe(true);
    expect(
      s.events
        .flatMap((e) => e.choices as Array<{ text: string }>)
        .map((c) => c.text)
        .join(''),
    ).toBe(r.choices[0].text);
    expect(s.events.every((e) => !('usage' in e))).toBe(true); // no usage unless asked for
  });

  it('embeddings: float and base64 (the SDK default) agree', async () => {
    const input = ['borrow a ladder', 'the weather is cold'];
    const f = (await (await post('/v1/embeddings', { model: EMBED, input })).json()) as {
      data: Array<{ embedding: number[]; index: number }>;
      usage: { prompt_tokens: number };
    };
    expect(f.data).toHaveLength(2);
    expect(f.data[1].index).toBe(1);
    expect(f.data[0].embedding).toHaveLength(64);
    const b = (await (
      await post('/v1/embeddings', { model: EMBED, input: input[0], encoding_format: 'base64' })
    ).json()) as { data: Array<{ embedding: string }> };
    const buf = Buffer.from(b.data[0].embedding, 'base64');
    const decoded = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    expect(decoded).toEqual(f.data[0].embedding.map((x) => Math.fround(x)));
  });

  it('maps errors: unknown model 404, bad requests 400', async () => {
    const nf = await post('/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(nf.status).toBe(404);
    expect(await nf.json()).toMatchObject({ error: { code: 'model_not_found', type: 'invalid_request_error' } });
    const cases: Array<[unknown, string | null]> = [
      [{ model: MODEL }, 'messages'],
      [{ model: MODEL, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
      [{ model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 5 }, null],
      [{ model: MODEL, messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n'],
    ];
    for (const [body, param] of cases) {
      const r = await post('/v1/chat/completions', body);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: { type: 'invalid_request_error', param } });
    }
    const bad = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: sdkHeaders(), body: '{not json' });
    expect(bad.status).toBe(400);
    expect((await post('/v1/embeddings', { model: EMBED, input: [[1, 2]] })).status).toBe(400);
    expect(running()).toBe(0);
  });

  it('a busy model answers 429 with Retry-After; a client that disconnects frees the slot', async () => {
    const ctl = new AbortController();
    const held = await post(
      '/v1/chat/completions',
      { model: MODEL, messages: [{ role: 'user', content: 'story' }], max_tokens: 400, stream: true },
      { signal: ctl.signal },
    );
    const reader = held.body!.getReader();
    await reader.read(); // at least the first chunk: the slot is taken
    expect(running()).toBe(1);
    const busy = await post('/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
    });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(busy.headers.get('retry-after-ms')).toMatch(/^\d+$/);
    expect(await busy.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    ctl.abort();
    await reader.cancel().catch(() => {});
    await waitFor(() => running() === 0, 5_000, 'slot freed after disconnect');
    expect(
      (await post('/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }))
        .status,
    ).toBe(200);
  });

  it("serves the repo's own OpenAiCompatibleBackend as a standard client", async () => {
    const client = new OpenAiCompatibleBackend({
      name: 'hearthnet',
      baseUrl: url,
      models: [MODEL],
      requiresInternet: false,
      apiKeyEnv: 'HN_TOKEN',
      env: { HN_TOKEN: TOKEN },
    });
    expect(await client.listModels()).toContain(MODEL);
    const pieces: string[] = [];
    const res = await collect(
      client.chat({
        model: MODEL,
        messages: [{ role: 'user', content: 'Tell me a story' }],
        maxTokens: 16,
        temperature: 0,
      }),
      (t) => pieces.push(t.text),
    );
    expect(res.tokens_out).toBe(16);
    expect(res.stop_reason).toBe('length');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(res.text);
    const direct = (await mesh.node('alice').bus.call(
      'llm.chat',
      '1.0',
      {
        model: MODEL,
        messages: [{ role: 'user', content: 'Tell me a story' }],
        max_tokens: 16,
        temperature: 0,
        stream: false,
      },
      { params: { model: MODEL } },
    )) as { text: string };
    expect(res.text).toBe(direct.text);
    const comp = await collect(
      client.complete({ model: MODEL, prompt: 'Once upon a time', maxTokens: 8, temperature: 0 }),
    );
    expect(comp.tokens_out).toBe(8);
    const wrongKey = new OpenAiCompatibleBackend({
      name: 'hearthnet',
      baseUrl: url,
      models: [MODEL],
      requiresInternet: false,
      apiKeyEnv: 'HN_TOKEN',
      env: { HN_TOKEN: 'nope' },
    });
    expect(await wrongKey.health()).toMatchObject({ ok: false });
  });
});
