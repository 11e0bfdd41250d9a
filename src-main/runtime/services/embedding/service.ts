/** M11 §3.2 of ../shared/spec/hearthnet-reference.md EmbeddingService: offers the configured embedding backend as `embed.text@1.0` on the capability bus. */
import { RPC_DEFAULT_TIMEOUT_SECONDS } from '../../../common';
import { defineCapability } from '../../bus';
import type { CapabilityDescriptor, HandlerContext, ParamsPredicate } from '../../bus';
import type { Logger } from '../../observability';
import type { Service, ServiceCapability } from '../base';
import type { EmbeddingBackend } from './backend';
import { NO_EMBEDDING_MODEL_MESSAGE } from './factory';
import {
  EMBED_TEXT_REQUEST_SCHEMA,
  EMBED_TEXT_RESPONSE_SCHEMA,
  type EmbedTextRequest,
  type EmbedTextResponse,
} from './schemas';
import { BusError } from '../../bus';
import { StartGate } from '../../lifecycle';

/** Concurrent `embed.text` calls one node serves (the backend batches inside each call). */
export const EMBED_MAX_CONCURRENT = 4;

/** §8: the requested model must equal the offered one. */
export const embedParamsCompatible: ParamsPredicate = (offered, requested) => requested.model === offered.model;

/** The `embed.text@1.0` descriptor for `model` (empty params for the standard contract). */
export function embedDescriptor(model?: string): CapabilityDescriptor {
  return defineCapability({
    name: 'embed.text',
    version: [1, 0],
    stability: 'stable',
    request_schema: EMBED_TEXT_REQUEST_SCHEMA,
    response_schema: EMBED_TEXT_RESPONSE_SCHEMA,
    params: model === undefined ? {} : { model },
    max_concurrent: EMBED_MAX_CONCURRENT,
    trust_required: 'member',
    timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
    idempotent: true,
  });
}

/** The standard contract every node learns: `bus.learn(d.descriptor, d.paramsCompatible)`. */
export function embeddingDescriptors(): Array<{ descriptor: CapabilityDescriptor; paramsCompatible: ParamsPredicate }> {
  return [{ descriptor: embedDescriptor(), paramsCompatible: embedParamsCompatible }];
}

export interface EmbeddingServiceOptions {
  /** null when no embedding model is installed: the service then offers nothing. */
  readonly backend: EmbeddingBackend | null;
  /** Why there is no backend (createEmbeddingBackend's explanation), for health(). */
  readonly explanation?: string;
  readonly log?: Logger;
}

export class EmbeddingService implements Service {
  readonly name = 'embedding';
  readonly version = '1.0';
  readonly #backend: EmbeddingBackend | null;
  readonly #explanation: string;
  readonly #log: Logger | undefined;
  #state: 'cold' | 'ready' | 'failed' | 'closed' = 'cold';
  #detail = 'not started';
  readonly #gate = new StartGate(
    () => this.#load(),
    () => this.#close(),
  );

  constructor(opts: EmbeddingServiceOptions) {
    this.#backend = opts.backend;
    this.#explanation = opts.explanation ?? NO_EMBEDDING_MODEL_MESSAGE;
    this.#log = opts.log;
  }

  capabilities(): ServiceCapability[] {
    const b = this.#backend;
    if (!b || this.#state === 'failed' || this.#state === 'closed') return [];
    return [
      {
        descriptor: embedDescriptor(b.model),
        paramsCompatible: embedParamsCompatible,
        handler: (ctx) => this.#embed(b, ctx),
      },
    ];
  }

  /** Loads the model; a failure is logged and the capability withdrawn. Idempotent; after `stop()` it loads again. */
  start(): Promise<void> {
    return this.#gate.start();
  }

  stop(): Promise<void> {
    return this.#gate.stop();
  }

  async #load(): Promise<void> {
    if (!this.#backend) return;
    try {
      await this.#backend.warm();
      this.#state = 'ready';
      this.#detail = 'ready';
    } catch (e) {
      this.#state = 'failed';
      this.#detail = e instanceof Error ? e.message : String(e);
      this.#log?.warn('embedding model failed to load; embed.text not offered', {
        model: this.#backend.model,
        error: this.#detail,
      });
    }
  }

  async #close(): Promise<void> {
    this.#state = 'closed';
    await this.#backend?.close();
  }

  health(): Record<string, unknown> {
    if (!this.#backend) return { ok: false, model: null, detail: this.#explanation };
    return {
      ok: this.#state === 'ready',
      model: this.#backend.model,
      dim: this.#backend.dim,
      state: this.#state,
      detail: this.#detail,
      backend: this.#backend.health(),
    };
  }

  async #embed(b: EmbeddingBackend, ctx: HandlerContext): Promise<EmbedTextResponse> {
    const body = ctx.body as EmbedTextRequest;
    if (body.model !== undefined && body.model !== b.model)
      throw new BusError('not_found', `this node embeds with "${b.model}", not "${body.model}"`);
    const vectors = await b.embed(body.texts, { normalize: body.normalize ?? true, signal: ctx.signal });
    return { model: b.model, dim: b.dim, vectors: vectors.map((v) => Array.from(v)) };
  }
}
