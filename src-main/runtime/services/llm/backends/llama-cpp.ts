/** LlamaCppBackend: runs a GGUF model in-process with node-llama-cpp (CPU build), one sequence per concurrent request. */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { ChatHistoryItem, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { llamaLib } from './llama-runtime';
import { abortScope } from './abort';
import {
  checkMessages,
  DEFAULT_CHAT_MAX_TOKENS,
  DEFAULT_COMPLETE_MAX_TOKENS,
  resolveOptions,
  STOP_TOKEN,
  type BackendHealth,
  type BackendModel,
  type ChatRequest,
  type ChatResult,
  type CompleteRequest,
  type Generation,
  type LlmBackend,
  type ResolvedOptions,
  type StopReason,
} from './base';
import { LlmError } from './errors';
import { acquireLlama, releaseLlama } from './llama-runtime';
import { SequencePool } from './sequence-pool';
import { TokenQueue } from './token-queue';
import { countTokensApprox } from '../tokenizers';

export const DEFAULT_LLAMA_MAX_CONCURRENT = 2;
/** Per-sequence context window when the caller gives none (capped by the model's training context). */
export const DEFAULT_LLAMA_CONTEXT_SIZE = 4096;
/** Upper bound on threads per context: past ~4, CPU decoding is memory-bound and more threads only contend. */
export const MAX_LLAMA_THREADS = 4;

/**
 * Default thread count: half the cores, 1..4. Token generation is memory-bandwidth bound and the
 * Node event loop plus the mesh need a core; on a 2-core box stories260K runs ~1,300 tok/s with 1
 * thread but ~100 tok/s with 2 (the threads fight the event loop and each other).
 */
export function defaultLlamaThreads(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_LLAMA_THREADS, Math.floor(cores / 2)));
}

export interface LlamaCppOptions {
  /** Absolute path of the .gguf file. */
  readonly modelPath: string;
  /** Model metadata; omitted fields come from the GGUF file (name defaults to the file's base name). */
  readonly model?: Partial<BackendModel>;
  readonly maxConcurrent?: number;
  readonly threads?: number;
  /** Context window per sequence, in tokens. */
  readonly contextSize?: number;
  /** Backend name reported to the service; default 'llama_cpp'. */
  readonly name?: string;
}

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  pool: SequencePool<LlamaContextSequence>;
}

type Run = (
  seq: LlamaContextSequence,
  o: ResolvedOptions,
  hooks: { onTextChunk: (t: string) => void; signal: AbortSignal },
) => Promise<{ text: string; stopReason: string }>;

/** In-process GGUF inference. `warm()` loads the model; the first call warms it implicitly. */
export class LlamaCppBackend implements LlmBackend {
  readonly name: string;
  private meta: BackendModel;
  private readonly opts: LlamaCppOptions;
  private readonly concurrency: number;
  private loading: Promise<Loaded> | null = null;
  private closed = false;

  constructor(opts: LlamaCppOptions) {
    this.opts = opts;
    this.name = opts.name ?? 'llama_cpp';
    this.concurrency = opts.maxConcurrent ?? DEFAULT_LLAMA_MAX_CONCURRENT;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new LlmError('bad_request', 'maxConcurrent must be a positive integer');
    this.meta = {
      name: opts.model?.name ?? basename(opts.modelPath).replace(/\.gguf$/i, ''),
      quant: opts.model?.quant ?? 'unknown',
      ctx_max: opts.model?.ctx_max ?? opts.contextSize ?? DEFAULT_LLAMA_CONTEXT_SIZE,
      modalities: opts.model?.modalities ?? ['text'],
      requires_internet: false,
    };
  }

  get models(): readonly BackendModel[] {
    return [this.meta];
  }

  maxConcurrent(_model?: string): number {
    return this.concurrency;
  }

  /** Loads the model; after `close()` it loads it again (other calls still fail 'closed' until then). */
  async warm(model: string = this.meta.name): Promise<void> {
    this.checkModel(model);
    this.closed = false;
    await this.load();
  }

