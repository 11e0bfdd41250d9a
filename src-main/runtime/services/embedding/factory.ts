/** createEmbeddingBackend: resolves a configured model name to an installed folder and the right engine. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingBackend } from './backend';
import { EmbeddingError } from './errors';
import { OnnxBertBackend } from './onnx-bert';
import type { Pooling } from './pooling';
import { StaticModel2VecBackend, isModel2VecDir } from './static-model2vec';

/** The product default (reference M11): BAAI/bge-small-en-v1.5, CLS pooling, normalised. */
export const DEFAULT_EMBEDDING_MODEL = 'BAAI/bge-small-en-v1.5';
/** What the doctor and RAG say when there is nothing to embed with. */
export const NO_EMBEDDING_MODEL_MESSAGE = 'no embedding model installed; search works by keywords only';

/** The embedding part of the node config this factory reads (a subset; the config module owns the full type). */
export interface EmbeddingBackendConfig {
  /** Model name, e.g. 'BAAI/bge-small-en-v1.5' or a folder name under modelsDir. */
  model: string;
  /** 'auto' (default) picks by folder content. */
  backend?: 'auto' | 'model2vec' | 'onnx';
  threads?: number;
  /** ONNX only; default from 1_Pooling/config.json, else 'cls' for bge*, else 'mean'. */
  pooling?: Pooling;
}

export type EmbeddingResolution =
  { backend: EmbeddingBackend; dir: string; explanation: string } | { backend: null; dir: null; explanation: string };

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Folders a model name may live in: `org/name`, `name`, `org--name` (Hugging Face cache style). */
export function candidateDirs(modelsDir: string, model: string): string[] {
  const parts = model.split('/');
  const out = [join(modelsDir, ...parts)];
  if (parts.length === 2) out.push(join(modelsDir, parts[1]), join(modelsDir, `${parts[0]}--${parts[1]}`));
  return out;
}

function onnxFile(dir: string): string | null {
  for (const f of [join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx')]) if (existsSync(f)) return f;
  return null;
}

function poolingFor(dir: string, model: string): Pooling {
  try {
    const cfg = JSON.parse(readFileSync(join(dir, '1_Pooling', 'config.json'), 'utf8')) as Record<string, unknown>;
    if (cfg.pooling_mode_cls_token === true) return 'cls';
    if (cfg.pooling_mode_mean_tokens === true) return 'mean';
  } catch {
    // no sentence-transformers pooling config: fall back on the model family
  }
  return /bge/i.test(model) ? 'cls' : 'mean';
}

/**
 * Returns a (cold) backend for `config.model`, or `{ backend: null, explanation }` when no
 * usable model is installed — never throws for a missing model, so the node can start
 * keyword-only. Throws EmbeddingError('bad_request') for a name that is not a safe path.
 */
export function createEmbeddingBackend(
  config: EmbeddingBackendConfig,
  opts: { modelsDir: string },
): EmbeddingResolution {
  const model = config.model;
  if (typeof model !== 'string' || !SAFE_NAME.test(model) || model.split('/').some((p) => p === '.' || p === '..')) {
    throw new EmbeddingError(
      'bad_request',
      `"${model}" is not a valid embedding model name (letters, digits, . _ - and at most one "/").`,
    );
  }
  const kind = config.backend ?? 'auto';
  for (const dir of candidateDirs(opts.modelsDir, model)) {
    if (!existsSync(dir)) continue;
    const onnx = onnxFile(dir);
    const tokenizer = join(dir, 'tokenizer.json');
    if (kind !== 'onnx' && isModel2VecDir(dir)) {
      return {
        backend: new StaticModel2VecBackend({ dir, model }),
        dir,
        explanation: `Model2Vec static model from ${dir}`,
      };
    }
    if (kind !== 'model2vec' && onnx && existsSync(tokenizer)) {
      const pooling = config.pooling ?? poolingFor(dir, model);
      const backend = new OnnxBertBackend({
        modelPath: onnx,
        tokenizerPath: tokenizer,
        pooling,
        model,
        threads: config.threads,
      });
      return { backend, dir, explanation: `ONNX model from ${onnx} (${pooling} pooling)` };
    }
  }
  const where = candidateDirs(opts.modelsDir, model).join(' or ');
  return { backend: null, dir: null, explanation: `${NO_EMBEDDING_MODEL_MESSAGE} (looked for "${model}" in ${where})` };
}
