/** Locates the shared test models (`../shared/models` from the project root; worktrees sit one level deeper). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

/** Folder of the Model2Vec test model; HEARTHNET_TEST_MODELS overrides the search. */
export function model2vecDir(): string {
  const bases = [
    process.env.HEARTHNET_TEST_MODELS,
    resolve(ROOT, '../shared/models'),
    resolve(ROOT, '../../shared/models'),
  ];
  for (const b of bases)
    if (b && existsSync(resolve(b, 'model2vec-bge-64d-q/model.safetensors'))) return resolve(b, 'model2vec-bge-64d-q');
  throw new Error(`model2vec-bge-64d-q not found under ${bases.filter(Boolean).join(', ')}`);
}
