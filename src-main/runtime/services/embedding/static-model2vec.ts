/** StaticModel2VecBackend: Model2Vec static embeddings (token lookup + mean + L2) in pure TypeScript. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { EmbedOptions, EmbeddingBackend, EmbeddingHealth } from './backend';
import { EmbeddingError, throwIfAborted } from './errors';
import { ModelLoader } from './model-loader';
import { loadSafetensors, readSafetensorsHeader, type Tensor } from './safetensors';
import { loadTokenizer, medianTokenLength, type Tokenizer } from './tokenizer';
import { l2Normalize } from './vector-math';

/** Model2Vec's own default: texts are cut to 512 tokens. */
export const MODEL2VEC_MAX_TOKENS = 512;
/** Texts per event-loop turn; each batch is a few ms of pure JS work. */
export const MODEL2VEC_BATCH_SIZE = 64;

export interface StaticModel2VecOptions {
  /** Folder holding model.safetensors + tokenizer.json (+ config.json). */
  dir: string;
  /** Name to advertise; default the folder name. */
  model?: string;
  maxTokens?: number;
  batchSize?: number;
}

interface Loaded {
  tok: Tokenizer;
  embeddings: Float32Array;
  mapping: Int32Array | null;
  weights: Float64Array | Float32Array | null;
  rows: number;
  unkId: number | undefined;
  maxChars: number;
}

function tensorAsFloat(t: Tensor, name: string, file: string): Float32Array | Float64Array {
  if (t.data instanceof Int32Array) {
    throw new EmbeddingError('model_invalid', `Tensor "${name}" in ${file} should hold floats but holds integers.`);
  }
  return t.data;
}

/**
 * Model2Vec static model: each token id maps to a row of `embeddings` (through `mapping` for
 * vocabulary-quantized models), scaled by `weights[id]` when present; the sentence vector is the
 * mean of its token vectors, L2-normalised. No special tokens are added and `[UNK]` is dropped,
 * exactly as model2vec / model2vec-rs do.
 */
export class StaticModel2VecBackend implements EmbeddingBackend {
  readonly name = 'model2vec-static';
  readonly model: string;
  readonly dim: number;
  readonly maxInput: number;
  private readonly dir: string;
  private readonly batchSize: number;
  private readonly loader = new ModelLoader<Loaded>(() => this.load());
  private embedded = 0;

  constructor(opts: StaticModel2VecOptions) {
    this.dir = opts.dir;
    this.model = opts.model ?? basename(opts.dir);
    this.maxInput = opts.maxTokens ?? MODEL2VEC_MAX_TOKENS;
    this.batchSize = Math.max(1, opts.batchSize ?? MODEL2VEC_BATCH_SIZE);
    const file = join(this.dir, 'model.safetensors');
    if (!existsSync(file)) {
      throw new EmbeddingError('model_missing', `No Model2Vec model in ${this.dir} (model.safetensors is missing).`, {
        details: { dir: this.dir },
      });
    }
    const emb = readSafetensorsHeader(file).get('embeddings');
    if (!emb || emb.shape.length !== 2) {
      throw new EmbeddingError(
        'model_invalid',
        `${file} has no 2-D "embeddings" tensor; it is not a Model2Vec model.`,
        { details: { file } },
      );
    }
    this.dim = emb.shape[1];
  }

  /** Loads the model; after `close()` it opens it again (calls other than warm still fail 'closed'). */
  async warm(): Promise<void> {
    this.loader.reopen();
    await this.loader.get();
  }

