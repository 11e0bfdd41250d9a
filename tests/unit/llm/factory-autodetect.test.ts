/** buildBackends config mapping and detectLocalServers against real loopback servers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicApiBackend,
  buildBackends,
  detectLocalServers,
  HfApiBackend,
  LlamaCppBackend,
  LlmError,
  LmStudioBackend,
  NemotronBackend,
  OllamaBackend,
  OpenBmbBackend,
  VllmBackend,
} from '../../../src-main/runtime/services/llm';
import { sendJson, startFakeServer, type FakeServer } from '../../support/fake-vendors';
import { ConfigError } from '../../../src-main/runtime/config';

describe('buildBackends', () => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'hn-llm-'));
  afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));
  writeFileSync(join(modelsDir, 'tiny.gguf'), 'not really a model');
  const env = { NVIDIA_API_KEY: 'nv-key-1234', HF_TOKEN: 'hf_abcd', ANTHROPIC_API_KEY: 'sk-ant-1234' };

  it('maps every reference backend name to its class with the config values', () => {
    const backends = buildBackends(
      [
        { name: 'llama_cpp', model: 'tiny.gguf' },
        { name: 'ollama', model: 'qwen2.5:7b' },
        { name: 'lmstudio', url: 'http://192.168.188.25:1234', model: 'qwen2.5-7b-instruct' },
        { name: 'vllm', url: 'http://10.0.0.2:8000', model: 'meta-llama/Llama-3.1-8B-Instruct' },
        { name: 'hf_api', model: 'Qwen/Qwen2.5-7B-Instruct' },
        { name: 'anthropic_api' },
        {
          name: 'nemotron',
          url: 'https://integrate.api.nvidia.com/v1',
          model: 'nvidia/llama-3.1-nemotron-70b-instruct',
          api_key_env: 'NVIDIA_API_KEY',
        },
        { name: 'openbmb', url: 'http://localhost:8000', model: 'openbmb/MiniCPM4-8B' },
      ],
      { env, modelsDir },
    );
    expect(backends.map((b) => b.constructor)).toEqual([
      LlamaCppBackend,
      OllamaBackend,
      LmStudioBackend,
      VllmBackend,
      HfApiBackend,
      AnthropicApiBackend,
      NemotronBackend,
      OpenBmbBackend,
    ]);
    expect(backends.map((b) => b.name)).toEqual([
      'llama_cpp',
      'ollama',
      'lmstudio',
      'vllm',
      'hf_api',
      'anthropic_api',
      'nemotron',
      'openbmb',
    ]);
    expect(backends.map((b) => b.models[0].name)).toEqual([
      'tiny',
      'qwen2.5:7b',
      'qwen2.5-7b-instruct',
      'meta-llama/Llama-3.1-8B-Instruct',
      'Qwen/Qwen2.5-7B-Instruct',
      'claude-sonnet-4-6',
      'nvidia/llama-3.1-nemotron-70b-instruct',
      'openbmb/MiniCPM4-8B',
    ]);
    expect(backends.map((b) => b.models[0].requires_internet)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(backends[7].models[0]).toMatchObject({ quant: 'fp16', ctx_max: 32768 });
  });

  it('a nemotron URL that is not NVIDIA cloud is a local NIM (no internet needed)', () => {
    const [b] = buildBackends([{ name: 'nemotron', url: 'http://192.168.1.5:8000' }], { env: {}, modelsDir });
    expect(b.models[0].requires_internet).toBe(false);
  });

  it('rejects unknown names, missing models and missing GGUF files, building nothing', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return e as InstanceType<typeof ConfigError>;
      }
      throw new Error('expected a ConfigError');
    };
    expect(
      err(() => buildBackends([{ name: 'ollama', model: 'm' }, { name: 'gpt4all' }], { env, modelsDir })).code,
    ).toBe('unknown_backend');
    expect(err(() => buildBackends([{ name: 'lmstudio' }], { env, modelsDir })).code).toBe('config_invalid');
    const e = err(() => buildBackends([{ name: 'llama_cpp', model: 'missing.gguf' }], { env, modelsDir }));
    expect(e.code).toBe('config_invalid');
    expect(e.message).toContain('missing.gguf');
  });

  it('a cloud backend whose key variable is unset builds, but fails calls with auth_failed', async () => {
    const [b] = buildBackends([{ name: 'hf_api', model: 'x/y' }], { env: {}, modelsDir });
    expect(() => b.chat({ model: 'x/y', messages: [{ role: 'user', content: 'hi' }] })).toThrow(LlmError);
    const h = await b.health();
    expect(h.ok).toBe(false);
    expect(h.detail).toContain('HF_TOKEN');
  });
});

describe('detectLocalServers', () => {
  let ollama: FakeServer;
  let openai: FakeServer;
  let junk: FakeServer;
  beforeAll(async () => {
    ollama = await startFakeServer((req, _b, res) => {
      if (req.url === '/api/tags') sendJson(res, 200, { models: [{ name: 'llama3.2:1b' }] });
      else sendJson(res, 404, { error: 'nope' });
      return Promise.resolve();
    });
    openai = await startFakeServer((req, _b, res) => {
      if (req.url === '/v1/models') sendJson(res, 200, { object: 'list', data: [{ id: 'qwen2.5-7b-instruct' }] });
      else sendJson(res, 404, {});
      return Promise.resolve();
    });
    junk = await startFakeServer((_req, _b, res) => {
      sendJson(res, 200, { hello: 'world' });
      return Promise.resolve();
    });
  });
  afterAll(async () => {
    await Promise.all([ollama?.close(), openai?.close(), junk?.close()]);
  });

  it('finds servers that answer like their kind and ignores others', async () => {
    // A generous timeout: on a loaded CI machine the default 300 ms can pass before a local server answers.
    const found = await detectLocalServers({
      timeoutMs: 5_000,
      ports: { ollama: ollama.port, lmstudio: openai.port, llamacpp_server: junk.port, vllm: ollama.port },
    });
    expect(found).toEqual([
      { kind: 'ollama', backend: 'ollama', url: `http://127.0.0.1:${ollama.port}`, models: ['llama3.2:1b'] },
      {
        kind: 'lmstudio',
        backend: 'lmstudio',
        url: `http://127.0.0.1:${openai.port}`,
        models: ['qwen2.5-7b-instruct'],
      },
    ]);
  });

  it('refuses to probe anything but loopback', async () => {
    await expect(detectLocalServers({ host: '192.168.1.10' })).rejects.toMatchObject({ code: 'bad_request' });
  });
});
