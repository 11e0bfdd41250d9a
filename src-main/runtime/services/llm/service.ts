/** M04 §3.4 of ../shared/spec/hearthnet-reference.md LlmService: offers every (backend, model) as llm.chat@1.0 / llm.complete@1.0 on the capability bus. */
import { HearthError, LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS } from '../../../common';
import type { HandlerContext } from '../../bus';
import type { Logger, Metrics } from '../../observability';
import type { FrameData } from '../../transport/contract';
import type { Service, ServiceCapability } from '../base';
import { Admission, LLM_WAIT_QUEUE_DEFAULT } from './admission';
import type { ChatResult, Generation, LlmBackend } from './backends/base';
import {
  LLM_CAPABILITY_KINDS,
  llmDescriptor,
  llmParams,
  llmParamsCompatible,
  type LlmCapabilityName,
} from './descriptors';
import type { LlmChatWireRequest, LlmCompleteWireRequest } from './schemas';
import { BusError } from '../../bus';
import { StartGate } from '../../lifecycle';

/** Token pieces produced within this many ms of the previous frame are sent together: one frame per screen refresh (60 Hz) is as fast as anyone reads. */
export const LLM_TOKEN_BATCH_MS = 16;

export interface LlmServiceOptions {
  readonly backends: readonly LlmBackend[];
  readonly metrics?: Metrics;
  readonly log?: Logger;
  /** Epoch ms (only for `ms` in results when a backend reports none). */
  readonly now?: () => number;
  /** Requests that may wait per model beyond the running ones (default LLM_WAIT_QUEUE_DEFAULT). */
  readonly waitQueue?: number;
  /** Whole-generation deadline in ms (default LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS). */
  readonly generationTimeoutMs?: number;
}

/** One (backend, model) pair and its state. */
interface Instance {
  readonly backend: LlmBackend;
  readonly model: string;
  readonly admission: Admission;
  state: 'cold' | 'ready' | 'failed' | 'closed';
  detail: string;
}

type WireRequest = LlmChatWireRequest & LlmCompleteWireRequest;

