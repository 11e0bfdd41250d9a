import { afterEach, describe, expect, it } from 'vitest';
import { HearthError } from '../../../src-main/common';
import { chunkBlob, type BlobManifest } from '../../../src-main/runtime/blobs';
import {
  askMesh,
  CorpusStore,
  NO_LLM_NOTICE,
  type AskEvent,
  type IngestProgress,
} from '../../../src-main/runtime/services/rag';
import { makePdf } from '../../fixtures/rag/pdf';
import { fileMesh, type FileMesh, type FileNode } from '../file-service/helpers';
import { addEmbedder, addFakeLlm, addRag, EMBED_MODEL } from './helpers';

let fm: FileMesh | null = null;
afterEach(async () => {
  await fm?.cleanup();
  fm = null;
});

const GUIDE = [
  '# Street guide',
  '',
  '## Bins',
  'Green bins are collected every Tuesday morning. Put them out the night before.',
  '',
  '## Water',
  'If a pipe bursts, close the stopcock under the kitchen sink and call the plumber on the notice board.',
  '',
  '## Generator',
  'The shared generator lives in the community hall shed. Book it with Maria two days ahead.',
  '',
  '## Library',
  "The little free library by the bus stop takes donations of children's books.",
  '',
  '## Parking',
  'Visitors park on the east side on weekdays; the west side is kept free for the ambulance.',
].join('\n');

async function put(
  node: FileNode,
  data: Uint8Array | string,
  filename: string,
  mimeType: string | null,
): Promise<BlobManifest> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const { manifest, chunks } = await chunkBlob(bytes, { filename, mimeType });
  await node.store.writeBlob(manifest, chunks);
  return manifest;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<HearthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HearthError);
  expect((err as HearthError).code).toBe(code);
  return err as HearthError;
}

type Hits = {
  mode: string;
  chunks: Array<{ text: string; title: string; doc_cid: string; metadata: Record<string, unknown> }>;
};

