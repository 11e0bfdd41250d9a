/** OnnxBertBackend: BERT-family sentence encoders (default BAAI/bge-small-en-v1.5) on onnxruntime-node (CPU). */
import { basename, dirname } from 'node:path';
import { existsSync } from 'node:fs';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { EmbedOptions, EmbeddingBackend, EmbeddingHealth } from './backend';
import { EmbeddingError, throwIfAborted } from './errors';
import { ModelLoader } from './model-loader';
import { poolRow, type Pooling } from './pooling';
import { loadTokenizer, type Tokenizer } from './tokenizer';
import { l2Normalize } from './vector-math';

/** BERT position-embedding limit. */
export const ONNX_MAX_LENGTH = 512;
/** Texts per session.run: bounds memory (batch x seq x hidden floats) and latency per turn. */
export const ONNX_BATCH_SIZE = 32;
/** One intra-op thread by default: on small shared machines more threads fight the event loop. */
export const ONNX_THREADS = 1;

export interface OnnxBertOptions {
  modelPath: string;
  tokenizerPath: string;
  /** 'cls' for BGE (product default), 'mean' for MiniLM-style, 'none' when the graph outputs sentence vectors. */
  pooling?: Pooling;
  /** Default for `embed` when the call does not say (true). */
  normalize?: boolean;
  maxLength?: number;
  batchSize?: number;
  threads?: number;
  /** Name to advertise; default the model's folder name. */
  model?: string;
  /** Add [CLS]/[SEP] as the tokenizer's post-processor defines (true for BERT encoders). */
  addSpecialTokens?: boolean;
  /** Vector length if known up front; otherwise learned at warm(). */
  dim?: number;
}

type Ort = typeof import('onnxruntime-node');

interface Loaded {
  ort: Ort;
  session: InferenceSession;
  tok: Tokenizer;
  padId: number;
  output: string;
}

const SENTENCE_OUTPUTS = ['sentence_embedding', 'sentence_embeddings', 'embeddings', 'pooler_output'];
const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];

/**
 * Runs a BERT-style ONNX graph. Feeds only the inputs the graph declares (input_ids,
 * attention_mask, token_type_ids as int64), pads each batch to its longest text, then pools
 * `last_hidden_state` ('cls' | 'mean') or takes a rank-2 sentence output as is ('none', or any
 * graph whose chosen output is already [batch, dim]).
 */
export class OnnxBertBackend implements EmbeddingBackend {
  readonly name = 'onnx';
  readonly model: string;
  readonly maxInput: number;
  dim: number;
  private readonly opts: Required<Omit<OnnxBertOptions, 'model' | 'dim'>>;
  private readonly loader = new ModelLoader<Loaded>(() => this.load());
  private embedded = 0;

  constructor(opts: OnnxBertOptions) {
    this.model = opts.model ?? basename(dirname(opts.modelPath));
    this.dim = opts.dim ?? 0;
    this.maxInput = opts.maxLength ?? ONNX_MAX_LENGTH;
    this.opts = {
      modelPath: opts.modelPath,
      tokenizerPath: opts.tokenizerPath,
      pooling: opts.pooling ?? 'cls',
      normalize: opts.normalize ?? true,
      maxLength: this.maxInput,
      batchSize: Math.max(1, opts.batchSize ?? ONNX_BATCH_SIZE),
      threads: Math.max(1, opts.threads ?? ONNX_THREADS),
      addSpecialTokens: opts.addSpecialTokens ?? true,
    };
  }

  /** Loads the model; after `close()` it opens it again (calls other than warm still fail 'closed'). */
  async warm(): Promise<void> {
    this.loader.reopen();
    await this.loader.get();
  }

