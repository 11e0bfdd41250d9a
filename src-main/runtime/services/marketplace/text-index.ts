/**
 * In-memory full-text index for posts: an inverted index (term -> post -> weighted term count)
 * scored with BM25 over one combined field where a title word counts 3x, a tag 2.5x and a body
 * word 1x (a cheap BM25F). Kept current by the view on every apply; queries never throw.
 */

/** A query term this long or longer also matches the words it begins. */
export const PREFIX_MIN_CHARS = 2;
/** Words one query term may expand to (the first ones in alphabetical order). */
export const PREFIX_MAX_EXPANSIONS = 32;
/** Weight of a prefix match relative to the whole word. */
export const PREFIX_WEIGHT = 0.6;
/** How much one occurrence in each field weighs. */
export const FIELD_WEIGHTS = Object.freeze({ title: 3, tags: 2.5, body: 1 });
/** BM25 parameters (the usual defaults). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** Longer runs are not words anyone searches for (hashes, URLs); they are cut. */
export const MAX_TOKEN_LENGTH = 40;
/** At most this many distinct query terms are scored. */
export const MAX_QUERY_TERMS = 16;

const SPLIT = /[^\p{L}\p{N}]+/u;
const MARKS = /\p{M}+/gu;

/** Light English plural folding, applied to documents and queries alike so it stays symmetric. */
function stem(t: string): string {
  if (t.length > 4 && t.endsWith('ies')) return `${t.slice(0, -3)}y`;
  if (t.length > 4 && /(ch|sh|x|z|ss)es$/.test(t)) return t.slice(0, -2);
  if (t.length > 3 && t.endsWith('s') && !/(ss|us|is)$/.test(t)) return t.slice(0, -1);
  return t;
}

/** Lower-case, strip accents, split on anything that is not a letter or digit, fold plurals. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.normalize('NFKD').replace(MARKS, '').toLowerCase().split(SPLIT)) {
    if (raw.length === 0) continue;
    out.push(stem(raw.slice(0, MAX_TOKEN_LENGTH)));
  }
  return out;
}

/** The searchable text of one post. */
export interface IndexedText {
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
}

export interface Hit {
  readonly id: string;
  readonly score: number;
}

/** Orders hits: higher score first, then higher rank (the view's "emergency, then newest"). */
export interface SearchLimits {
  readonly limit: number;
  /** Called only for candidates good enough to enter the top `limit`, so it may be costly. */
  readonly accept?: (id: string) => boolean;
}

export class TextIndex {
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly docNo = new Map<string, number>();
  private ids: string[] = [];
  private docTerms: (string[] | null)[] = [];
  private docLen: number[] = [];
  private docRank: number[] = [];
  private totalLen = 0;
  private live = 0;
  private acc = new Float64Array(0);
  /** Every indexed term, sorted, for prefix lookups; rebuilt lazily after the vocabulary changes. */
  private sortedTerms: string[] | null = null;

  /** Number of indexed posts. */
  get size(): number {
    return this.live;
  }