describe('ingest', () => {
  it('indexes a Markdown file with progress, an event, vectors; another node queries it through the bus', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const alice = fm.nodes.alice;
    const embeds = addEmbedder(alice);
    const r = addRag(fm, 'alice', { batchSize: 2 });
    fm.mesh.sync();
    const doc = await put(alice, GUIDE, 'guide.md', 'text/markdown');
    const progress: IngestProgress[] = [];
    const res = await r.pipeline.ingestDocument({
      docCid: doc.cid,
      corpus: 'street',
      title: 'Street guide',
      language: 'en',
      metadata: {},
      onProgress: (p) => progress.push(p),
    });
    expect(res).toMatchObject({
      doc_cid: doc.cid,
      chunks_indexed: 6,
      mode: 'hybrid',
      embedding_model: EMBED_MODEL,
      already_ingested: false,
    });
    expect(res.tokens_indexed).toBeGreaterThan(40);
    expect(progress[0]).toEqual({ stage: 'chunking', current: 0, total: 1 });
    expect(progress.filter((p) => p.stage === 'embedding').map((p) => p.current)).toEqual([2, 4, 6]);
    expect(progress.at(-1)).toEqual({ stage: 'storing', current: 6, total: 6 });
    expect(embeds.calls).toBe(3);
    const events = [...alice.log.replay()].filter((e) => e.event_type === 'rag.document.ingested');
    expect(events).toHaveLength(1);
    expect(events[0].event_id).toBe(res.ingest_event_id);
    expect(events[0].data).toEqual({
      doc_cid: doc.cid,
      corpus: 'street',
      title: 'Street guide',
      chunks: 6,
      tokens: res.tokens_indexed,
      embedding_model: EMBED_MODEL,
    });

    // The new corpus is offered; bob learns it and asks.
    r.rag.refreshRegistration();
    fm.mesh.sync();
    const q = (await fm.nodes.bob.node.bus.call(
      'rag.query',
      '1.0',
      { corpus: 'street', query: 'what to do when a pipe bursts', k: 2 },
      { params: { corpus: 'street' } },
    )) as Hits;
    expect(q.mode).toBe('hybrid');
    expect(q.chunks[0].text).toMatch(/stopcock/);
    expect(q.chunks[0].metadata.section).toBe('Street guide > Water');
    expect(q.chunks[0].title).toBe('Street guide');
    await expectCode(
      fm.nodes.bob.node.bus.call('rag.query', '1.0', { corpus: 'nope', query: 'x' }, { params: { corpus: 'nope' } }),
      'not_found',
    );
  });

  it('indexes a PDF with page numbers; rag.query answers with the right page', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const alice = fm.nodes.alice;
    addEmbedder(alice);
    const r = addRag(fm, 'alice');
    const pdf = makePdf([
      ['Welcome to the residents handbook.', 'Read it before the first meeting.'],
      ['Recycling: glass goes in the blue crate on Thursdays.'],
      ['Quiet hours run from ten at night until seven in the morning.'],
    ]);
    const doc = await put(alice, pdf, 'handbook.pdf', 'application/pdf');
    const res = await r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'handbook' });
    expect(res.chunks_indexed).toBe(3);
    r.rag.refreshRegistration();
    fm.mesh.sync();
    const q = (await fm.nodes.bob.node.bus.call(
      'rag.query',
      '1.0',
      { corpus: 'handbook', query: 'when is glass recycling collected', k: 3 },
      { params: { corpus: 'handbook' } },
    )) as Hits;
    expect(q.chunks[0].metadata.page).toBe(2);
    expect(q.chunks[0].title).toBe('handbook.pdf');
  });

  it('is idempotent per document: a re-ingest returns the first result and does no work', async () => {
    fm = await fileMesh(['alice']);
    const alice = fm.nodes.alice;
    const embeds = addEmbedder(alice);
    const r = addRag(fm, 'alice');
    const doc = await put(alice, GUIDE, 'guide.md', 'text/markdown');
    const first = await r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'street' });
    const calls = embeds.calls;
    const again = await r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'street' });
    expect(again).toMatchObject({
      ingest_event_id: first.ingest_event_id,
      chunks_indexed: first.chunks_indexed,
      tokens_indexed: first.tokens_indexed,
      already_ingested: true,
    });
    expect(embeds.calls).toBe(calls);
    expect([...alice.log.replay()].filter((e) => e.event_type === 'rag.document.ingested')).toHaveLength(1);
    expect(r.corpora.open('street').count()).toBe(first.chunks_indexed);
  });

  it('leaves the corpus consistent when an ingest fails halfway or the process dies mid-ingest', async () => {
    fm = await fileMesh(['alice']);
    const alice = fm.nodes.alice;
    const embeds = addEmbedder(alice, (n) => n === 3); // the embedder dies on the 2nd batch of the 2nd document
    const r = addRag(fm, 'alice', { batchSize: 4 });
    const ok = await put(alice, '# Clinic\nThe clinic opens at nine on weekdays.', 'clinic.md', 'text/markdown');
    await r.pipeline.ingestDocument({ docCid: ok.cid, corpus: 'street' });
    const doc = await put(alice, GUIDE, 'guide.md', 'text/markdown');
    const store = r.corpora.open('street');
    const before = store.count();
    await expectCode(r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'street' }), 'internal_error');
    expect(embeds.calls).toBe(3);
    expect(store.hasDocument(doc.cid)).toBe(false);
    expect(store.count()).toBe(before);
    expect(store.query({ text: 'stopcock' })).toEqual([]);
    expect([...alice.log.replay()].filter((e) => e.event_type === 'rag.document.ingested')).toHaveLength(1);

    // A crash: chunks written, never completed, the process gone. On reopen nothing of it shows.
    r.corpora.close();
    const crashed = new CorpusStore(r.corpora.corporaDir, 'street', 64, { embeddingModel: EMBED_MODEL });
    crashed.beginDocument(doc.cid, { title: 'half' });
    crashed.addChunks(doc.cid, [{ text: 'stopcock half written', metadata: {} }], null);
    crashed.close();
    expect(r.corpora.open('street').query({ text: 'stopcock' })).toEqual([]);
    const res = await r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'street' });
    expect(res.chunks_indexed).toBe(6);
    expect(r.corpora.open('street').query({ text: 'stopcock' })).toHaveLength(1);
  });

  it('ingests keyword-only when no embedding model is on the mesh, and says so', async () => {
    fm = await fileMesh(['alice', 'bob']);
    const alice = fm.nodes.alice;
    const r = addRag(fm, 'alice');
    const doc = await put(alice, GUIDE, 'guide.md', 'text/markdown');
    const res = await r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'street' });
    expect(res).toMatchObject({ mode: 'lexical', embedding_model: null, chunks_indexed: 6 });
    expect(res.notice).toMatch(/keywords only/);
    r.rag.refreshRegistration();
    fm.mesh.sync();
    const q = (await fm.nodes.bob.node.bus.call(
      'rag.query',
      '1.0',
      { corpus: 'street', query: 'generator booking' },
      { params: { corpus: 'street' } },
    )) as Hits;
    expect(q.mode).toBe('lexical');
    expect(q.chunks[0].text).toMatch(/Maria/);
  });

  it('refuses a file type it cannot index, and a blob it does not hold, changing nothing', async () => {
    fm = await fileMesh(['alice']);
    const alice = fm.nodes.alice;
    const r = addRag(fm, 'alice');
    const img = await put(alice, new Uint8Array([1, 2, 3]), 'photo.png', 'image/png');
    await expectCode(r.pipeline.ingestDocument({ docCid: img.cid, corpus: 'street' }), 'unsupported_type');
    await expectCode(r.pipeline.ingestDocument({ docCid: `blake3:${'2'.repeat(64)}`, corpus: 'street' }), 'not_found');
    await expectCode(r.pipeline.ingestDocument({ docCid: img.cid, corpus: 'Bad Name' }), 'invalid_corpus_name');
    expect(r.corpora.open('street').listDocuments()).toEqual([]);
    expect([...alice.log.replay()]).toHaveLength(0);
  });
});

