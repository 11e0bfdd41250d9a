/** In-memory brute-force cosine index: padded contiguous matrices scanned by WebAssembly SIMD, int8 first pass + exact re-scoring. */
import { dotAt, l2Normalize } from '../embedding';
import { RagError } from './errors';
import { quantizeInto, roundingSlack } from './quantize';
import { ScanBuffer } from './scan-buffer';
import { instantiateSimdScanner, SIMD_LANE_GROUP, type SimdScanner } from './simd-dot';
import { topK, type VectorHit } from './top-k';

export type { VectorHit } from './top-k';

/** Above this share of rows needing exact re-scoring, one exact SIMD scan of everything is cheaper. */
const MAX_RESCORE_SHARE = 1 / 8;

export interface VectorIndexOptions {
  /** Use the WebAssembly SIMD kernels when the runtime supports them (default true); false forces the JS scan. */
  simd?: boolean;
  /** With SIMD, scan an int8 copy first and re-score exactly only rows that could rank (default true). */
  quantized?: boolean;
}

/** What the last search did (for benchmarks and tests). */
export interface SearchStats {
  /** Rows whose exact float32 score was computed. */
  rescored: number;
  /** True when the whole matrix was scanned exactly (no int8 pass, or too many rows in doubt). */
  exactScan: boolean;
}

/**
 * Rows are L2-normalised on insert (cosine = dot) and stored zero-padded in linear buffers that
 * grow in place. Search with SIMD + quantized: (1) int8 dot of every row (a quarter of the memory
 * traffic of float32); (2) the best k by that estimate are scored exactly, giving s_min, a lower
 * bound of the true k-th score; (3) every row whose estimate plus its proven error bound reaches
 * s_min is scored exactly; the top k of those is the exact answer (see quantize.ts for the bound).
 * Results therefore equal an exact scan, up to float rounding of the scores.
 */
export class VectorIndex {
  readonly dim: number;
  lastSearch: SearchStats = { rescored: 0, exactScan: true };
  private readonly stride: number;
  private readonly exact: ScanBuffer;
  private readonly coarse: ScanBuffer | null;
  private ids: Float64Array;
  private steps: Float64Array;
  private l1s: Float64Array;
  private rowNums = new Float64Array(0);
  private approx = new Float32Array(0);
  private capacity: number;
  private n = 0;

