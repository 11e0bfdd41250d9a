import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorpusStore, toFtsQuery, VectorIndex, type Chunk } from '../../../src-main/runtime/services/rag';
import { vectorCandidates } from '../../../src-main/runtime/services/rag/vector-search';
import { LEXICAL_SLACK, lexicalCandidates } from '../../../src-main/runtime/services/rag/lexical-search';
import { filterSql, type QueryFilter } from '../../../src-main/runtime/services/rag/query-filter';

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
const WORDS = [
  'water',
  'bins',
  'glass',
  'clinic',
  'rota',
  'valve',
  'garden',
  'bike',
  'fence',
  'party',
  'ladder',
  'tools',
];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hn-fast-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A corpus of random texts and vectors; some documents stay half-ingested, some have metadata. */
function build(rand: () => number, dim = 8): CorpusStore {
  const s = new CorpusStore(dir, 'hood', dim);
  for (let d = 0; d < 40; d++) {
    const chunks: Chunk[] = Array.from({ length: 5 + Math.floor(rand() * 10) }, (_, i) => ({
      text: Array.from(
        { length: 4 + Math.floor(rand() * 8) },
        () => WORDS[Math.floor(rand() * rand() * WORDS.length)],
      ).join(' '),
      metadata: { page: i % 3, urgent: rand() < 0.2 },
    }));
    const vectors = chunks.map(() => Float32Array.from({ length: dim }, () => rand() - 0.5));
    s.beginDocument(`doc-${d}`, {
      title: `D${d}`,
      language: d % 4 === 0 ? 'de' : 'en',
      metadata: { street: d % 2 ? 'elm' : 'oak' },
    });
    s.addChunks(`doc-${d}`, chunks, vectors);
    if (d % 9 !== 4) s.completeDocument(`doc-${d}`); // a few stay 'ingesting' (invisible)
  }
  return s;
}

/** The plain full-join ranking the fast path must reproduce. */
function fullJoin(db: Database.Database, fts: string, filter: QueryFilter | undefined, want: number): number[] {
  const w = filterSql(filter);
  return db
    .prepare(
      `SELECT c.id FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.doc_cid = c.doc_cid
    WHERE chunks_fts MATCH ? AND d.state = 'complete'${w.sql} ORDER BY bm25(chunks_fts), c.id LIMIT ?`,
    )
    .pluck()
    .all(fts, ...w.params, want) as number[];
}

describe('lexicalCandidates (FTS5 top-N first, then join)', () => {
  it('equals the full join ranking for every query, filter and depth, including half-ingested documents', () => {
    const rand = rng(3);
    build(rand).close();
    const db = new Database(join(dir, 'hood.sqlite'));
    try {
      const filters: (QueryFilter | undefined)[] = [
        undefined,
        { language: 'de' },
        { page: 1 },
        { urgent: true },
        { street: 'elm', page: 0 },
        { doc_cid: 'doc-4' },
        { title: 'none' },
      ];
      let checked = 0;
      for (let t = 0; t < 30; t++) {
        const fts = toFtsQuery(
          `${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]}`,
        )!;
        for (const filter of filters) {
          for (const want of [1, 5, 50, LEXICAL_SLACK + 3]) {
            expect(lexicalCandidates(db, fts, filterSql(filter), want)).toEqual(fullJoin(db, fts, filter, want));
            checked++;
          }
        }
      }
      expect(checked).toBe(30 * 7 * 4);
      expect(lexicalCandidates(db, toFtsQuery('nothingmatches')!, filterSql(undefined), 5)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('vectorCandidates (unfiltered ranking checked first, allow-list fallback)', () => {
  it('equals a scan restricted to the rows passing the filter, for permissive and selective filters', () => {
    const rand = rng(4);
    build(rand).close();
    const db = new Database(join(dir, 'hood.sqlite'));
    try {
      const index = new VectorIndex(8, 16);
      const rows = db
        .prepare(
          "SELECT c.id, c.embedding FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE d.state = 'complete' ORDER BY c.id",
        )
        .all() as { id: number; embedding: Buffer }[];
      for (const r of rows) index.add(r.id, new Float32Array(new Uint8Array(r.embedding).buffer));
      const filters: QueryFilter[] = [
        { language: 'en' },
        { street: 'oak' },
        { page: 2 },
        { urgent: true },
        { doc_cid: 'doc-7' },
        { doc_cid: 'doc-4' },
        { title: 'none' },
      ];
      for (let t = 0; t < 10; t++) {
        const q = Float32Array.from({ length: 8 }, () => rand() - 0.5);
        for (const filter of filters) {
          const w = filterSql(filter);
          const allow = new Set(
            db
              .prepare(
                `SELECT c.id FROM chunks c JOIN documents d ON d.doc_cid = c.doc_cid WHERE d.state = 'complete'${w.sql}`,
              )
              .pluck()
              .all(...w.params) as number[],
          );
          for (const want of [1, 5, 20])
            expect(vectorCandidates(db, index, q, w, want)).toEqual(index.search(q, want, allow));
        }
        expect(vectorCandidates(db, index, q, filterSql(undefined), 7)).toEqual(index.search(q, 7));
      }
    } finally {
      db.close();
    }
  });
});

describe('CorpusStore in-memory matrix upkeep', () => {
  it('after appends, replaces and deletes, queries equal those of a freshly reopened store', () => {
    const rand = rng(8);
    const s = build(rand);
    const probe = () =>
      Array.from({ length: 6 }, (_, i) => ({
        text: WORDS[i],
        embedding: Float32Array.from({ length: 8 }, () => rand() - 0.5),
        k: 10,
      }));
    const queries = probe();
    s.query(queries[0]); // loads the matrix; everything below is incremental
    s.addDocument(
      'late',
      { title: 'Late' },
      [{ text: 'water valve late', metadata: {} }],
      [Float32Array.from({ length: 8 }, (_, i) => i)],
    );
    s.addDocument(
      'doc-1',
      { title: 'D1 again' },
      [{ text: 'garden party', metadata: {} }],
      [Float32Array.from({ length: 8 }, () => 1)],
      { replace: true },
    );
    expect(s.deleteDocument('doc-2')).toBe(true);
    s.deleteDocument('doc-4'); // was never completed: not in the matrix
    s.completeDocument('doc-13'); // completed late: appended
    const live = queries.map((q) => s.query(q));
    s.close();
    const fresh = new CorpusStore(dir, 'hood', 8);
    try {
      expect(queries.map((q) => fresh.query(q))).toEqual(live);
      expect(live.flat().some((r) => r.doc_cid === 'doc-2')).toBe(false);
      expect(live.flat().some((r) => r.doc_cid === 'doc-13')).toBe(true);
    } finally {
      fresh.close();
    }
  });
});
