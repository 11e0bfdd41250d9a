/** Thin OpenAI-compatible vendors (§9 of ../shared/spec/hearthnet-reference.md §3.2, §24): LM Studio, vLLM, OpenBMB (MiniCPM), NVIDIA Nemotron. */
import type { Env } from './api-key';
import type { BackendModel } from './base';
import { OpenAiCompatibleBackend } from './openai-compatible';

/** Options every thin vendor takes; each fills its own defaults. */
export interface VendorOptions {
  readonly baseUrl?: string;
  /** One model name, or several (names or full entries). */
  readonly model?: string;
  readonly models?: ReadonlyArray<string | BackendModel>;
  readonly apiKeyEnv?: string | null;
  readonly env?: Env;
  readonly maxConcurrent?: number;
}

function pick(o: VendorOptions, fallback: readonly string[]): ReadonlyArray<string | BackendModel> {
  return o.models ?? (o.model ? [o.model] : fallback);
}

export const LMSTUDIO_DEFAULT_URL = 'http://localhost:1234';
/** LM Studio's local server. Models are whatever the user loaded; declare the configured one. */
export class LmStudioBackend extends OpenAiCompatibleBackend {
  constructor(o: VendorOptions & { model: string }) {
    super({
      name: 'lmstudio',
      baseUrl: o.baseUrl ?? LMSTUDIO_DEFAULT_URL,
      models: pick(o, []),
      requiresInternet: false,
      apiKeyEnv: o.apiKeyEnv,
      env: o.env,
      maxConcurrent: o.maxConcurrent,
    });
  }
}

export const VLLM_DEFAULT_URL = 'http://localhost:8000';
/** A vLLM (or SGLang, or llama.cpp `llama-server`) OpenAI-compatible server on the LAN or this machine. */
export class VllmBackend extends OpenAiCompatibleBackend {
  constructor(o: VendorOptions & { model: string }) {
    super({
      name: 'vllm',
      baseUrl: o.baseUrl ?? VLLM_DEFAULT_URL,
      models: pick(o, []),
      requiresInternet: false,
      apiKeyEnv: o.apiKeyEnv,
      env: o.env,
      maxConcurrent: o.maxConcurrent,
    });
  }
}

export const OPENBMB_DEFAULT_URL = 'http://localhost:8000';
export const OPENBMB_DEFAULT_MODEL = 'openbmb/MiniCPM4-8B';
/** OpenBMB MiniCPM served locally (vLLM / SGLang / llama.cpp serve); always local, never needs internet. */
export class OpenBmbBackend extends OpenAiCompatibleBackend {
  constructor(o: VendorOptions = {}) {
    super({
      name: 'openbmb',
      baseUrl: o.baseUrl ?? OPENBMB_DEFAULT_URL,
      models: pick(o, [OPENBMB_DEFAULT_MODEL]),
      requiresInternet: false,
      apiKeyEnv: o.apiKeyEnv,
      env: o.env,
      maxConcurrent: o.maxConcurrent,
    });
  }
}

export const NEMOTRON_DEFAULT_URL = 'https://integrate.api.nvidia.com/v1';
export const NEMOTRON_DEFAULT_MODEL = 'nvidia/llama-3.1-nemotron-70b-instruct';
export const NEMOTRON_DEFAULT_KEY_ENV = 'NVIDIA_API_KEY';
/**
 * NVIDIA Nemotron. Cloud by default (needs internet and NVIDIA_API_KEY); `local: true` for a
 * self-hosted NIM / vLLM endpoint, which needs neither internet nor, by default, a key.
 */
export class NemotronBackend extends OpenAiCompatibleBackend {
  constructor(o: VendorOptions & { local?: boolean } = {}) {
    const local = o.local ?? false;
    super({
      name: 'nemotron',
      baseUrl: o.baseUrl ?? NEMOTRON_DEFAULT_URL,
      models: pick(o, [NEMOTRON_DEFAULT_MODEL]),
      requiresInternet: !local,
      apiKeyEnv: o.apiKeyEnv !== undefined ? o.apiKeyEnv : local ? null : NEMOTRON_DEFAULT_KEY_ENV,
      env: o.env,
      maxConcurrent: o.maxConcurrent,
    });
  }
}