export class LlmService implements Service {
  readonly name = 'llm';
  readonly version = '1.0';
  readonly #instances: Instance[];
  readonly #metrics: Metrics | undefined;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #gate = new StartGate(
    () => this.#warmAll(),
    () => this.#closeAll(),
  );

  constructor(opts: LlmServiceOptions) {
    this.#metrics = opts.metrics;
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
    this.#timeoutMs = opts.generationTimeoutMs ?? LLM_GENERATION_DEFAULT_TIMEOUT_SECONDS * 1000;
    const queue = opts.waitQueue ?? LLM_WAIT_QUEUE_DEFAULT;
    this.#instances = opts.backends.flatMap((backend) =>
      backend.models.map((m) => ({
        backend,
        model: m.name,
        state: 'cold' as const,
        detail: 'not started',
        admission: new Admission(`${m.name} on ${backend.name}`, Math.max(1, backend.maxConcurrent(m.name)), queue),
      })),
    );
  }

  /** Offered instances: every model not known to have failed (after `start()`, only warmed ones). */
  capabilities(): ServiceCapability[] {
    return this.#instances
      .filter((i) => i.state === 'cold' || i.state === 'ready')
      .flatMap((i) => LLM_CAPABILITY_KINDS.map((name) => this.#capability(i, name)));
  }

  /**
   * Warms every model; one that fails is logged, reported by `health()` and not offered.
   * Idempotent; after `stop()` it warms the models again (the backends reopen).
   */
  start(): Promise<void> {
    return this.#gate.start();
  }

  /** Fails waiting requests and closes every backend. Idempotent. */
  stop(): Promise<void> {
    return this.#gate.stop();
  }

  async #warmAll(): Promise<void> {
    for (const i of this.#instances) {
      try {
        await i.backend.warm(i.model);
        i.state = 'ready';
        i.detail = 'ready';
      } catch (e) {
        i.state = 'failed';
        i.detail = e instanceof Error ? e.message : String(e);
        this.#log?.warn('llm model failed to warm; not offered', {
          backend: i.backend.name,
          model: i.model,
          error: i.detail,
        });
      }
    }
  }

  async #closeAll(): Promise<void> {
    for (const i of this.#instances) {
      i.state = 'closed';
      i.admission.drain(new BusError('cancelled', `${i.model} is shutting down`));
    }
    for (const b of new Set(this.#instances.map((i) => i.backend))) {
      await b
        .close()
        .catch((e: unknown) => this.#log?.warn('llm backend failed to close', { backend: b.name, error: String(e) }));
    }
  }

  health(): Record<string, unknown> {
    const models = this.#instances.map((i) => ({
      backend: i.backend.name,
      model: i.model,
      state: i.state,
      detail: i.detail,
      running: i.admission.running,
      waiting: i.admission.waiting,
    }));
    const ready = models.filter((m) => m.state === 'ready').length;
    return { ok: ready > 0, ready, failed: models.filter((m) => m.state === 'failed').length, models };
  }

  #capability(i: Instance, name: LlmCapabilityName): ServiceCapability {
    const meta = i.backend.models.find((m) => m.name === i.model);
    if (!meta) throw new Error(`backend ${i.backend.name} does not list its model ${i.model}`); // instances come from its list
    const descriptor = llmDescriptor(name, llmParams(i.backend.name, meta), i.admission.capacity);
    return { descriptor, paramsCompatible: llmParamsCompatible, handler: (ctx) => this.#handle(i, name, ctx) };
  }

  #handle(i: Instance, name: LlmCapabilityName, ctx: HandlerContext): Promise<unknown> | AsyncIterable<FrameData> {
    const body = ctx.body as WireRequest;
    if (body.model !== i.model) {
      // The router matched params, but the body names another model: refuse rather than answer with the wrong one.
      return Promise.reject(new BusError('not_found', `this instance serves "${i.model}", not "${body.model}"`));
    }
    const frames = this.#frames(i, name, body, ctx.signal);
    if (ctx.stream) return frames;
    return (async () => {
      let text = '';
      for await (const f of frames) {
        if (f.event === 'token') text += String(f.data.text);
        else if (f.event === 'done') return { text, ...(f.data as Omit<ChatResult, 'text'>) };
      }
      throw new BusError('internal_error', `${i.model} ended without a result`);
    })();
  }

  /** Token frames then one done frame. Nothing is held until the first `next()`; everything is freed on exit. */
  async *#frames(
    i: Instance,
    name: LlmCapabilityName,
    body: WireRequest,
    signal: AbortSignal,
  ): AsyncGenerator<FrameData> {
    if (i.state === 'closed') throw new BusError('partition', `${i.model} is shut down`);
    const permit = await i.admission.acquire(signal);
    const labels = { model: i.model };
    const t0 = this.#now();
    let pieces = 0;
    let counted = false;
    let held = '';
    let lastFrameAt = -Infinity;
    this.#metrics?.std.llmConcurrent.inc(labels);
    let gen: Generation | null = null;
    try {
      gen = this.#generate(i, name, body, signal);
      for (;;) {
        const r = await gen.next();
        if (r.done) {
          const res = r.value;
          if (held) yield { event: 'token', data: { text: held } };
          this.#countTokens(i, res.tokens_out);
          counted = true;
          i.admission.recordDuration(res.ms);
          yield {
            event: 'done',
            data: {
              tokens_in: res.tokens_in,
              tokens_out: res.tokens_out,
              stop_reason: res.stop_reason,
              ms: Math.max(0, Math.round(res.ms)),
            },
          };
          return;
        }
        if (r.value.stop) continue;
        pieces++;
        if (r.value.logprob !== null) {
          yield { event: 'token', data: { text: r.value.text, logprob: r.value.logprob } };
          continue;
        }
        // Fast local models make a token every millisecond or so: pieces arriving within
        // LLM_TOKEN_BATCH_MS of the last frame ride in the next one, so per-frame costs (bus,
        // transport, the household's screen) stay small. A slow model's tokens go out one by one.
        held += r.value.text;
        const now = performance.now();
        if (now - lastFrameAt >= LLM_TOKEN_BATCH_MS) {
          lastFrameAt = now;
          const text = held;
          held = '';
          yield { event: 'token', data: { text } };
        }
      }
    } catch (e) {
      throw signal.aborted && signal.reason instanceof HearthError ? signal.reason : e;
    } finally {
      if (!counted) {
        // Cancelled or failed: stop the backend (frees its sequence) and count what was produced.
        await gen?.return(undefined as never).catch(() => {});
        this.#countTokens(i, pieces);
        i.admission.recordDuration(this.#now() - t0);
      }
      this.#metrics?.std.llmConcurrent.dec(labels);
      permit.release();
    }
  }

  #generate(i: Instance, name: LlmCapabilityName, b: WireRequest, signal: AbortSignal): Generation {
    const common = {
      model: i.model,
      maxTokens: b.max_tokens,
      temperature: b.temperature,
      topP: b.top_p,
      stop: b.stop,
      seed: b.seed,
      signal,
      timeoutMs: this.#timeoutMs,
    };
    return name === 'llm.chat'
      ? i.backend.chat({ ...common, messages: b.messages })
      : i.backend.complete({ ...common, prompt: b.prompt });
  }

  #countTokens(i: Instance, n: number): void {
    if (n > 0) this.#metrics?.std.llmTokensGeneratedTotal.inc({ model: i.model, backend: i.backend.name }, n);
  }
}
