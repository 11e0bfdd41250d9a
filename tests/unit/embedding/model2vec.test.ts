import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StaticModel2VecBackend, cosine, loadSafetensors } from '../../../src-main/runtime/services/embedding';
import { model2vecDir } from './model-path';

const MODEL = model2vecDir();
const backend = new StaticModel2VecBackend({ dir: MODEL });
afterAll(() => backend.close());

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('StaticModel2VecBackend (real model2vec-bge-64d-q)', () => {
  it('knows its dim from the header before warm()', () => {
    expect(backend.dim).toBe(64);
    expect(backend.health().status).toBe('cold');
    expect(backend.maxInput).toBe(512);
  });

  it("README word pairs: both pairs share one quantized row, so cosine is 1 (the README's 0.76 / 0.40 do not hold)", async () => {
    // Measured, not assumed: with this file's 128-row vocabulary quantization "revenue" and
    // "profits" both map to row 113, "cat" and "kitten" to row 52; one-token texts differ only
    // by their scalar weight, which normalisation removes. See docs/decisions/embedding-rag.md.
    const t = loadSafetensors(join(MODEL, 'model.safetensors'));
    const mapping = t.get('mapping')!.data as Int32Array;
    expect(t.get('embeddings')!.shape).toEqual([128, 64]);
    expect(mapping.length).toBe(29_524);
    const ids = await Promise.all(['revenue', 'profits', 'cat', 'kitten'].map((w) => backend.tokenIds(w)));
    expect(ids.every((x) => x.length === 1)).toBe(true);
    expect(mapping[ids[0][0]]).toBe(mapping[ids[1][0]]);
    expect(mapping[ids[2][0]]).toBe(mapping[ids[3][0]]);
    const [r, p, c, k] = await backend.embed(['revenue', 'profits', 'cat', 'kitten']);
    expect(cosine(r, p)).toBeCloseTo(1, 5);
    expect(cosine(c, k)).toBeCloseTo(1, 5);
    expect(Math.abs(cosine(r, c))).toBeLessThan(0.2);
  });

  it('ranks related sentences above unrelated ones', async () => {
    const [water, plumbers, kitten, cat] = await backend.embed([
      'The water main will be shut off on Tuesday for pipe repairs.',
      'Plumbers will turn off the water supply to fix the pipes.',
      'The kitten is sleeping on the sofa.',
      'Our cat likes to nap on the couch.',
    ]);
    expect(cosine(water, plumbers)).toBeGreaterThan(0.5);
    expect(cosine(kitten, cat)).toBeGreaterThan(0.5);
    expect(cosine(water, plumbers)).toBeGreaterThan(cosine(water, cat) + 0.3);
    expect(cosine(kitten, cat)).toBeGreaterThan(cosine(kitten, plumbers) + 0.3);
  });

  it('normalises by default, not when asked not to; empty text gives a zero vector', async () => {
    const [a] = await backend.embed(['clinic hours on saturday']);
    const [b] = await backend.embed(['clinic hours on saturday'], { normalize: false });
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(Math.abs(norm(b) - 1)).toBeGreaterThan(0.01);
    expect(cosine(a, b)).toBeCloseTo(1, 5);
    const [e] = await backend.embed(['']);
    expect(e.length).toBe(64);
    expect(norm(e)).toBe(0);
    expect(backend.health()).toMatchObject({ status: 'ok', dim: 64, backend: 'model2vec-static' });
  });

  it('batches: one call with 200 texts equals the texts embedded one by one', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `bin day ${i} is ${i % 2 ? 'Monday' : 'Thursday'}`);
    const all = await backend.embed(texts);
    expect(all).toHaveLength(200);
    const [single] = await backend.embed([texts[137]]);
    expect(Array.from(all[137])).toEqual(Array.from(single));
  });

  it('rejects bad input, cancellation and use after close with exact codes', async () => {
    await expect(backend.embed([42 as unknown as string])).rejects.toMatchObject({ code: 'bad_request' });
    const ac = new AbortController();
    ac.abort();
    await expect(backend.embed(['x'], { signal: ac.signal })).rejects.toMatchObject({
      code: 'cancelled',
      wireCode: 'cancelled',
    });
    const other = new StaticModel2VecBackend({ dir: MODEL });
    await other.close();
    await expect(other.embed(['x'])).rejects.toMatchObject({ code: 'closed' });
    expect(other.health().status).toBe('closed');
    const empty = mkdtempSync(join(tmpdir(), 'hn-nomodel-'));
    expect(() => new StaticModel2VecBackend({ dir: empty })).toThrow(
      expect.objectContaining({ code: 'model_missing', wireCode: 'not_found' }),
    );
    rmSync(empty, { recursive: true, force: true });
  });
});