  private async load(): Promise<Loaded> {
    const file = join(this.dir, 'model.safetensors');
    const tensors = loadSafetensors(file);
    const emb = tensors.get('embeddings');
    if (!emb) throw new EmbeddingError('model_invalid', `${file} has no "embeddings" tensor.`);
    const embeddings = Float32Array.from(tensorAsFloat(emb, 'embeddings', file));
    const rows = emb.shape[0];
    const mappingT = tensors.get('mapping');
    if (mappingT && !(mappingT.data instanceof Int32Array)) {
      throw new EmbeddingError('model_invalid', `Tensor "mapping" in ${file} should hold integers.`);
    }
    const mapping = (mappingT?.data as Int32Array | undefined) ?? null;
    const weightsT = tensors.get('weights');
    const weights = weightsT ? tensorAsFloat(weightsT, 'weights', file) : null;
    if (mapping) {
      for (let i = 0; i < mapping.length; i++) {
        if (mapping[i] < 0 || mapping[i] >= rows)
          throw new EmbeddingError('model_invalid', `${file}: mapping[${i}] points outside "embeddings".`);
      }
    }
    const tok = await loadTokenizer(join(this.dir, 'tokenizer.json'));
    return {
      tok,
      embeddings,
      mapping,
      weights,
      rows,
      unkId: tok.token_to_id('[UNK]') ?? tok.token_to_id('<unk>'),
      maxChars: this.maxInput * medianTokenLength(tok),
    };
  }

  /** Token ids for one text, as Model2Vec computes them (no specials, [UNK] dropped, truncated). */
  private ids(l: Loaded, text: string): number[] {
    const ids = l.tok.encode(text.length > l.maxChars ? text.slice(0, l.maxChars) : text, {
      add_special_tokens: false,
    }).ids;
    const kept = l.unkId === undefined ? ids : ids.filter((id) => id !== l.unkId);
    return kept.length > this.maxInput ? kept.slice(0, this.maxInput) : kept;
  }

  private pool(l: Loaded, ids: number[], normalize: boolean): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(dim);
    let n = 0;
    for (const id of ids) {
      const vocab = l.mapping ? l.mapping.length : l.rows;
      if (id < 0 || id >= vocab) continue;
      const row = (l.mapping ? l.mapping[id] : id) * dim;
      const w = l.weights ? l.weights[id] : 1;
      for (let j = 0; j < dim; j++) out[j] += l.embeddings[row + j] * w;
      n++;
    }
    if (n > 0) for (let j = 0; j < dim; j++) out[j] /= n;
    return normalize ? l2Normalize(out) : out;
  }

  async embed(texts: readonly string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
    const input: unknown = texts; // checked as untyped: bus callers' bodies reach here
    if (!Array.isArray(input) || input.some((t) => typeof t !== 'string')) {
      throw new EmbeddingError('bad_request', 'embed() needs a list of strings.');
    }
    throwIfAborted(opts.signal);
    const l = await this.loader.get();
    const normalize = opts.normalize ?? true;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      if (i > 0) await yieldToLoop(); // keep the event loop responsive on big batches
      throwIfAborted(opts.signal);
      if (this.loader.closed) throw new EmbeddingError('closed', 'The embedding model was closed during the request.');
      for (const t of texts.slice(i, i + this.batchSize)) out.push(this.pool(l, this.ids(l, t), normalize));
    }
    this.embedded += texts.length;
    return out;
  }

  /** Token ids exactly as `embed` sees them (exported for the ONNX equivalence test). */
  async tokenIds(text: string): Promise<number[]> {
    return this.ids(await this.loader.get(), text);
  }

  async close(): Promise<void> {
    await this.loader.close();
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

/** True when `dir` looks like a Model2Vec folder (config.json model_type or StaticEmbedding module). */
export function isModel2VecDir(dir: string): boolean {
  if (!existsSync(join(dir, 'model.safetensors')) || !existsSync(join(dir, 'tokenizer.json'))) return false;
  try {
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { model_type?: string };
    if (cfg.model_type === 'model2vec') return true;
  } catch {
    // no/invalid config.json: fall through to modules.json, then to the tensor check
  }
  try {
    if (readFileSync(join(dir, 'modules.json'), 'utf8').includes('StaticEmbedding')) return true;
  } catch {
    // no modules.json
  }
  try {
    return readSafetensorsHeader(join(dir, 'model.safetensors')).has('embeddings');
  } catch {
    return false;
  }
}
