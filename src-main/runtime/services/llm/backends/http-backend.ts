/**
 * What the HTTP backends (OpenAI-compatible, Ollama, Anthropic) share: configured models, a
 * concurrency cap, an API key read once whose error surfaces on first use, and the LlmBackend
 * chores that do not depend on the vendor's wire format.
 */
import { readApiKey, type Env } from './api-key';
import {
  resolveOptions,
  type BackendHealth,
  type BackendModel,
  type ChatRequest,
  type CompleteRequest,
  type ResolvedOptions,
} from './base';
import { LlmError } from './errors';
import { HttpClient } from './http-client';
import { promiseTry } from '../../../../common';
import { countTokensApprox } from '../tokenizers';

/** An HttpClient for `backend`, with the key from `keyEnv` in `headers(key)`; a missing key becomes `keyError`. */
export function keyedClient(o: {
  backend: string;
  baseUrl: string;
  keyEnv: string | null | undefined;
  env: Env;
  headers: (key: string) => Record<string, string>;
}): { client: HttpClient; keyError: LlmError | null } {
  let key: string | null = null;
  let keyError: LlmError | null = null;
  try {
    key = readApiKey(o.keyEnv, o.env, o.backend);
  } catch (e) {
    keyError = e as LlmError;
  }
  const client = new HttpClient({
    baseUrl: o.baseUrl,
    backend: o.backend,
    headers: key ? o.headers(key) : {},
    secrets: key ? [key] : [],
  });
  return { client, keyError };
}

/** Shared health probe: ok when the model list answers. */
export async function probeHealth(backend: string, list: () => Promise<string[]>): Promise<BackendHealth> {
  const t0 = Date.now();
  try {
    const models = await list();
    return { backend, ok: true, detail: `reachable, ${models.length} model(s)`, models, latency_ms: Date.now() - t0 };
  } catch (e) {
    return {
      backend,
      ok: false,
      detail: e instanceof Error ? e.message : 'unreachable',
      models: [],
      latency_ms: Date.now() - t0,
    };
  }
}

export abstract class HttpBackend {
  abstract readonly name: string;

  protected constructor(
    readonly models: readonly BackendModel[],
    private readonly concurrency: number,
    protected readonly client: HttpClient,
    protected readonly keyError: LlmError | null,
  ) {}

  abstract listModels(signal?: AbortSignal): Promise<string[]>;

  maxConcurrent(_model?: string): number {
    return this.concurrency;
  }

  countTokens(model: string, text: string): number {
    return countTokensApprox(model, text);
  }

  warm(model: string): Promise<void> {
    return promiseTry(() => {
      this.checkModel(model);
    });
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing to release.
  }

  async health(): Promise<BackendHealth> {
    return probeHealth(this.name, () => this.listModels());
  }

  protected resolve(req: ChatRequest | CompleteRequest, defaultMax: number): ResolvedOptions {
    const o = resolveOptions(req, defaultMax);
    this.checkModel(o.model);
    return o;
  }

  protected checkModel(model: string): void {
    if (!this.models.some((m) => m.name === model))
      throw new LlmError('model_not_found', `model "${model}" is not configured for ${this.name}`);
  }

  /** The client, or the key error if the configured key variable is unset. */
  protected http(): HttpClient {
    if (this.keyError) throw this.keyError;
    return this.client;
  }
}
