/** Locates the shared test models (../shared/models beside the repo root, else /work/shared/models). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: two levels above this file (tests/support/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function findModelsDir(): string | null {
  for (const dir of [resolve(REPO_ROOT, '../shared/models'), '/work/shared/models']) {
    if (existsSync(join(dir, 'README.md')) || existsSync(join(dir, 'stories260K'))) return dir;
  }
  return null;
}

/** The models directory, or null when absent (tests then skip with a printed reason). */
export const MODELS_DIR: string | null = findModelsDir();
export const STORIES_GGUF: string | null =
  MODELS_DIR && existsSync(join(MODELS_DIR, 'stories260K/stories260K.gguf'))
    ? join(MODELS_DIR, 'stories260K/stories260K.gguf')
    : null;
export const MODEL2VEC_DIR: string | null =
  MODELS_DIR && existsSync(join(MODELS_DIR, 'model2vec-bge-64d-q')) ? join(MODELS_DIR, 'model2vec-bge-64d-q') : null;

/** Print why a model-backed suite is skipped; returns true when it must skip. */
export function skipWithoutModel(what: string, path: string | null): boolean {
  if (path) return false;
  console.warn(`[skip] ${what}: test model not found under ../shared/models or /work/shared/models`);
  return true;
}
