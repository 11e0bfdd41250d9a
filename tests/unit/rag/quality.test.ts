import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticModel2VecBackend } from '../../../src-main/runtime/services/embedding';
import { CorpusStore, chunkText } from '../../../src-main/runtime/services/rag';
import { model2vecDir } from '../embedding/model-path';

const FIXTURES = resolve(__dirname, '../../fixtures/rag/neighbourhood');
const questions = JSON.parse(readFileSync(join(FIXTURES, 'questions.json'), 'utf8')) as {
  question: string;
  answer_doc: string;
}[];
const K = 5;
let dir: string;
let store: CorpusStore;
const backend = new StaticModel2VecBackend({ dir: model2vecDir() });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hn-quality-'));
  store = new CorpusStore(dir, 'neighbourhood', backend.dim, { embeddingModel: backend.model });
  for (const f of readdirSync(FIXTURES)
    .filter((x) => x.endsWith('.txt'))
    .sort()) {
    const id = f.slice(0, -4);
    const chunks = chunkText(readFileSync(join(FIXTURES, f), 'utf8'), { metadata: { source: f } });
    store.addDocument(id, { title: id, language: 'en' }, chunks, await backend.embed(chunks.map((c) => c.text)));
  }
});
afterAll(async () => {
  store.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

async function recall(mode: 'lexical' | 'embedding' | 'hybrid'): Promise<number> {
  let hits = 0;
  for (const q of questions) {
    const [embedding] = mode === 'lexical' ? [undefined] : await backend.embed([q.question]);
    const res = store.query({ text: mode === 'embedding' ? undefined : q.question, embedding, k: K });
    if (res.some((r) => r.doc_cid === q.answer_doc)) hits++;
  }
  return hits / questions.length;
}

describe('RAG retrieval quality on the neighbourhood corpus', () => {
  it(`hybrid recall@${K} is at least as good as lexical and embedding alone`, async () => {
    expect(questions.length).toBeGreaterThanOrEqual(15);
    const lexical = await recall('lexical');
    const embedding = await recall('embedding');
    const hybrid = await recall('hybrid');
    console.log(
      `recall@${K} over ${questions.length} questions: lexical ${lexical.toFixed(2)}, embedding (Model2Vec 64d) ${embedding.toFixed(2)}, hybrid ${hybrid.toFixed(2)}`,
    );
    expect(hybrid).toBeGreaterThanOrEqual(lexical);
    expect(hybrid).toBeGreaterThanOrEqual(embedding);
    expect(hybrid).toBeGreaterThanOrEqual(0.8);
  });
});
