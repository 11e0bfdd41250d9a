import { describe, expect, it } from 'vitest';
import { VectorIndex } from '../../../src-main/runtime/services/rag';
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
function reference(rows: { id: number; v: Float32Array }[], q: Float32Array, k: number, allow?: Set<number>): { id: number; score: number }[] {
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
    if (g.id !== want[i].id) expect(Math.abs(want.find((w) => w.id === g.id)?.score ?? -9) - want[i].score).toBeLessThan(1e-5);
  });
}

describe.each([
  { simd: true, label: 'WebAssembly SIMD' },
  { simd: false, label: 'JavaScript fallback' },
])('VectorIndex ($label)', ({ simd }) => {
  it.each([1, 7, 16, 64, 100, 384])('matches a brute-force reference at dim %i (random data, with and without a filter)', (dim) => {
    const rand = rng(dim * 7919);
    const rows = Array.from({ length: 700 }, (_, i) => ({ id: 1000 + i * 3, v: randomVector(rand, dim) }));
    const idx = new VectorIndex(dim, 16, { simd }); // tiny capacity: forces several grows
    for (const r of rows) idx.add(r.id, r.v);
    expect(idx.size).toBe(700);
    if (simd) expect(idx.simd).toBe(true);
    for (let t = 0; t < 5; t++) {
      const q = randomVector(rand, dim);
      for (const k of [1, 5, 50, 800]) expectSameRanking(idx.search(q, k), reference(rows, q, k));
      const allow = new Set(rows.filter(() => rand() < 0.1).map((r) => r.id));
      expectSameRanking(idx.search(q, 20, allow), reference(rows, q, 20, allow));
    }
  });

  it('removes rows in place and keeps the rest searchable and in order', () => {
    const rand = rng(5);
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, v: randomVector(rand, 48) }));
    const idx = new VectorIndex(48, 64, { simd });
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

  it('handles empty indexes, zero vectors, k < 1 and wrong dimensions', () => {
    const idx = new VectorIndex(4, 1, { simd });
    expect(idx.search(Float32Array.of(1, 0, 0, 0), 5)).toEqual([]);
    idx.add(1, Float32Array.of(0, 0, 0, 0));
    idx.add(2, Float32Array.of(0, 2, 0, 0));
    expect(idx.search(Float32Array.of(0, 1, 0, 0), 5)).toEqual([{ id: 2, score: 1 }, { id: 1, score: 0 }]);
    expect(idx.search(Float32Array.of(0, 1, 0, 0), 0)).toEqual([]);
    expect(() => idx.add(3, Float32Array.of(1, 2))).toThrow(expect.objectContaining({ code: 'embedding_mismatch' }));
    expect(() => idx.search(Float32Array.of(1), 1)).toThrow(expect.objectContaining({ code: 'embedding_mismatch' }));
    expect(idx.size).toBe(2);
    expect(() => new VectorIndex(0)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('topK', () => {
  it('equals a full sort on random scores with many ties, for every k', () => {
    const rand = rng(11);
    const n = 500;
    const scores = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 20); // heavy ties
    const ids = Float64Array.from({ length: n }, (_, i) => (i * 7919) % 1009); // not in row order
    const full = Array.from({ length: n }, (_, r) => ({ id: ids[r], score: scores[r] })).sort((a, b) => b.score - a.score || a.id - b.id);
    for (const k of [1, 2, 3, 10, 64, 499, 500, 600]) expect(topK(scores, ids, n, k)).toEqual(full.slice(0, k));
    const even = (id: number) => id % 2 === 0;
    expect(topK(scores, ids, n, 25, even)).toEqual(full.filter((h) => even(h.id)).slice(0, 25));
  });
});
