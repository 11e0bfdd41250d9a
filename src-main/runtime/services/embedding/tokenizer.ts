/** Loads a Hugging Face `tokenizer.json` (+ optional tokenizer_config.json) with tokenizers.js (pure JS). */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { EmbeddingError } from './errors';

export type { Tokenizer };

async function readJson(file: string, required: boolean): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if (!required) return null;
    throw new EmbeddingError(
      'model_missing',
      `The tokenizer file ${file} is missing. Re-install the embedding model.`,
      { cause, details: { file } },
    );
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new EmbeddingError(
      'model_invalid',
      `The tokenizer file ${file} is not valid JSON. Re-install the embedding model.`,
      { cause, details: { file } },
    );
  }
}

/** Builds a Tokenizer from `tokenizerPath`; a sibling `tokenizer_config.json` is used when present. */
export async function loadTokenizer(tokenizerPath: string): Promise<Tokenizer> {
  const json = await readJson(tokenizerPath, true);
  const config = (await readJson(join(dirname(tokenizerPath), 'tokenizer_config.json'), false)) ?? {};
  try {
    return new Tokenizer(json as object, config);
  } catch (cause) {
    throw new EmbeddingError(
      'model_invalid',
      `The tokenizer ${tokenizerPath} could not be loaded: ${(cause as Error).message}`,
      {
        cause,
        details: { file: tokenizerPath },
      },
    );
  }
}

/** Median character length of the vocabulary (Model2Vec uses it to pre-truncate very long texts cheaply). */
export function medianTokenLength(tok: Tokenizer): number {
  const lens = [...tok.get_vocab(false).keys()].map((t) => t.length).sort((a, b) => a - b);
  return lens.length ? Math.max(1, lens[lens.length >> 1]) : 1;
}
