/** In-memory brute-force cosine index: one contiguous Float32Array matrix, partial top-k selection. */
import { dotAt, l2Normalize } from '../embedding';

export interface VectorHit {
  id: number;
  score: number;
}

/**
 * Rows are L2-normalised on insert, so cosine = dot product. A scan of 100,000 x 384 floats is
 * ~38M multiply-adds; the 4-accumulator dot and a bounded min-heap keep it in tens of ms.
 */
export class VectorIndex {
  readonly dim: number;
  private matrix: Float32Array;
  private ids: Float64Array;
  private n = 0;

  constructor(dim: number, capacity = 1024) {
    this.dim = dim;
    this.matrix = new Float32Array(Math.max(1, capacity) * dim);
    this.ids = new Float64Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.n;
  }

  add(id: number, vector: Float32Array): void {
    if (this.n === this.ids.length) {
      const m = new Float32Array(this.matrix.length * 2);
      m.set(this.matrix);
      this.matrix = m;
      const ids = new Float64Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    const row = this.matrix.subarray(this.n * this.dim, (this.n + 1) * this.dim);
    row.set(vector);
    l2Normalize(row);
    this.ids[this.n++] = id;
  }

  /** Top `k` rows by cosine with `query` (normalised internally); `allow` restricts to a set of ids. */
  search(query: Float32Array, k: number, allow?: ReadonlySet<number>): VectorHit[] {
    const q = l2Normalize(Float32Array.from(query));
    const heapIds = new Float64Array(k);
    const heapScores = new Float64Array(k);
    let size = 0;
    const dim = this.dim;
    for (let r = 0; r < this.n; r++) {
      const id = this.ids[r];
      if (allow && !allow.has(id)) continue;
      const s = dotAt(q, this.matrix, r * dim);
      if (size < k) {
        // sift up into a min-heap keyed on score
        let i = size++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (heapScores[p] <= s) break;
          heapScores[i] = heapScores[p];
          heapIds[i] = heapIds[p];
          i = p;
        }
        heapScores[i] = s;
        heapIds[i] = id;
      } else if (s > heapScores[0]) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= size) break;
          const c = l + 1 < size && heapScores[l + 1] < heapScores[l] ? l + 1 : l;
          if (heapScores[c] >= s) break;
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
}
