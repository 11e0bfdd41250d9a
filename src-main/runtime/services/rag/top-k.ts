/** Partial top-k selection over a score array with a bounded min-heap (no full sort of n scores). */

export interface VectorHit {
  id: number;
  score: number;
}

/**
 * The `k` highest of `scores[0..n)` as hits `{ id: ids[r], score }`, best first; ties by id
 * ascending. `accept` (optional) skips rows whose id it rejects. O(n log k).
 */
export function topK(
  scores: Float32Array,
  ids: Float64Array,
  n: number,
  k: number,
  accept?: (id: number) => boolean,
): VectorHit[] {
  const heapIds = new Float64Array(k);
  const heapScores = new Float64Array(k);
  let size = 0;
  for (let r = 0; r < n; r++) {
    const s = scores[r];
    if (size === k && !(s > heapScores[0] || (s === heapScores[0] && ids[r] < heapIds[0]))) continue;
    const id = ids[r];
    if (accept && !accept(id)) continue;
    if (size < k) {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(s, id, heapScores[p], heapIds[p])) break;
        heapScores[i] = heapScores[p];
        heapIds[i] = heapIds[p];
        i = p;
      }
      heapScores[i] = s;
      heapIds[i] = id;
    } else {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const c = l + 1 < size && worse(heapScores[l + 1], heapIds[l + 1], heapScores[l], heapIds[l]) ? l + 1 : l;
        if (!worse(heapScores[c], heapIds[c], s, id)) break;
        heapScores[i] = heapScores[c];
        heapIds[i] = heapIds[c];
        i = c;
      }
      heapScores[i] = s;
      heapIds[i] = id;
    }
  }
  const out: VectorHit[] = [];
  for (let i = 0; i < size; i++) out.push({ id: heapIds[i], score: heapScores[i] });
  return out.sort((a, b) => b.score - a.score || a.id - b.id);
}

/** Heap order: (score a, id a) ranks below (score b, id b) — lower score, or equal score and higher id. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}
