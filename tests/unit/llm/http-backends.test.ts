/** Every HTTP backend against a fake server speaking its vendor's wire format with real stories260K tokens. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWireError } from '../../../src-main/common';
import {
  AnthropicApiBackend,
  collect,
  HfApiBackend,
  LlamaCppBackend,
  LlmError,
  LmStudioBackend,
  NemotronBackend,
  OllamaBackend,
  OpenBmbBackend,
  VllmBackend,
  type ChatMessage,
  type LlmBackend,
} from '../../../src-main/runtime/services/llm';
import { startFakeAnthropic, startFakeOllama, startFakeOpenAi, type FakeServer } from '../../support/fake-vendors';
import { skipWithoutModel, STORIES_GGUF } from '../../support/models';

const skip = skipWithoutModel('HTTP backends', STORIES_GGUF);
const KEY = 'sk-test-7f3a9c2e5b1d4680';
const WRONG = 'sk-wrong-0123456789abcdef';
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'Tell short stories.' },
  { role: 'user', content: 'Once upon a time' },
];

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<LlmError> {
  let e: unknown = null;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(LlmError);
  return e as LlmError;
}

/** A port nothing listens on: bind one, then close it. */
async function deadUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

interface Vendor {
  label: string;
  model: string;
  keyed: boolean;
  /** Does the vendor report exact input tokens from the real generation? */
  exactIn: boolean;
  start(local: LlamaCppBackend): Promise<FakeServer>;
  make(url: string, env: Record<string, string>, model?: string): LlmBackend;
  env(key: string): Record<string, string>;
}

const VENDORS: Vendor[] = [
  {
    label: 'lmstudio (OpenAI format)',
    model: 'qwen2.5-7b-instruct',
    keyed: true,
    exactIn: true,
    start: (b) => startFakeOpenAi({ backend: b, models: ['qwen2.5-7b-instruct'], apiKey: KEY }),
    make: (url, env, model) =>
      new LmStudioBackend({ baseUrl: url, model: model ?? 'qwen2.5-7b-instruct', apiKeyEnv: 'LMSTUDIO_API_KEY', env }),
    env: (k) => ({ LMSTUDIO_API_KEY: k }),
  },
  {
    label: 'nemotron cloud (OpenAI format)',
    model: 'nvidia/llama-3.1-nemotron-70b-instruct',
    keyed: true,
    exactIn: true,
    start: (b) => startFakeOpenAi({ backend: b, models: ['nvidia/llama-3.1-nemotron-70b-instruct'], apiKey: KEY }),
    make: (url, env, model) => new NemotronBackend({ baseUrl: `${url}/v1`, model, env }),
    env: (k) => ({ NVIDIA_API_KEY: k }),
  },
  {
    label: 'hf_api router (OpenAI format)',
    model: 'Qwen/Qwen2.5-7B-Instruct',
    keyed: true,
    exactIn: true,
    start: (b) => startFakeOpenAi({ backend: b, models: ['Qwen/Qwen2.5-7B-Instruct'], apiKey: KEY }),
    make: (url, env, model) =>
      new HfApiBackend({ baseUrl: `${url}/v1`, model: model ?? 'Qwen/Qwen2.5-7B-Instruct', env }),
    env: (k) => ({ HF_TOKEN: k }),
  },
  {
    label: 'openbmb (OpenAI format, no key)',
    model: 'openbmb/MiniCPM4-8B',
    keyed: false,
    exactIn: true,
    start: (b) => startFakeOpenAi({ backend: b, models: ['openbmb/MiniCPM4-8B'], apiKey: null }),
    make: (url, env, model) => new OpenBmbBackend({ baseUrl: url, model, env }),
    env: () => ({}),
  },
  {
    label: 'ollama (NDJSON)',
    model: 'llama3.2:1b',
    keyed: false,
    exactIn: true,
    start: (b) => startFakeOllama({ backend: b, models: ['llama3.2:1b'] }),
    make: (url, env, model) => new OllamaBackend({ baseUrl: url, models: [model ?? 'llama3.2:1b'], env }),
    env: () => ({}),
  },
  {
    label: 'anthropic (Messages SSE)',
    model: 'claude-sonnet-4-6',
    keyed: true,
    exactIn: false,
    start: (b) => startFakeAnthropic({ backend: b, models: ['claude-sonnet-4-6'], apiKey: KEY }),
    make: (url, env, model) => new AnthropicApiBackend({ baseUrl: url, model, env }),
    env: (k) => ({ ANTHROPIC_API_KEY: k }),
  },
];