  listModels(): Promise<string[]> {
    return Promise.resolve([this.meta.name]);
  }

  countTokens(model: string, text: string): number {
    this.checkModel(model);
    const l = this.loadedNow;
    return l ? l.model.tokenize(text).length : countTokensApprox(this.meta.name, text);
  }

  async health(): Promise<BackendHealth> {
    const t0 = Date.now();
    try {
      await this.load();
      return {
        backend: this.name,
        ok: true,
        detail: 'model loaded',
        models: [this.meta.name],
        latency_ms: Date.now() - t0,
      };
    } catch (e) {
      return {
        backend: this.name,
        ok: false,
        detail: e instanceof Error ? e.message : 'load failed',
        models: [],
        latency_ms: Date.now() - t0,
      };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const p = this.loading;
    this.loading = null;
    this.loadedNow = null;
    const l = p ? await p.catch(() => null) : null;
    if (!l) return;
    l.pool.close();
    await l.context.dispose();
    await l.model.dispose();
    await releaseLlama();
  }

  chat(req: ChatRequest): Generation {
    checkMessages(req.messages);
    const o = resolveOptions(req, DEFAULT_CHAT_MAX_TOKENS);
    const last = req.messages[req.messages.length - 1];
    if (last.role !== 'user') throw new LlmError('bad_request', 'the last message must come from the user');
    const history: ChatHistoryItem[] = req.messages
      .slice(0, -1)
      .map((m) =>
        m.role === 'system'
          ? { type: 'system', text: m.content }
          : m.role === 'user'
            ? { type: 'user', text: m.content }
            : { type: 'model', response: [m.content] },
      );
    return this.generate(o, async (seq, opt, hooks) => {
      const { LlamaChatSession } = await llamaLib();
      const session = new LlamaChatSession({ contextSequence: seq, autoDisposeSequence: false });
      try {
        session.setChatHistory(history);
        const r = await session.promptWithMeta(last.content, { ...sampling(opt), ...hooks });
        return { text: r.responseText, stopReason: r.stopReason };
      } finally {
        session.dispose({ disposeSequence: false });
      }
    });
  }

  complete(req: CompleteRequest): Generation {
    if (typeof req.prompt !== 'string' || req.prompt === '')
      throw new LlmError('bad_request', 'prompt must be a non-empty string');
    const o = resolveOptions(req, DEFAULT_COMPLETE_MAX_TOKENS);
    return this.generate(o, async (seq, opt, hooks) => {
      const { LlamaCompletion } = await llamaLib();
      const completion = new LlamaCompletion({ contextSequence: seq, autoDisposeSequence: false });
      try {
        const r = await completion.generateCompletionWithMeta(req.prompt, { ...sampling(opt), ...hooks });
        return { text: r.response, stopReason: r.metadata.stopReason };
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    });
  }

  private loadedNow: Loaded | null = null;

  private checkModel(model: string): void {
    if (model !== this.meta.name)
      throw new LlmError(
        'model_not_found',
        `model "${model}" is not served here (this backend serves "${this.meta.name}")`,
      );
  }

  private load(): Promise<Loaded> {
    if (this.closed) return Promise.reject(new LlmError('closed', 'this model backend was closed'));
    this.loading ??= this.doLoad().catch((e: unknown) => {
      this.loading = null;
      throw e;
    });
    return this.loading;
  }

  private async doLoad(): Promise<Loaded> {
    const llama = await acquireLlama();
    let model: LlamaModel | null = null;
    try {
      model = await llama.loadModel({ modelPath: this.opts.modelPath });
      const contextSize = Math.min(
        this.opts.contextSize ?? DEFAULT_LLAMA_CONTEXT_SIZE,
        model.trainContextSize || DEFAULT_LLAMA_CONTEXT_SIZE,
      );
      const context = await model.createContext({
        sequences: this.concurrency,
        contextSize,
        threads: this.opts.threads ?? defaultLlamaThreads(),
      });
      const seqs = Array.from({ length: this.concurrency }, () => context.getSequence());
      this.meta = {
        ...this.meta,
        quant: this.opts.model?.quant ?? quantOf(model, await llamaLib()),
        ctx_max: context.contextSize,
      };
      const l: Loaded = { llama, model, context, pool: new SequencePool(seqs) };
      this.loadedNow = l;
      return l;
    } catch (e) {
      await model?.dispose().catch(() => {});
      await releaseLlama();
      if (e instanceof LlmError) throw e;
      throw new LlmError(
        'model_not_found',
        `could not load the model file ${basename(this.opts.modelPath)}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }

  private async *generate(o: ResolvedOptions, run: Run): Generation {
    const t0 = Date.now();
    this.checkModel(o.model);
    const scope = abortScope(o.signal, o.timeoutMs);
    let seq: LlamaContextSequence | null = null;
    let pool: SequencePool<LlamaContextSequence> | null = null;
    let running: Promise<unknown> | null = null;
    try {
      const l = await this.load();
      pool = l.pool;
      seq = await l.pool.acquire(scope.signal);
      const before = seq.tokenMeter.getState();
      const queue = new TokenQueue();
      let outcome: { text: string; stopReason: string } | null = null;
      running = run(seq, o, { onTextChunk: (t) => queue.push(t), signal: scope.signal }).then(
        (r) => {
          outcome = r;
          queue.end();
        },
        (e: unknown) => queue.fail(e),
      );
      for await (const text of queue) yield { text, logprob: null, stop: false };
      const r = outcome as { text: string; stopReason: string } | null;
      if (!r || r.stopReason === 'abort') throw scope.reason() ?? new LlmError('cancelled', 'generation stopped');
      const used = seq.tokenMeter.diff(before);
      yield STOP_TOKEN;
      const result: ChatResult = {
        text: r.text,
        tokens_in: used.usedInputTokens,
        tokens_out: used.usedOutputTokens,
        stop_reason: stopReason(r.stopReason),
        ms: Date.now() - t0,
      };
      return result;
    } catch (e) {
      throw (
        scope.reason() ??
        (e instanceof LlmError
          ? e
          : new LlmError('bad_response', `generation failed: ${e instanceof Error ? e.message : String(e)}`, {
              cause: e,
            }))
      );
    } finally {
      scope.abort();
      scope.dispose();
      await running?.catch(() => {});
      if (seq && pool) {
        // Stateless requests: wipe the KV cache so the next request starts clean and token counts stay exact.
        await seq.clearHistory().catch(() => {});
        pool.release(seq);
      }
    }
  }
}

function sampling(o: ResolvedOptions) {
  return {
    maxTokens: o.maxTokens,
    temperature: o.temperature,
    topP: o.topP,
    seed: o.seed,
    customStopTriggers: o.stop.length ? [...o.stop] : undefined,
  };
}

function stopReason(r: string): StopReason {
  if (r === 'maxTokens') return 'length';
  if (r === 'customStopTrigger') return 'stop_sequence';
  return 'stop';
}

/** The GGUF file type ("Q4_K_M"), or, when the header omits it, the most common tensor type ("F32"). */
function quantOf(model: LlamaModel, { GgufFileType, GgmlType }: typeof import('node-llama-cpp')): string {
  // A GGUF header may lack the general section, whatever the type says.
  const general = model.fileInfo.metadata.general as typeof model.fileInfo.metadata.general | undefined;
  const ft = general?.file_type;
  const named = ft !== undefined ? (GgufFileType[ft] as string | undefined) : undefined;
  if (named) return named.replace(/^MOSTLY_/, '');
  const counts = new Map<string, number>();
  for (const t of model.fileInfo.fullTensorInfo ?? []) {
    const n = GgmlType[t.ggmlType] as string | undefined;
    if (n) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
}
