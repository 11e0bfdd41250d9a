import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RAG_MAX_K } from '../../../src-main/common';
import { CorpusStore, corpusInfo, listCorpora, toFtsQuery, type Chunk } from '../../../src-main/runtime/services/rag';

let dir: string;
const open: CorpusStore[] = [];
const store = (corpus = 'hood', dim = 3, opts = {}) => {
  const s = new CorpusStore(dir, corpus, dim, opts);
  open.push(s);
  return s;
};
const chunk = (text: string, meta: Record<string, unknown> = {}): Chunk => ({ text, metadata: meta });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hn-corpus-'));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CorpusStore', () => {
  it('stores documents and finds them lexically, by vector, and hybrid', () => {
    const s = store();
    s.addDocument(
      'cid-bins',
      { title: 'Bins', language: 'en' },
      [
        chunk('Blue recycling bins go out on Monday.', { page: 1 }),
        chunk('Glass is collected on Friday.', { page: 2 }),
      ],
      [
        [1, 0, 0],
        [0.9, 0.1, 0],
      ],
    );
    s.addDocument(
      'cid-clinic',
      { title: 'Clinic', language: 'en' },
      [chunk('The clinic opens at nine on weekdays.')],
      [[0, 1, 0]],
    );
    s.addDocument(
      'cid-gen',
      { title: 'Generator', language: 'fr' },
      [chunk('Generator sharing rota: sign the sheet.')],
      [[0, 0, 1]],
    );
    expect(s.count()).toBe(4);
    expect(s.hasDocument('cid-bins')).toBe(true);
    expect(s.languageMajority()).toBe('en');
    expect(s.listDocuments().map((d) => [d.doc_cid, d.chunk_count])).toEqual([
      ['cid-bins', 2],
      ['cid-clinic', 1],
      ['cid-gen', 1],
    ]);

    const lex = s.query({ text: 'When is the clinic open?' });
    expect(lex[0]).toMatchObject({ doc_cid: 'cid-clinic', title: 'Clinic', lexical_rank: 1 });
    expect(lex[0].vector_rank).toBeUndefined();

    const vec = s.query({ embedding: [0, 0.1, 1], k: 2 });
    expect(vec.map((r) => r.doc_cid)).toEqual(['cid-gen', 'cid-clinic']);
    expect(vec[0].vector_score).toBeGreaterThan(0.99);

    const hybrid = s.query({ text: 'glass collection', embedding: [1, 0, 0], k: 3 });
    expect(hybrid[0].chunk.text).toBe('Glass is collected on Friday.'); // in both lists
    expect(hybrid[0]).toMatchObject({ lexical_rank: 1, vector_rank: 2 });
    expect(hybrid[0].chunk.metadata.page).toBe(2);
  });

  it('filters by document columns and by any metadata key', () => {
    const s = store();
    s.addDocument(
      'a',
      { title: 'A', language: 'en', metadata: { street: 'elm' } },
      [chunk('bins monday', { page: 1 }), chunk('bins tuesday', { page: 2, urgent: true })],
      null,
    );
    s.addDocument(
      'b',
      { title: 'B', language: 'de', metadata: { street: 'oak' } },
      [chunk('bins wednesday', { page: 1 })],
      null,
    );
    const ids = (f: Record<string, string | number | boolean | null>) =>
      s
        .query({ text: 'bins', filter: f, k: 10 })
        .map((r) => r.chunk.text)
        .sort();
    expect(ids({ doc_cid: 'b' })).toEqual(['bins wednesday']);
    expect(ids({ page: 1 })).toEqual(['bins monday', 'bins wednesday']);
    expect(ids({ title: 'A', page: 2 })).toEqual(['bins tuesday']);
    expect(ids({ language: 'de' })).toEqual(['bins wednesday']);
    expect(ids({ street: 'elm' })).toEqual(['bins monday', 'bins tuesday']); // document metadata
    expect(ids({ urgent: true })).toEqual(['bins tuesday']);
    expect(ids({ urgent: null })).toEqual(['bins monday', 'bins wednesday']);
    expect(() => s.query({ text: 'bins', filter: { 'x") OR 1=1 --': 1 } })).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });

  it('never throws on punctuation or FTS operators in user text', () => {
    const s = store();
    s.addDocument('a', { title: 'A' }, [chunk('Water shut-off: turn the valve "clockwise" (NEAR the boiler).')], null);
    for (const q of [
      '"',
      '*',
      'AND OR NOT',
      'NEAR(',
      'valve*',
      '-boiler',
      '^water',
      'col:valve',
      "it's",
      '((( ',
      '🙂',
      '',
    ]) {
      expect(() => s.query({ text: q })).not.toThrow();
    }
    expect(s.query({ text: 'shut-off "valve"' })[0].doc_cid).toBe('a');
    expect(toFtsQuery('What is the "NEAR" rule?')).toBe('"near" OR "rule"');
    expect(toFtsQuery('?!')).toBeNull();
  });

  it('caps k at RAG_MAX_K, rejects bad k, empty queries and wrong vector sizes', () => {
    const s = store();
    const chunks = Array.from({ length: 30 }, (_, i) => chunk(`bins note ${i}`));
    s.addDocument(
      'a',
      { title: 'A' },
      chunks,
      chunks.map((_, i) => [1, i / 30, 0]),
    );
    expect(s.query({ text: 'bins', k: 100 })).toHaveLength(RAG_MAX_K);
    expect(s.query({ text: 'bins' })).toHaveLength(5);
    expect(() => s.query({ text: 'bins', k: 0 })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => s.query({ text: 'bins', k: 2.5 })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => s.query({})).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => s.query({ embedding: [1, 0] })).toThrow(expect.objectContaining({ code: 'embedding_mismatch' }));
    s.beginDocument('b', { title: 'B' });
    expect(() => s.addChunks('b', [chunk('x')], [[1, 2]])).toThrow(
      expect.objectContaining({ code: 'embedding_mismatch' }),
    );
    expect(() => s.addChunks('b', [chunk('x'), chunk('y')], [[1, 2, 3]])).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
    expect(() => s.addChunks('zzz', [chunk('x')], null)).toThrow(expect.objectContaining({ code: 'not_ingesting' }));
    expect(() => s.beginDocument('a')).toThrow(expect.objectContaining({ code: 'already_ingested' }));
    expect(s.count()).toBe(30); // nothing changed by the failures
  });

  it('a crash mid-ingest leaves the corpus consistent; re-ingest works', () => {
    const s = store();
    s.addDocument('done', { title: 'Done' }, [chunk('kept water notice')], [[1, 0, 0]]);
    s.beginDocument('half', { title: 'Half' });
    s.addChunks('half', [chunk('half written water notice one')], [[0, 1, 0]]);
    s.addChunks('half', [chunk('half written water notice two')], [[0, 1, 0]]);
    expect(s.hasDocument('half')).toBe(false);
    expect(s.query({ text: 'water', embedding: [0, 1, 0], k: 10 }).map((r) => r.doc_cid)).toEqual(['done']);
    s.close(); // "crash": never completed
    const again = store();
    expect(again.hasDocument('half')).toBe(false);
    expect(again.count()).toBe(1);
    expect(again.query({ text: 'half written', k: 10 })).toEqual([]);
    again.addDocument('half', { title: 'Half' }, [chunk('half written water notice, complete')], [[0, 1, 0]]);
    expect(again.hasDocument('half')).toBe(true);
    expect(again.query({ embedding: [0, 1, 0], k: 1 })[0].doc_cid).toBe('half');
    expect(again.listDocuments().find((d) => d.doc_cid === 'half')!.chunk_count).toBe(1);
  });

  it('vector cache follows writes: delete and replace are visible immediately', () => {
    const s = store();
    s.addDocument('a', { title: 'A' }, [chunk('alpha')], [[1, 0, 0]]);
    expect(s.query({ embedding: [1, 0, 0], k: 1 })[0].doc_cid).toBe('a');
    s.addDocument('b', { title: 'B' }, [chunk('beta')], [[0.99, 0.01, 0]]);
    expect(s.query({ embedding: [0.99, 0.01, 0], k: 1 })[0].doc_cid).toBe('b');
    expect(s.deleteDocument('b')).toBe(true);
    expect(s.deleteDocument('b')).toBe(false);
    expect(s.query({ embedding: [0.99, 0.01, 0], k: 5 }).map((r) => r.doc_cid)).toEqual(['a']);
    s.addDocument('a', { title: 'A2' }, [chunk('alpha two')], [[0, 0, 1]], { replace: true });
    expect(s.query({ embedding: [0, 0, 1], k: 1 })[0]).toMatchObject({ doc_cid: 'a', title: 'A2' });
    expect(s.count()).toBe(1);
  });

  it('refuses vectors from another model; opens keyword-only with dim 0', () => {
    const s = store('hood', 3, { embeddingModel: 'm1' });
    s.addDocument('a', { title: 'A' }, [chunk('alpha bins')], [[1, 0, 0]]);
    s.close();
    expect(() => new CorpusStore(dir, 'hood', 4, { embeddingModel: 'm1' })).toThrow(
      expect.objectContaining({ code: 'embedding_mismatch' }),
    );
    expect(() => new CorpusStore(dir, 'hood', 3, { embeddingModel: 'm2' })).toThrow(
      expect.objectContaining({ code: 'embedding_mismatch' }),
    );
    const lexOnly = store('hood', 0);
    expect(lexOnly.query({ text: 'bins', embedding: [1, 0, 0] })[0].doc_cid).toBe('a');
    expect(() => lexOnly.addDocument('b', {}, [chunk('x')], [[1, 0, 0]])).toThrow(
      expect.objectContaining({ code: 'embedding_mismatch' }),
    );
  });

  it('validates corpus names; lists corpora and their info; closed stores refuse work', () => {
    for (const bad of ['', 'Hood', '-x', 'a/b', '../x', 'a'.repeat(65), 'sp ace']) {
      expect(() => new CorpusStore(dir, bad, 3)).toThrow(
        expect.objectContaining({ code: 'invalid_corpus_name', wireCode: 'bad_request' }),
      );
    }
    expect(existsSync(join(dir, '.sqlite'))).toBe(false);
    expect(listCorpora(join(dir, 'missing'))).toEqual([]);
    const a = store('zeta', 3, { embeddingModel: 'm' });
    store('alpha_1', 3);
    a.addDocument('d', { title: 'D', language: 'en' }, [chunk('one'), chunk('two')], null);
    expect(listCorpora(dir)).toEqual(['alpha_1', 'zeta']);
    const info = corpusInfo(dir, 'zeta');
    expect(info).toMatchObject({
      corpus: 'zeta',
      documents: 1,
      chunks: 2,
      language_majority: 'en',
      embedding_model: 'm',
      dim: 3,
    });
    expect(info.size_bytes).toBeGreaterThan(0);
    expect(a.sizeBytes()).toBeGreaterThan(0);
    expect(() => corpusInfo(dir, 'nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    a.close();
    a.close();
    expect(() => a.count()).toThrow(expect.objectContaining({ code: 'closed' }));
  });
});
