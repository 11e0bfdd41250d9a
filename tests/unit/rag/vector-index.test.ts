import { describe, expect, it } from 'vitest';
import { VectorIndex } from '../../../src-main/runtime/services/rag';
import { dotErrorBound, quantizeInto } from '../../../src-main/runtime/services/rag/quantize';
import { topK } from '../../../src-main/runtime/services/rag/top-k';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomVector = (rand: () => number, dim: number) => Float32Array.from({ length: dim }, () => rand() * 2 - 1);

/** Brute-force reference in float64: cosine of every row, full sort (score desc, id asc). */
function reference(
  rows: { id: number; v: Float32Array }[],
  q: Float32Array,
  k: number,
  allow?: Set<number>,
): { id: number; score: number }[] {
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  const qn = norm(q);
  return rows
    .filter((r) => !allow || allow.has(r.id))
    .map((r) => ({ id: r.id, score: r.v.reduce((s, x, i) => s + x * q[i], 0) / (norm(r.v) * qn) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}

/** Same ids in the same order, except that rows whose reference scores are within float32 rounding may swap. */
function expectSameRanking(got: { id: number; score: number }[], want: { id: number; score: number }[]): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => {
    expect(g.score).toBeCloseTo(want[i].score, 5);
    if (g.id !== want[i].id)
      expect(Math.abs(want.find((w) => w.id === g.id)?.score ?? -9) - want[i].score).toBeLessThan(1e-5);
  });
}

describe.each([
  { simd: true, quantized: true, label: 'SIMD int8 pass + exact re-scoring' },
  { simd: true, quantized: false, label: 'SIMD exact float32 scan' },
  { simd: false, quantized: false, label: 'JavaScript fallback' },
])('VectorIndex ($label)', ({ simd, quantized }) => {
  it.each([1, 7, 16, 64, 100, 384])(
    'matches a brute-force reference at dim %i (random data, with and without a filter)',
    (dim) => {
      const rand = rng(dim * 7919);
      const rows = Array.from({ length: 700 }, (_, i) => ({ id: 1000 + i * 3, v: randomVector(rand, dim) }));
      const idx = new VectorIndex(dim, 16, { simd, quantized }); // tiny capacity: forces several grows
      for (const r of rows) idx.add(r.id, r.v);
      expect(idx.size).toBe(700);
      expect(idx.simd).toBe(simd);
      expect(idx.quantized).toBe(quantized);
      for (let t = 0; t < 5; t++) {
        const q = randomVector(rand, dim);
        for (const k of [1, 5, 50, 800]) {
          expectSameRanking(idx.search(q, k), reference(rows, q, k));
          if (quantized && k === 5 && dim >= 64) expect(idx.lastSearch).toMatchObject({ exactScan: false }); // the int8 pass did prune
        }
        const allow = new Set(rows.filter(() => rand() < 0.1).map((r) => r.id));
        expectSameRanking(idx.search(q, 20, allow), reference(rows, q, 20, allow));
      }
    },
  );

  it('removes rows in place and keeps the rest searchable and in order', () => {
    const rand = rng(5);
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, v: randomVector(rand, 48) }));
    const idx = new VectorIndex(48, 64, { simd, quantized });
    for (const r of rows) idx.add(r.id, r.v);
    const gone = new Set(rows.filter((r) => r.id % 3 === 0).map((r) => r.id));
    expect(idx.remove(gone)).toBe(100);
    expect(idx.remove(new Set([9999]))).toBe(0);
    expect(idx.size).toBe(200);
    const kept = rows.filter((r) => !gone.has(r.id));
    const q = randomVector(rand, 48);
    expectSameRanking(idx.search(q, 300), reference(kept, q, 300));
    idx.add(5000, rows[1].v); // appends after a removal still work; an identical row ties, lower id first
    expect(idx.search(rows[1].v, 2).map((h) => h.id)).toEqual([2, 5000]);
  });

  it('stays exact on clustered near-duplicate data (many rows within the int8 error of the k-th score)', () => {
    const rand = rng(77);
    const centre = randomVector(rand, 64);
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      id: i,
      v: centre.map((c) => c + (rand() - 0.5) * (i % 2 ? 0.001 : 0.3)),
    }));
    const idx = new VectorIndex(64, 2000, { simd, quantized });
    for (const r of rows) idx.add(r.id, r.v);
    const q = centre.map((c) => c + (rand() - 0.5) * 0.01);
    expectSameRanking(idx.search(q, 10), reference(rows, q, 10));
    expectSameRanking(idx.search(q, 10, new Set([3, 4, 5, 1999])), reference(rows, q, 10, new Set([3, 4, 5, 1999])));
  });

  it('handles empty indexes, zero vectors, k < 1 and wrong dimensions', () => {
    const idx = new VectorIndex(4, 1, { simd, quantized });
    expect(idx.search(Float32Array.of(1, 0, 0, 0), 5)).toEqual([]);
    idx.add(1, Float32Array.of(0, 0, 0, 0));
    idx.add(2, Float32Array.of(0, 2, 0, 0));
    expect(idx.search(Float32Array.of(0, 1, 0, 0), 5)).toEqual([
      { id: 2, score: 1 },
      { id: 1, score: 0 },
    ]);
    expect(idx.search(Float32Array.of(0, 1, 0, 0), 0)).toEqual([]);
    expect(() => idx.add(3, Float32Array.of(1, 2))).toThrow(expect.objectContaining({ code: 'embedding_mismatch' }));
    expect(() => idx.search(Float32Array.of(1), 1)).toThrow(expect.objectContaining({ code: 'embedding_mismatch' }));
    expect(idx.size).toBe(2);
    expect(() => new VectorIndex(0)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('VectorIndex int8 pass', () => {
  it('returns exactly (ids and score bits) what the exact float32 SIMD scan returns, and prunes most rows', () => {
    const rand = rng(99);
    const dim = 384;
    const exact = new VectorIndex(dim, 8, { quantized: false });
    const fast = new VectorIndex(dim, 8);
    for (let i = 0; i < 3000; i++) {
      const v = randomVector(rand, dim);
      exact.add(i * 2, v);
      fast.add(i * 2, v);
    }
    let rescored = 0;
    for (let t = 0; t < 20; t++) {
      const q = randomVector(rand, dim);
      const k = [1, 5, 50][t % 3];
      expect(fast.search(q, k)).toEqual(exact.search(q, k));
      expect(fast.lastSearch.exactScan).toBe(false);
      rescored += fast.lastSearch.rescored;
      const allow = new Set(Array.from({ length: 40 }, () => 2 * Math.floor(rand() * 3000)));
      expect(fast.search(q, 10, allow)).toEqual(exact.search(q, 10, allow));
    }
    expect(rescored / 20).toBeLessThan(3000 / 8);
  });
});

describe('topK', () => {
  it('equals a full sort on random scores with many ties, for every k', () => {
    const rand = rng(11);
    const n = 500;
    const scores = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 20); // heavy ties
    const ids = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1009); // not in row order
    const full = Array.from({ length: n }, (_, r) => ({ id: ids[r], score: scores[r] })).sort(
      (a, b) => b.score - a.score || a.id - b.id,
    );
    for (const k of [1, 2, 3, 10, 64, 499, 500, 600]) expect(topK(scores, ids, n, k)).toEqual(full.slice(0, k));
    const even = (id: number) => id % 2 === 0;
    expect(topK(scores, ids, n, 25, even)).toEqual(full.filter((h) => even(h.id)).slice(0, 25));
  });
});

describe('int8 quantisation', () => {
  it('the dot-product error never exceeds the proven bound (random and spiky vectors)', () => {
    const rand = rng(21);
    let worstShare = 0;
    for (let t = 0; t < 300; t++) {
      const dim = 1 + Math.floor(rand() * 400);
      const spiky = t % 3 === 0;
      const x = Float32Array.from({ length: dim }, () => (spiky && rand() < 0.02 ? 5 : 1) * (rand() * 2 - 1));
      const q = Float32Array.from({ length: dim }, () => rand() * 2 - 1);
      const x8 = new Int8Array(dim);
      const q8 = new Int8Array(dim);
      const qx = quantizeInto(x, x8, 0);
      const qq = quantizeInto(q, q8, 0);
      let exact = 0;
      let approx = 0;
      for (let i = 0; i < dim; i++) {
        exact += x[i] * q[i];
        approx += x8[i] * q8[i];
      }
      approx *= qx.step * qq.step;
      const bound = dotErrorBound(qx, qq, dim);
      expect(Math.abs(exact - approx)).toBeLessThanOrEqual(bound);
      worstShare = Math.max(worstShare, Math.abs(exact - approx) / bound);
      expect(Math.max(...x8.map(Math.abs))).toBeLessThanOrEqual(127);
    }
    expect(worstShare).toBeGreaterThan(0.01); // the bound is not vacuous
    const zero = quantizeInto(new Float32Array(4), new Int8Array(4), 0);
    expect(zero).toEqual({ step: 0, l1: 0 });
  });
});
