/** HfApiBackend: Hugging Face Inference Providers router, OpenAI-compatible chat completions, needs internet. */
import type { Env } from './api-key';
import { OpenAiCompatibleBackend } from './openai-compatible';

export const HF_ROUTER_URL = 'https://router.huggingface.co/v1';
export const HF_DEFAULT_TOKEN_ENV = 'HF_TOKEN';

export interface HfApiOptions {
  readonly model: string;
  readonly tokenEnv?: string;
  /** Override the router URL (tests, proxies). */
  readonly baseUrl?: string;
  readonly env?: Env;
  readonly maxConcurrent?: number;
}

/**
 * The router speaks /v1/chat/completions; `complete()` uses /v1/completions, which only some
 * providers behind the router serve (others answer 404 -> model_not_found).
 */
export class HfApiBackend extends OpenAiCompatibleBackend {
  constructor(o: HfApiOptions) {
    super({
      name: 'hf_api',
      baseUrl: o.baseUrl ?? HF_ROUTER_URL,
      models: [o.model],
      requiresInternet: true,
      apiKeyEnv: o.tokenEnv ?? HF_DEFAULT_TOKEN_ENV,
      env: o.env,
      maxConcurrent: o.maxConcurrent,
    });
  }
}