describe('rag.ingest and rag.list_corpora on the bus', () => {
  it('a trusted node asks alice to index a file only carol holds; the new corpus is offered to the mesh', async () => {
    fm = await fileMesh();
    const { alice, bob, carol } = fm.nodes;
    addEmbedder(alice);
    addRag(fm, 'alice');
    fm.mesh.sync();
    fm.mesh.trust.levels.set(bob.node.id, 'trusted');
    const doc = await put(carol, GUIDE, 'guide.md', 'text/markdown');
    const to = { params: { corpora_available: [] } };
    await expectCode(carol.node.bus.call('rag.ingest', '1.0', { corpus: 'street', doc_cid: doc.cid }, to), 'forbidden'); // carol is a plain member

    const frames = [];
    for await (const f of bob.node.bus.stream(
      'rag.ingest',
      '1.0',
      { corpus: 'street', doc_cid: doc.cid, title: 'Street guide' },
      to,
    ))
      frames.push(f);
    expect(frames[0].event).toBe('progress');
    const done = frames.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data).toMatchObject({ doc_cid: doc.cid, chunks_indexed: 6, mode: 'hybrid' });
    expect(await alice.store.hasBlob(doc.cid)).toBe(true); // fetched from carol first
    expect(
      alice.node.bus.registry
        .allLocal()
        .some((e) => e.descriptor.name === 'rag.query' && e.descriptor.params.corpus === 'street'),
    ).toBe(true);
    fm.mesh.sync();
    const list = (await bob.node.bus.call('rag.list_corpora', '1.0', {})) as {
      corpora: Array<Record<string, unknown>>;
    };
    expect(list.corpora).toMatchObject([
      { corpus: 'street', documents: 1, chunks: 6, embedding_model: EMBED_MODEL, dim: 64 },
    ]);
    const q = (await bob.node.bus.call(
      'rag.query',
      '1.0',
      { corpus: 'street', query: 'ambulance parking' },
      { params: { corpus: 'street' } },
    )) as Hits;
    expect(q.chunks[0].metadata.section).toBe('Street guide > Parking');
  });
});

describe('askMesh', () => {
  async function setup(): Promise<FileMesh> {
    const m = await fileMesh();
    fm = m;
    const { alice } = m.nodes;
    addEmbedder(alice);
    const r = addRag(m, 'alice');
    const pdf = makePdf([
      ['Introduction to the street.'],
      ['The shared generator is booked through Maria, two days ahead.'],
    ]);
    const doc = await put(alice, pdf, 'generator.pdf', 'application/pdf');
    await r.pipeline.ingestDocument({ docCid: doc.cid, corpus: 'street', title: 'Generator rules' });
    r.rag.refreshRegistration();
    return m;
  }

  async function collect(it: AsyncIterable<AskEvent>): Promise<AskEvent[]> {
    const out: AskEvent[] = [];
    for await (const e of it) out.push(e);
    return out;
  }

  it('retrieves from the mesh, prompts a (fake: no LlmService here) llm.chat with numbered sources, streams the answer', async () => {
    const m = await setup();
    const llm = addFakeLlm(m.nodes.carol, 'Ask Maria two days ahead [1].');
    m.mesh.sync();
    let onSources = 0;
    const events = await collect(
      askMesh({
        bus: m.nodes.bob.node.bus,
        question: 'How do I book the generator?',
        k: 2,
        onSources: () => onSources++,
      }),
    );
    expect(events[0].type).toBe('sources');
    const sources = (events[0] as Extract<AskEvent, { type: 'sources' }>).sources;
    expect(sources[0]).toMatchObject({ n: 1, corpus: 'street', title: 'Generator rules', page: 2 });
    expect(onSources).toBe(1);
    const text = events
      .filter((e): e is Extract<AskEvent, { type: 'text' }> => e.type === 'text')
      .map((e) => e.text)
      .join('');
    expect(text).toBe('Ask Maria two days ahead [1].');
    expect(events.at(-1)).toEqual({ type: 'done', answered_by: 'llm', model: 'fake-chat', notice: null });
    const prompt = llm.requests[0].messages.map((x) => x.content).join('\n');
    expect(prompt).toContain('[1] Generator rules, p. 2');
    expect(prompt).toContain('Question: How do I book the generator?');
  });

  it('without a language model on the mesh, answers with the retrieved passages and says why', async () => {
    const m = await setup();
    m.mesh.sync();
    const events = await collect(askMesh({ bus: m.nodes.bob.node.bus, question: 'How do I book the generator?' }));
    const text = events
      .filter((e) => e.type === 'text')
      .map((e) => (e as { text: string }).text)
      .join('');
    expect(text.startsWith(NO_LLM_NOTICE)).toBe(true);
    expect(text).toContain('[1] Generator rules, p. 2');
    expect(events.at(-1)).toMatchObject({ type: 'done', answered_by: 'passages', model: null });
    await expectCode(collect(askMesh({ bus: m.nodes.bob.node.bus, question: '   ' })), 'bad_request');
  });
});