  constructor(dim: number, capacity = 1024, opts: VectorIndexOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1)
      throw new RagError('bad_request', `A vector index needs a dimension >= 1 (got ${dim}).`);
    this.dim = dim;
    this.stride = Math.ceil(dim / SIMD_LANE_GROUP) * SIMD_LANE_GROUP;
    const simd = opts.simd === false ? null : instantiateSimdScanner();
    this.exact = new ScanBuffer(simd, this.stride * 4);
    this.coarse =
      simd && opts.quantized !== false ? new ScanBuffer(instantiateSimdScanner(), Math.ceil(dim / 64) * 64) : null;
    this.capacity = Math.max(1, capacity);
    this.ids = new Float64Array(this.capacity);
    this.steps = new Float64Array(this.capacity);
    this.l1s = new Float64Array(this.capacity);
    this.exact.reserve(this.capacity);
    this.coarse?.reserve(this.capacity);
  }

  get size(): number {
    return this.n;
  }

  /** True when searches run on the WebAssembly SIMD kernels. */
  get simd(): boolean {
    return this.exact.kernel !== null;
  }

  /** True when searches start with the int8 pass. */
  get quantized(): boolean {
    return this.coarse !== null;
  }

  add(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim)
      throw new RagError(
        'embedding_mismatch',
        `A vector has ${vector.length} dimensions; the index expects ${this.dim}.`,
      );
    if (this.n === this.capacity) this.grow(this.capacity * 2);
    const start = this.exact.row(this.n) >> 2;
    const row = this.exact.floats().subarray(start, start + this.stride);
    row.set(vector);
    row.fill(0, this.dim);
    l2Normalize(row);
    if (this.coarse) {
      const q = quantizeInto(row.subarray(0, this.dim), this.coarse.bytes(), this.coarse.row(this.n));
      this.coarse.bytes().fill(0, this.coarse.row(this.n) + this.dim, this.coarse.row(this.n + 1));
      this.steps[this.n] = q.step;
      this.l1s[this.n] = q.l1;
    }
    this.ids[this.n++] = id;
  }

  private grow(capacity: number): void {
    this.exact.reserve(capacity);
    this.coarse?.reserve(capacity);
    for (const key of ['ids', 'steps', 'l1s'] as const) {
      const next = new Float64Array(capacity);
      next.set(this[key]);
      this[key] = next;
    }
    this.capacity = capacity;
  }

  /** Removes every row whose id is in `ids`, keeping the others in order; returns how many went. */
  remove(ids: ReadonlySet<number>): number {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      if (ids.has(this.ids[r])) continue;
      if (w !== r) {
        this.exact.move(r, w);
        this.coarse?.move(r, w);
        this.ids[w] = this.ids[r];
        this.steps[w] = this.steps[r];
        this.l1s[w] = this.l1s[r];
      }
      w++;
    }
    const removed = this.n - w;
    this.n = w;
    return removed;
  }

  /** Top `k` rows by cosine with `query` (normalised internally); `allow` restricts to a set of ids. */
  search(query: Float32Array, k: number, allow?: ReadonlySet<number>): VectorHit[] {
    if (query.length !== this.dim)
      throw new RagError(
        'embedding_mismatch',
        `The query vector has ${query.length} dimensions; the index expects ${this.dim}.`,
      );
    if (this.n === 0 || k < 1) return [];
    const q = this.exact.floats().subarray(0, this.stride);
    q.set(query);
    q.fill(0, this.dim);
    l2Normalize(q);
    return this.coarse?.kernel && this.exact.kernel
      ? this.twoPass(q, k, allow, this.coarse, this.coarse.kernel, this.exact.kernel)
      : this.exactScan(q, k, allow);
  }

  private exactScan(q: Float32Array, k: number, allow?: ReadonlySet<number>): VectorHit[] {
    const out = this.exact.scores(this.n);
    const m = this.exact.floats();
    const scores = m.subarray(out >> 2, (out >> 2) + this.n);
    if (this.exact.kernel) this.exact.kernel.scan(0, this.exact.base, this.n, this.stride * 4, out);
    else for (let r = 0, o = this.exact.base >> 2; r < this.n; r++, o += this.stride) scores[r] = dotAt(q, m, o);
    this.lastSearch = { rescored: this.n, exactScan: true };
    return topK(scores, this.ids, this.n, k, allow && ((id) => allow.has(id)));
  }

  private twoPass(
    q: Float32Array,
    k: number,
    allow: ReadonlySet<number> | undefined,
    coarse: ScanBuffer,
    coarseKernel: SimdScanner,
    kernel: SimdScanner,
  ): VectorHit[] {
    const n = this.n;
    const qq = quantizeInto(q.subarray(0, this.dim), coarse.bytes(), 0);
    coarse.bytes().fill(0, this.dim, coarse.base);
    coarseKernel.scan_i8(0, coarse.base, n, coarse.rowBytes, coarse.scores(n));
    const dots = coarse.ints().subarray(coarse.scores(n) >> 2, (coarse.scores(n) >> 2) + n);
    if (this.approx.length < n) {
      this.approx = new Float32Array(this.capacity);
      this.rowNums = Float64Array.from({ length: this.capacity }, (_, i) => i);
    }
    const approx = this.approx;
    for (let r = 0; r < n; r++) approx[r] = dots[r] * this.steps[r] * qq.step;
    const acceptRow = allow && ((r: number) => allow.has(this.ids[r]));
    // (2) a lower bound of the true k-th score from the k best estimates
    const first = topK(approx, this.rowNums, n, k, acceptRow);
    // exact scores come from the same float32 SIMD kernel as a full scan, so both paths agree bit for bit
    const out = this.exact.scores(n);
    const exactOf = (r: number) => {
      kernel.scan(0, this.exact.row(r), 1, this.stride * 4, out);
      return this.exact.floats()[out >> 2];
    };
    let sMin = first.length < k ? -Infinity : Infinity;
    if (first.length === k) for (const h of first) sMin = Math.min(sMin, exactOf(h.id));
    // (3) every row that could still reach sMin
    const cand: number[] = [];
    const limit = Math.max(k, n * MAX_RESCORE_SHARE);
    // dotErrorBound(row, query, dim), with the query's terms hoisted out of the loop
    const perStep = qq.l1 / 2 + (this.dim * qq.step) / 4;
    const perL1 = qq.step / 2;
    const slack = roundingSlack(this.dim);
    for (let r = 0; r < n; r++) {
      const bound = this.steps[r] * perStep + this.l1s[r] * perL1 + slack;
      if (approx[r] + bound >= sMin && (!acceptRow || acceptRow(r)) && cand.push(r) > limit)
        return this.exactScan(q, k, allow);
    }
    const scores = new Float32Array(cand.length);
    const ids = new Float64Array(cand.length);
    cand.forEach((r, i) => ((scores[i] = exactOf(r)), (ids[i] = this.ids[r])));
    this.lastSearch = { rescored: cand.length + first.length, exactScan: false };
    return topK(scores, ids, cand.length, k);
  }
}
