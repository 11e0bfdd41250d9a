import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NO_EMBEDDING_MODEL_MESSAGE,
  OnnxBertBackend,
  StaticModel2VecBackend,
  createEmbeddingBackend,
} from '../../../src-main/runtime/services/embedding';
import { writeModel2VecOnnxDir } from '../../support/build-model2vec-onnx';
import { model2vecDir } from './model-path';

const MODEL = model2vecDir();
const TEXTS = [
  'The water shutoff valve is in the basement, next to the boiler.',
  'bins',
  'Clinic hours are 9 to 5 on weekdays; closed on Sundays!',
  'Generator sharing: sign up on the sheet at the community hall.',
];
let onnxDir: string;
let modelsDir: string;
const opened: { close(): Promise<void> }[] = [];

beforeAll(() => {
  onnxDir = writeModel2VecOnnxDir(MODEL);
  modelsDir = mkdtempSync(join(tmpdir(), 'hn-models-'));
  symlinkSync(MODEL, join(modelsDir, 'model2vec-bge-64d-q'));
  mkdirSync(join(modelsDir, 'acme'));
  symlinkSync(onnxDir, join(modelsDir, 'acme', 'm2v-onnx'));
});
afterAll(async () => {
  for (const b of opened) await b.close();
  rmSync(onnxDir, { recursive: true, force: true });
  rmSync(modelsDir, { recursive: true, force: true });
});

describe('OnnxBertBackend on a real ONNX graph built from the Model2Vec model', () => {
  it('onnxruntime-node gives the same vectors as the static backend (max abs diff < 1e-5)', async () => {
    const onnx = new OnnxBertBackend({
      modelPath: join(onnxDir, 'model.onnx'),
      tokenizerPath: join(onnxDir, 'tokenizer.json'),
      pooling: 'none',
      addSpecialTokens: false,
      batchSize: 3,
    });
    const stat = new StaticModel2VecBackend({ dir: MODEL });
    opened.push(onnx, stat);
    expect(onnx.dim).toBe(0); // unknown until the graph is loaded
    const a = await onnx.embed(TEXTS);
    const b = await stat.embed(TEXTS);
    expect(onnx.dim).toBe(64);
    let max = 0;
    for (let i = 0; i < TEXTS.length; i++)
      for (let j = 0; j < 64; j++) max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
    expect(max).toBeLessThan(1e-5);
    expect(onnx.health()).toMatchObject({ status: 'ok', backend: 'onnx', dim: 64, embedded_texts: 4 });
  });

  it('uses an already-pooled output as is under mean pooling; a damaged or missing file fails with a clear code', async () => {
    const mean = new OnnxBertBackend({
      modelPath: join(onnxDir, 'model.onnx'),
      tokenizerPath: join(onnxDir, 'tokenizer.json'),
      pooling: 'mean',
      addSpecialTokens: false,
    });
    opened.push(mean);
    const [v] = await mean.embed([TEXTS[0]]);
    expect(v.length).toBe(64);
    const junk = join(onnxDir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const bad = new OnnxBertBackend({ modelPath: junk, tokenizerPath: join(onnxDir, 'tokenizer.json') });
    await expect(bad.embed(['x'])).rejects.toMatchObject({ code: 'model_invalid' });
    expect(bad.health().status).toBe('error');
    const missing = new OnnxBertBackend({
      modelPath: join(onnxDir, 'nope.onnx'),
      tokenizerPath: join(onnxDir, 'tokenizer.json'),
    });
    await expect(missing.embed(['x'])).rejects.toMatchObject({ code: 'model_missing' });
  });
});

describe('createEmbeddingBackend', () => {
  it('resolves a Model2Vec folder to the static backend and model.onnx + tokenizer.json to ONNX', async () => {
    const m2v = createEmbeddingBackend({ model: 'model2vec-bge-64d-q' }, { modelsDir });
    expect(m2v.backend?.name).toBe('model2vec-static');
    expect(m2v.backend?.dim).toBe(64);
    const onnx = createEmbeddingBackend({ model: 'acme/m2v-onnx', pooling: 'none' }, { modelsDir });
    expect(onnx.backend?.name).toBe('onnx');
    expect(onnx.explanation).toMatch(/none pooling/);
    opened.push(m2v.backend!, onnx.backend!);
    const [v] = await onnx.backend!.embed(['bins'], {});
    expect(v.length).toBe(64);
  });

  it('returns null with a human explanation when nothing is installed, and rejects unsafe names', () => {
    const r = createEmbeddingBackend({ model: 'BAAI/bge-small-en-v1.5' }, { modelsDir });
    expect(r.backend).toBeNull();
    expect(r.explanation).toContain(NO_EMBEDDING_MODEL_MESSAGE);
    expect(createEmbeddingBackend({ model: 'x' }, { modelsDir: join(modelsDir, 'missing') }).backend).toBeNull();
    for (const bad of ['../etc', '/abs', 'a/b/c', 'a/..', '']) {
      expect(() => createEmbeddingBackend({ model: bad }, { modelsDir })).toThrow(
        expect.objectContaining({ code: 'bad_request' }),
      );
    }
    expect(existsSync(join(modelsDir, 'model2vec-bge-64d-q'))).toBe(true);
  });
});