describe.skipIf(skip)('HTTP backends against fake vendors', () => {
  let local: LlamaCppBackend;
  beforeAll(async () => {
    local = new LlamaCppBackend({ modelPath: STORIES_GGUF!, maxConcurrent: 2, threads: 1, contextSize: 512 });
    await local.warm('stories260K');
  });
  afterAll(async () => {
    await local?.close();
  });

  describe.each(VENDORS)('$label', (v) => {
    let fake: FakeServer;
    let be: LlmBackend;
    beforeAll(async () => {
      fake = await v.start(local);
      be = v.make(fake.url, v.env(KEY));
    });
    afterAll(async () => {
      await be?.close();
      await fake?.close();
    });

    it('streams the real model text and reports token counts from the vendor', async () => {
      const pieces: string[] = [];
      const r = await collect(be.chat({ model: v.model, messages: MESSAGES, maxTokens: 16, temperature: 0 }), (t) =>
        pieces.push(t.text),
      );
      const direct = await collect(
        local.chat({ model: 'stories260K', messages: MESSAGES, maxTokens: 16, temperature: 0 }),
      );
      expect(r.text).toBe(direct.text);
      expect(pieces.join('')).toBe(r.text);
      expect(pieces.length).toBeGreaterThan(1);
      expect(r.tokens_out).toBe(direct.tokens_out);
      if (v.exactIn) expect(r.tokens_in).toBe(direct.tokens_in);
      else expect(r.tokens_in).toBeGreaterThan(0);
      expect(r.stop_reason).toBe(direct.stop_reason);
    });

    it('completes a prompt and passes max_tokens and stop through', async () => {
      const r = await collect(
        be.complete({ model: v.model, prompt: 'Once upon a time', maxTokens: 30, temperature: 0, stop: ['.'] }),
      );
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.text).not.toContain('.');
      expect(r.tokens_out).toBeLessThanOrEqual(30);
      const last = fake.requests.at(-1)!.body!;
      expect(JSON.stringify(last)).toContain('"."');
      expect(JSON.stringify(last)).toMatch(/"(max_tokens|num_predict)":30/);
    });

    it('lists the server models and reports health', async () => {
      expect(await be.listModels()).toContain(v.model);
      const h = await be.health();
      expect(h.ok).toBe(true);
      expect(h.models).toContain(v.model);
    });

    it.skipIf(!v.keyed)('a wrong key is auth_failed and the key never appears in the error', async () => {
      const bad = v.make(fake.url, v.env(WRONG));
      const e = await errorOf(collect(bad.chat({ model: v.model, messages: MESSAGES, maxTokens: 4 })));
      expect(e.code).toBe('auth_failed');
      expect(e.wireCode).toBe('forbidden');
      expect(e.message).not.toContain(WRONG);
      expect(JSON.stringify(toWireError(e))).not.toContain(WRONG);
      expect((await bad.health()).ok).toBe(false);
    });

    it.skipIf(!v.keyed)('a missing key variable is auth_failed naming the variable', async () => {
      const e = await errorOf(() => v.make(fake.url, {}).chat({ model: v.model, messages: MESSAGES }));
      expect(e.code).toBe('auth_failed');
      expect(e.message).toContain(Object.keys(v.env(KEY))[0]);
    });

    it('429 is rate_limited with the retry-after carried to the wire', async () => {
      fake.faults.rateLimitNext = 2;
      const e = await errorOf(collect(be.chat({ model: v.model, messages: MESSAGES, maxTokens: 4 })));
      expect(e.code).toBe('rate_limited');
      expect(e.retryAfterMs).toBe(2000);
      expect(toWireError(e)).toMatchObject({ code: 'capacity_exceeded', retry_after_ms: 2000 });
    });

    it('a model the server lacks is model_not_found', async () => {
      const ghost = v.make(fake.url, v.env(KEY), 'ghost-model');
      const e = await errorOf(collect(ghost.chat({ model: 'ghost-model', messages: MESSAGES, maxTokens: 4 })));
      expect(e.code).toBe('model_not_found');
      expect(e.wireCode).toBe('not_found');
      expect((await errorOf(() => be.chat({ model: 'not-configured', messages: MESSAGES }))).code).toBe(
        'model_not_found',
      );
    });

    it('a server that is down is backend_unreachable', async () => {
      const down = v.make(await deadUrl(), v.env(KEY));
      const e = await errorOf(collect(down.chat({ model: v.model, messages: MESSAGES, maxTokens: 4 })));
      expect(e.code).toBe('backend_unreachable');
      expect(e.wireCode).toBe('partition');
      expect(e.message).not.toContain(KEY);
      expect((await down.health()).ok).toBe(false);
    });

    it('a connection cut mid-stream is backend_unreachable after the pieces already sent', async () => {
      fake.faults.disconnectAfter = 3;
      try {
        const got: string[] = [];
        const e = await errorOf(
          collect(be.chat({ model: v.model, messages: MESSAGES, maxTokens: 40, temperature: 0 }), (t) =>
            got.push(t.text),
          ),
        );
        expect(e.code).toBe('backend_unreachable');
        expect(got.length).toBe(3);
      } finally {
        delete fake.faults.disconnectAfter;
      }
    });

    it('abort mid-stream stops with cancelled', async () => {
      const ctl = new AbortController();
      let n = 0;
      const e = await errorOf(
        (async () => {
          for await (const t of be.chat({
            model: v.model,
            messages: MESSAGES,
            maxTokens: 300,
            temperature: 0.8,
            signal: ctl.signal,
          }))
            if (!t.stop && ++n === 2) ctl.abort();
        })(),
      );
      expect(e.code).toBe('cancelled');
      expect(n).toBeLessThan(40);
      // The backend still works afterwards.
      expect((await collect(be.chat({ model: v.model, messages: MESSAGES, maxTokens: 4 }))).tokens_out).toBeGreaterThan(
        0,
      );
    });
  });

  it('anthropic: an error event mid-stream (overloaded) is rate_limited', async () => {
    const fake = await startFakeAnthropic({
      backend: local,
      models: ['claude-sonnet-4-6'],
      apiKey: KEY,
      errorAfter: 2,
    });
    try {
      const be = new AnthropicApiBackend({ baseUrl: fake.url, env: { ANTHROPIC_API_KEY: KEY } });
      const e = await errorOf(
        collect(be.chat({ model: 'claude-sonnet-4-6', messages: MESSAGES, maxTokens: 30, temperature: 0 })),
      );
      expect(e.code).toBe('rate_limited');
      const body = fake.requests.at(-1)!;
      expect(body.body).toMatchObject({
        system: 'Tell short stories.',
        messages: [{ role: 'user', content: 'Once upon a time' }],
        stream: true,
      });
      expect(body.headers['anthropic-version']).toBe('2023-06-01');
    } finally {
      await fake.close();
    }
  });

  it('VllmBackend and local Nemotron need no key and need no internet', async () => {
    const fake = await startFakeOpenAi({ backend: local, models: ['m'], apiKey: null });
    try {
      const vllm = new VllmBackend({ baseUrl: fake.url, model: 'm', env: {} });
      const nim = new NemotronBackend({ baseUrl: fake.url, model: 'm', local: true, env: {} });
      for (const be of [vllm, nim]) {
        expect(be.models[0].requires_internet).toBe(false);
        expect(
          (await collect(be.complete({ model: 'm', prompt: 'The cat', maxTokens: 5 }))).tokens_out,
        ).toBeGreaterThan(0);
        expect(fake.requests.at(-1)!.headers.authorization).toBeUndefined();
      }
      expect(new NemotronBackend({ env: {} }).models[0]).toMatchObject({
        requires_internet: true,
        quant: 'api',
        ctx_max: 128000,
      });
    } finally {
      await fake.close();
    }
  });
});