  /** Index (or re-index) a post's text. `rank` breaks score ties (higher first). */
  set(id: string, text: IndexedText, rank = 0): void {
    this.remove(id);
    const weights = new Map<string, number>();
    const add = (tokens: string[], w: number) => {
      for (const t of tokens) weights.set(t, (weights.get(t) ?? 0) + w);
    };
    add(tokenize(text.title), FIELD_WEIGHTS.title);
    add(tokenize(text.tags.join(' ')), FIELD_WEIGHTS.tags);
    add(tokenize(text.body), FIELD_WEIGHTS.body);
    let n = this.docNo.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(id);
      this.docNo.set(id, n);
    }
    let length = 0;
    for (const [term, w] of weights) {
      let p = this.postings.get(term);
      if (!p) {
        this.postings.set(term, (p = new Map()));
        this.sortedTerms = null;
      }
      p.set(n, w);
      length += w;
    }
    this.docTerms[n] = [...weights.keys()];
    this.docLen[n] = length;
    this.docRank[n] = rank;
    this.totalLen += length;
    this.live += 1;
  }

  remove(id: string): void {
    const n = this.docNo.get(id);
    const terms = n === undefined ? null : this.docTerms[n];
    if (n === undefined || !terms) return;
    for (const term of terms) {
      const p = this.postings.get(term);
      p?.delete(n);
      if (p && p.size === 0) {
        this.postings.delete(term);
        this.sortedTerms = null;
      }
    }
    this.docTerms[n] = null;
    this.totalLen -= this.docLen[n] ?? 0;
    this.docLen[n] = 0;
    this.live -= 1;
  }

  clear(): void {
    this.postings.clear();
    this.sortedTerms = null;
    this.docNo.clear();
    this.ids = [];
    this.docTerms = [];
    this.docLen = [];
    this.docRank = [];
    this.totalLen = 0;
    this.live = 0;
  }

  /**
   * The best `limit` BM25 hits for `query` (any-term match), best first: score, then rank. A query
   * term also matches the indexed words it begins (`lad` finds "ladder"), weighted PREFIX_WEIGHT,
   * so results appear while a person is still typing.
   * Scores accumulate in a reused typed array; a size-`limit` heap keeps the winners, so the
   * cost is one pass over the query terms' postings and no sort of all candidates.
   */
  search(query: string, opts: SearchLimits): Hit[] {
    const terms = [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
    if (terms.length === 0 || this.live === 0 || opts.limit <= 0) return [];
    if (this.acc.length < this.ids.length) this.acc = new Float64Array(Math.max(this.ids.length, this.acc.length * 2));
    const acc = this.acc;
    const touched: number[] = [];
    const avg = this.totalLen / this.live || 1;
    const lens = this.docLen;
    for (const [term, weight] of this.expand(terms)) {
      const p = this.postings.get(term);
      if (!p) continue;
      const idf = Math.log(1 + (this.live - p.size + 0.5) / (p.size + 0.5));
      const c1 = weight * idf * (BM25_K1 + 1);
      const c2 = BM25_K1 * (1 - BM25_B);
      const c3 = (BM25_K1 * BM25_B) / avg;
      for (const [n, tf] of p) {
        if (acc[n] === 0) touched.push(n);
        acc[n]! += (c1 * tf) / (tf + c2 + c3 * lens[n]!);
      }
    }
    const top = this.topK(touched, opts.limit, opts.accept);
    const hits = top.map((n) => ({ id: this.ids[n]!, score: acc[n]! }));
    for (const n of touched) acc[n] = 0;
    return hits;
  }

  /** Each query term (weight 1) plus up to PREFIX_MAX_EXPANSIONS indexed words it begins (PREFIX_WEIGHT). */
  private expand(terms: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of terms) out.set(t, 1);
    const sorted = (this.sortedTerms ??= [...this.postings.keys()].sort());
    for (const t of terms) {
      if (t.length < PREFIX_MIN_CHARS) continue;
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo, n = 0; i < sorted.length && n < PREFIX_MAX_EXPANSIONS && sorted[i]!.startsWith(t); i++) {
        if (!out.has(sorted[i]!)) {
          out.set(sorted[i]!, PREFIX_WEIGHT);
          n++;
        }
      }
    }
    return out;
  }

  /** Size-k min-heap selection over the touched docs (worst at the root). */
  private topK(touched: number[], k: number, accept?: (id: string) => boolean): number[] {
    const acc = this.acc;
    const rank = this.docRank;
    const better = (a: number, b: number) => acc[a]! > acc[b]! || (acc[a] === acc[b] && rank[a]! > rank[b]!);
    const heap: number[] = [];
    const siftDown = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < heap.length && better(heap[w]!, heap[l]!)) w = l;
        if (r < heap.length && better(heap[w]!, heap[r]!)) w = r;
        if (w === i) return;
        [heap[i], heap[w]] = [heap[w]!, heap[i]!];
        i = w;
      }
    };
    const siftUp = (i: number) => {
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(heap[p]!, heap[i]!)) return;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    };
    for (const n of touched) {
      if (heap.length === k && !better(n, heap[0]!)) continue;
      if (accept && !accept(this.ids[n]!)) continue;
      if (heap.length < k) {
        heap.push(n);
        siftUp(heap.length - 1);
      } else {
        heap[0] = n;
        siftDown(0);
      }
    }
    return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }
}
