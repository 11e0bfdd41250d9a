/** EmbeddingService on the bus with the real Model2Vec test model, locally and from another node. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HearthError } from '../../../src-main/common';
import {
  cosine,
  EmbeddingService,
  embeddingDescriptors,
  embedParamsCompatible,
  StaticModel2VecBackend,
} from '../../../src-main/runtime/services/embedding';
import { MODEL2VEC_DIR, skipWithoutModel } from '../../support/models';
import { createMesh, type Mesh } from '../bus/loopback-mesh';

const skip = skipWithoutModel('EmbeddingService', MODEL2VEC_DIR);
const MODEL = 'model2vec-bge-64d-q';

async function rejection(p: Promise<unknown>): Promise<HearthError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HearthError);
  return e as HearthError;
}

describe('embedding params predicate (reference §8)', () => {
  it('matches on the model only', () => {
    expect(embedParamsCompatible({ model: 'a' }, { model: 'a' })).toBe(true);
    expect(embedParamsCompatible({ model: 'a' }, { model: 'b' })).toBe(false);
    expect(embeddingDescriptors()[0].descriptor).toMatchObject({ name: 'embed.text', idempotent: true, params: {} });
  });
});

describe('without a backend', () => {
  it('offers nothing and health() explains why', async () => {
    const s = new EmbeddingService({
      backend: null,
      explanation: 'no embedding model installed; search works by keywords only (looked in /x)',
    });
    await s.start();
    expect(s.capabilities()).toEqual([]);
    expect(s.health()).toMatchObject({
      ok: false,
      model: null,
      detail: expect.stringMatching(/keywords only/) as unknown,
    });
    await s.stop();
  });
});

describe.skipIf(skip)('EmbeddingService with Model2Vec', () => {
  let svc: EmbeddingService;
  let mesh: Mesh;
  beforeAll(async () => {
    svc = new EmbeddingService({ backend: new StaticModel2VecBackend({ dir: MODEL2VEC_DIR!, model: MODEL }) });
    await svc.start();
    mesh = createMesh(['alice', 'bob']);
    mesh.node('alice').bus.registerService(svc);
    for (const n of mesh.nodes) for (const d of embeddingDescriptors()) n.bus.learn(d.descriptor, d.paramsCompatible);
    mesh.sync();
  });
  afterAll(async () => {
    await svc?.stop();
    await svc?.stop();
  });

  it('offers embed.text@1.0 with params {model}', () => {
    const [c] = svc.capabilities();
    expect(c.descriptor.params).toEqual({ model: MODEL });
    expect(svc.health()).toMatchObject({ ok: true, model: MODEL, dim: 64 });
  });

  it('embeds a batch from another node: one normalised vector per text, similar texts closer', async () => {
    const texts = [
      'a ladder to borrow',
      'borrow a ladder',
      'the weather is cold',
      ...Array.from({ length: 100 }, (_, i) => `text number ${i}`),
    ];
    const r = (await mesh
      .node('bob')
      .bus.call('embed.text', '1.0', { texts, model: MODEL }, { params: { model: MODEL } })) as {
      model: string;
      dim: number;
      vectors: number[][];
    };
    expect(mesh.node('bob').transport.sent.at(-1)).toEqual({ to: 'alice', capability: 'embed.text', stream: false });
    expect(r.model).toBe(MODEL);
    expect(r.dim).toBe(64);
    expect(r.vectors).toHaveLength(texts.length);
    const v = r.vectors.map((x) => Float32Array.from(x));
    expect(Math.hypot(...r.vectors[0])).toBeCloseTo(1, 4);
    expect(cosine(v[0], v[1])).toBeGreaterThan(cosine(v[0], v[2]));
  });

  it('refuses other models, bad bodies, and unknown params', async () => {
    const bob = mesh.node('bob').bus;
    expect((await rejection(bob.call('embed.text', '1.0', { texts: ['x'] }, { params: { model: 'e5' } }))).code).toBe(
      'not_found',
    );
    expect((await rejection(bob.call('embed.text', '1.0', { texts: [] }, { params: { model: MODEL } }))).wireCode).toBe(
      'schema_mismatch',
    );
    expect(
      (await rejection(bob.call('embed.text', '1.0', { texts: ['x'], model: 'e5' }, { params: { model: MODEL } })))
        .wireCode,
    ).toBe('not_found');
  });
});
