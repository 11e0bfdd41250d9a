/** RAG store benchmark: ingest chunks/s, then hybrid query p50/p95 at 10,000 and 100,000 chunks of 384-dim vectors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorpusStore, VectorIndex, type Chunk } from '../src-main/runtime/services/rag';

const DIM = 384;
const CHUNKS_PER_DOC = 1000;
const QUERIES = 40;
/** Vocabulary size of the synthetic text; word frequencies follow Zipf's law like real prose. */
const VOCAB = 20_000;

/** Deterministic PRNG (mulberry32) so runs are comparable. */
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
const rand = rng(42);
const SYLLABLES = [
  'ba',
  'ko',
  'ri',
  'tem',
  'lo',
  'sun',
  'var',
  'pe',
  'di',
  'mon',
  'ga',
  'shu',
  'tel',
  'no',
  'ra',
  'wi',
];
const WORDS = Array.from({ length: VOCAB }, (_, i) => {
  let w = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / 16)) w += SYLLABLES[n % 16];
  return w;
});
/** Cumulative Zipf (s = 1) distribution over WORDS, for inverse-CDF sampling. */
const CDF = (() => {
  const c = new Float64Array(VOCAB);
  let s = 0;
  for (let i = 0; i < VOCAB; i++) c[i] = s += 1 / (i + 1);
  return c.map((x) => x / s);
})();
function zipfWord(): string {
  const u = rand();
  let lo = 0;
  let hi = VOCAB - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CDF[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return WORDS[lo];
}

function vector(): Float32Array {
  const v = new Float32Array(DIM);
  let s = 0;
  for (let i = 0; i < DIM; i++) {
    v[i] = rand() * 2 - 1;
    s += v[i] * v[i];
  }
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < DIM; i++) v[i] *= inv;
  return v;
}

function sentence(n: number): string {
  return Array.from({ length: n }, zipfWord).join(' ') + '.';
}

function ingest(store: CorpusStore, from: number, to: number): number {
  const t0 = performance.now();
  for (let d = from; d < to; d += CHUNKS_PER_DOC) {
    const n = Math.min(CHUNKS_PER_DOC, to - d);
    const chunks: Chunk[] = Array.from({ length: n }, (_, i) => ({
      text: `${sentence(12)} ${sentence(14)} ${sentence(10)}`,
      metadata: { chunk_index: i },
    }));
    store.addDocument(
      `doc-${d}`,
      { title: `Doc ${d}`, language: 'en' },
      chunks,
      chunks.map(() => vector()),
    );
  }
  return ((to - from) / (performance.now() - t0)) * 1000;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Times QUERIES queries built by `make`; returns p50/p95 in ms. */
function timeQueries(
  store: CorpusStore,
  make: (q: number) => Parameters<CorpusStore['query']>[0],
): { p50: number; p95: number } {
  const times: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const query = make(q);
    const s = performance.now();
    store.query(query);
    times.push(performance.now() - s);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

function measure(store: CorpusStore, label: string): { p50: number; p95: number } {
  const t0 = performance.now();
  store.query({ text: 'warm up', embedding: vector(), k: 5 }); // loads the vector matrix once
  const load = performance.now() - t0;
  // Query words of mid frequency (ranks 20..2000), as a person's question mostly is after stop words.
  const text = (q: number) =>
    `${WORDS[20 + ((q * 37) % 1980)]} ${WORDS[20 + ((q * 101) % 1980)]} ${WORDS[20 + ((q * 13) % 1980)]}?`;
  const lex = timeQueries(store, (q) => ({ text: text(q), k: 5 }));
  const vec = timeQueries(store, () => ({ embedding: vector(), k: 5 }));
  const r = timeQueries(store, (q) => ({ text: text(q), embedding: vector(), k: 5 }));
  // a permissive metadata filter (every document is 'en'): checked on the best rows only
  const f = timeQueries(store, (q) => ({ text: text(q), embedding: vector(), k: 5, filter: { language: 'en' } }));
  console.log(
    `rag ${label}: ${store.count()} chunks; first query (loads matrix) ${load.toFixed(0)} ms; p50/p95 ms: lexical ${lex.p50.toFixed(1)}/${lex.p95.toFixed(1)}, vector ${vec.p50.toFixed(1)}/${vec.p95.toFixed(1)}, hybrid ${r.p50.toFixed(1)}/${r.p95.toFixed(1)}, hybrid+filter ${f.p50.toFixed(1)}/${f.p95.toFixed(1)}`,
  );
  return r;
}

/** The vector scan alone at `n` rows: scalar JS vs float32 SIMD vs int8 SIMD + exact re-scoring (same answers?). */
function compareScans(n: number): void {
  const modes = [
    { name: 'JS scalar', idx: new VectorIndex(DIM, n, { simd: false }) },
    { name: 'f32 SIMD', idx: new VectorIndex(DIM, n, { quantized: false }) },
    { name: 'int8 SIMD + exact re-score', idx: new VectorIndex(DIM, n) },
  ];
  for (let i = 0; i < n; i++) {
    const v = vector();
    for (const m of modes) m.idx.add(i, v);
  }
  const queries = Array.from({ length: 20 }, vector);
  const answers = modes.map((m) => {
    const times: number[] = [];
    let rescored = 0;
    const hits = queries.map((q) => {
      const s = performance.now();
      const h = m.idx.search(q, 50);
      times.push(performance.now() - s);
      rescored += m.idx.lastSearch.rescored;
      return h.map((x) => x.id).join();
    });
    console.log(
      `rag scan ${n} x ${DIM}, top 50: ${m.name} p50 ${pct(times, 50).toFixed(1)} ms (rows scored exactly per query: ${Math.round(rescored / queries.length)})`,
    );
    return hits;
  });
  const same = queries.filter((_, i) => answers.every((a) => a[i] === answers[0][i])).length;
  console.log(`rag scan: identical top-50 lists in all three modes for ${same}/${queries.length} queries`);
}

export function main(): void {
  console.log(
    `rag: load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (2-core machine shared with other work)`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'hn-bench-rag-'));
  const store = new CorpusStore(dir, 'bench', DIM, { embeddingModel: 'random-384' });
  try {
    const rate10 = ingest(store, 0, 10_000);
    console.log(`rag ingest: ${rate10.toFixed(0)} chunks/s (first 10,000 chunks, 384-dim vectors, FTS5 indexed)`);
    const small = measure(store, '10k');
    const rate100 = ingest(store, 10_000, 100_000);
    console.log(`rag ingest: ${rate100.toFixed(0)} chunks/s (next 90,000 chunks)`);
    const big = measure(store, '100k');
    compareScans(100_000);
    console.log(
      `rag: load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    console.log(
      `rag: ${big.p50.toFixed(1)} ms p50 at 100k (baseline ${small.p50.toFixed(1)} ms at 10k, ratio ${(big.p50 / small.p50).toFixed(1)})`,
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
