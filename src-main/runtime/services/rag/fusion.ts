/** Reciprocal rank fusion of ranked candidate lists (Cormack et al. 2009). */

/** The usual RRF constant: damps the advantage of the very top ranks. */
export const RRF_K = 60;

export interface FusedHit {
  id: number;
  score: number;
  lexicalRank?: number;
  vectorRank?: number;
}

/**
 * score(id) = sum over lists of weight / (RRF_K + rank), rank 1-based. Ties break by best single
 * rank, then id, so results are deterministic.
 */
export function reciprocalRankFusion(
  lexical: readonly number[],
  vector: readonly number[],
  weights = { lexical: 1, vector: 1 },
  k = RRF_K,
): FusedHit[] {
  const hits = new Map<number, FusedHit>();
  const get = (id: number): FusedHit => {
    let h = hits.get(id);
    if (!h) hits.set(id, (h = { id, score: 0 }));
    return h;
  };
  lexical.forEach((id, i) => {
    const h = get(id);
    h.score += weights.lexical / (k + i + 1);
    h.lexicalRank = i + 1;
  });
  vector.forEach((id, i) => {
    const h = get(id);
    h.score += weights.vector / (k + i + 1);
    h.vectorRank = i + 1;
  });
  const best = (h: FusedHit) => Math.min(h.lexicalRank ?? Infinity, h.vectorRank ?? Infinity);
  return [...hits.values()].sort((a, b) => b.score - a.score || best(a) - best(b) || a.id - b.id);
}