  private async load(): Promise<Loaded> {
    if (!existsSync(this.opts.modelPath)) {
      throw new EmbeddingError(
        'model_missing',
        `The ONNX model ${this.opts.modelPath} is missing. Re-install the embedding model.`,
      );
    }
    let ort: Ort;
    try {
      ort = await import('onnxruntime-node');
    } catch (cause) {
      throw new EmbeddingError(
        'backend_unavailable',
        'The ONNX runtime could not be loaded on this machine; use a Model2Vec model instead.',
        { cause },
      );
    }
    const tok = await loadTokenizer(this.opts.tokenizerPath);
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(this.opts.modelPath, {
        intraOpNumThreads: this.opts.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (cause) {
      throw new EmbeddingError(
        'model_invalid',
        `The ONNX model ${this.opts.modelPath} could not be loaded: ${(cause as Error).message}`,
        { cause },
      );
    }
    if (!session.inputNames.includes('input_ids')) {
      await session.release();
      throw new EmbeddingError(
        'model_invalid',
        `The ONNX model ${this.opts.modelPath} has no "input_ids" input; it is not a text encoder.`,
      );
    }
    const prefer = this.opts.pooling === 'none' ? SENTENCE_OUTPUTS : TOKEN_OUTPUTS;
    const output = prefer.find((n) => session.outputNames.includes(n)) ?? session.outputNames[0];
    // Older onnxruntime builds have no outputMetadata, whatever the type says.
    const metas = session.outputMetadata as readonly InferenceSession.ValueMetadata[] | undefined;
    const meta = metas?.at(session.outputNames.indexOf(output));
    const last = meta?.isTensor ? meta.shape.at(-1) : undefined;
    if (typeof last === 'number' && last > 0) this.dim = last;
    const padId = tok.token_to_id('[PAD]') ?? tok.token_to_id('<pad>') ?? 0;
    return { ort, session, tok, padId, output };
  }

  private encode(l: Loaded, text: string): number[] {
    const ids = l.tok.encode(text, { add_special_tokens: this.opts.addSpecialTokens }).ids;
    if (ids.length <= this.maxInput) return ids;
    // Keep the final [SEP] when specials were added: BERT expects it.
    return this.opts.addSpecialTokens
      ? [...ids.slice(0, this.maxInput - 1), ids[ids.length - 1]]
      : ids.slice(0, this.maxInput);
  }

  private async runBatch(l: Loaded, texts: readonly string[], normalize: boolean): Promise<Float32Array[]> {
    const encoded = texts.map((t) => this.encode(l, t));
    const seq = Math.max(1, ...encoded.map((e) => e.length));
    const n = texts.length;
    const ids = new BigInt64Array(n * seq).fill(BigInt(l.padId));
    const mask = new BigInt64Array(n * seq);
    encoded.forEach((e, b) => e.forEach((id, t) => ((ids[b * seq + t] = BigInt(id)), (mask[b * seq + t] = 1n))));
    const feeds: Record<string, OrtTensor> = {};
    const shape = [n, seq];
    for (const name of l.session.inputNames) {
      if (name === 'input_ids') feeds[name] = new l.ort.Tensor('int64', ids, shape);
      else if (name === 'attention_mask') feeds[name] = new l.ort.Tensor('int64', mask, shape);
      else if (name === 'token_type_ids') feeds[name] = new l.ort.Tensor('int64', new BigInt64Array(n * seq), shape);
      else
        throw new EmbeddingError(
          'model_invalid',
          `The ONNX model wants an input "${name}" this backend does not know how to fill.`,
        );
    }
    const result = await l.session.run(feeds, [l.output]);
    const out = result[l.output];
    try {
      const data = out.data as Float32Array;
      const dims = out.dims;
      const vectors: Float32Array[] = [];
      if (dims.length === 2) {
        const dim = dims[1];
        for (let b = 0; b < n; b++) vectors.push(data.slice(b * dim, (b + 1) * dim));
      } else if (dims.length === 3 && this.opts.pooling !== 'none') {
        for (let b = 0; b < n; b++) vectors.push(poolRow(data, mask, b, dims[1], dims[2], this.opts.pooling));
      } else {
        throw new EmbeddingError(
          'model_invalid',
          `The ONNX output "${l.output}" has shape [${dims.join(', ')}], which pooling "${this.opts.pooling}" cannot use.`,
        );
      }
      if (vectors[0]) this.dim = vectors[0].length;
      return normalize ? vectors.map(l2Normalize) : vectors;
    } finally {
      out.dispose();
    }
  }

  async embed(texts: readonly string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      throw new EmbeddingError('bad_request', 'embed() needs a list of strings.');
    }
    throwIfAborted(opts.signal);
    const l = await this.loader.get();
    const normalize = opts.normalize ?? this.opts.normalize;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.opts.batchSize) {
      throwIfAborted(opts.signal);
      if (this.loader.closed) throw new EmbeddingError('closed', 'The embedding model was closed during the request.');
      out.push(...(await this.runBatch(l, texts.slice(i, i + this.opts.batchSize), normalize)));
    }
    this.embedded += texts.length;
    return out;
  }

  async close(): Promise<void> {
    await (await this.loader.close())?.session.release();
  }

  health(): EmbeddingHealth {
    const { status, last_error } = this.loader.health();
    const h: EmbeddingHealth = {
      status,
      backend: this.name,
      model: this.model,
      dim: this.dim,
      embedded_texts: this.embedded,
    };
    if (last_error) h.last_error = last_error;
    return h;
  }
}
