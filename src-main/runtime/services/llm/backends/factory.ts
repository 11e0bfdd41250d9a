/** buildBackends: turns `[[llm.backends]]` config entries (§2 of ../shared/spec/hearthnet-reference.md LlmBackendConfig) into LlmBackend instances. */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { AnthropicApiBackend } from './anthropic';
import type { Env } from './api-key';
import type { LlmBackend } from './base';
import { HfApiBackend } from './hf-api';
import { LlamaCppBackend } from './llama-cpp';
import { OllamaBackend } from './ollama';
import { LmStudioBackend, NemotronBackend, OpenBmbBackend, VllmBackend } from './openai-vendors';
import { ConfigError } from '../../../config';

/** The config names the reference allows, in its order. */
export const BACKEND_NAMES = [
  'llama_cpp',
  'ollama',
  'lmstudio',
  'vllm',
  'hf_api',
  'anthropic_api',
  'nemotron',
  'openbmb',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One `[[llm.backends]]` entry, snake_case as in the TOML. */
export interface LlmBackendConfig {
  readonly name: string;
  readonly url?: string | null;
  readonly model?: string | null;
  readonly api_key_env?: string | null;
}

export interface BuildContext {
  readonly env: Env;
  /** Where GGUF files live; a bare `model` file name for llama_cpp is looked up here. */
  readonly modelsDir: string;
  /** llama_cpp tuning (threads, sequences); defaults otherwise. */
  readonly llama?: { readonly threads?: number; readonly maxConcurrent?: number; readonly contextSize?: number };
}

function need(c: LlmBackendConfig, i: number): string {
  if (!c.model)
    throw new ConfigError('config_invalid', `llm.backends[${i}] (${c.name}) needs a "model"`, {
      details: { index: i, key: 'model' },
    });
  return c.model;
}

/** NVIDIA's own hosts mean the cloud; any other URL is a self-hosted NIM/vLLM endpoint. */
function isNvidiaCloud(url: string): boolean {
  try {
    return /(^|\.)nvidia\.com$/i.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Build every configured backend (cheap: no I/O besides checking a GGUF file exists).
 * Throws ConfigError('unknown_backend') for a name outside BACKEND_NAMES and
 * ConfigError('config_invalid') for a missing model or GGUF file; nothing is built then.
 */
export function buildBackends(configs: readonly LlmBackendConfig[], ctx: BuildContext): LlmBackend[] {
  const makers = configs.map((c, i) => maker(c, i, ctx));
  return makers.map((m) => m());
}

function maker(c: LlmBackendConfig, i: number, ctx: BuildContext): () => LlmBackend {
  const env = ctx.env;
  const url = c.url ?? undefined;
  const keyEnv = c.api_key_env ?? undefined;
  switch (c.name as BackendName) {
    case 'llama_cpp': {
      const m = need(c, i);
      const path = isAbsolute(m) ? m : join(ctx.modelsDir, m);
      if (!existsSync(path))
        throw new ConfigError('config_invalid', `llm.backends[${i}] (llama_cpp): model file not found: ${path}`, {
          details: { index: i, key: 'model' },
        });
      return () => new LlamaCppBackend({ modelPath: path, ...ctx.llama });
    }
    case 'ollama': {
      const m = need(c, i);
      return () => new OllamaBackend({ baseUrl: url, models: [m], apiKeyEnv: keyEnv, env });
    }
    case 'lmstudio': {
      const m = need(c, i);
      return () => new LmStudioBackend({ baseUrl: url, model: m, apiKeyEnv: keyEnv, env });
    }
    case 'vllm': {
      const m = need(c, i);
      return () => new VllmBackend({ baseUrl: url, model: m, apiKeyEnv: keyEnv, env });
    }
    case 'hf_api': {
      const m = need(c, i);
      return () => new HfApiBackend({ baseUrl: url, model: m, tokenEnv: keyEnv, env });
    }
    case 'anthropic_api':
      return () => new AnthropicApiBackend({ baseUrl: url, model: c.model ?? undefined, tokenEnv: keyEnv, env });
    case 'nemotron':
      return () =>
        new NemotronBackend({
          baseUrl: url,
          model: c.model ?? undefined,
          apiKeyEnv: keyEnv,
          local: url !== undefined && !isNvidiaCloud(url),
          env,
        });
    case 'openbmb':
      return () => new OpenBmbBackend({ baseUrl: url, model: c.model ?? undefined, apiKeyEnv: keyEnv, env });
    default:
      throw new ConfigError(
        'unknown_backend',
        `llm.backends[${i}]: unknown backend "${c.name}"; use one of ${BACKEND_NAMES.join(', ')}`,
        { details: { index: i, key: 'name' } },
      );
  }
}
