/**
 * RAG end to end: alice embeds with the Model2Vec test model and answers with stories260K; she
 * ingests a Markdown file and a generated PDF; bob queries her corpora over the mesh (page numbers
 * intact) and asks the neighbourhood a question, getting a streamed answer with citations.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../src-main/runtime/node';
import { askMesh, type AskEvent, type RagHit } from '../../../src-main/runtime/services/rag';
import { makePdf } from '../../fixtures/rag/pdf';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { MODEL2VEC_DIR, skipWithoutModel, STORIES_GGUF } from '../../support/models';

const EMBED = 'model2vec-bge-64d-q';

const HANDBOOK = `# Street handbook

## Bin days

General waste is collected every Tuesday morning. Put the green bin out by seven.

## Generator booking

The shared generator lives in the community hall shed. Book it with Margaret at number 3; it runs eight hours on a full tank of petrol.

## Noise

Quiet hours are from ten at night until seven in the morning.
`;

const PDF_PAGES = [
  ['Flood plan', 'This plan covers what to do when the river rises.'],
  ['Sandbags', 'Sandbags are stored in the garage behind number 21.', 'Ask the water warden, Priya, for the key.'],
  ['Evacuation', 'The meeting point is the school playing field on Elm Road.'],
];

describe.skipIf(skipWithoutModel('RAG over the mesh', MODEL2VEC_DIR) || skipWithoutModel('RAG answers', STORIES_GGUF))(
  'RAG across the mesh',
  () => {
    let mesh: Mesh;
    let alice: RunningNode;
    let bob: RunningNode;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hn-rag-'));
      mesh = await createMesh(2, {
        configure: (c, name) => {
          if (name !== 'alice') return c;
          // Installed the way a household would: a folder named like the configured model.
          mkdirSync(c.node.models_dir, { recursive: true });
          cpSync(MODEL2VEC_DIR!, join(c.node.models_dir, EMBED), { recursive: true });
          return {
            ...c,
            embedding: { ...c.embedding, model: EMBED },
            llm: { backends: [{ name: 'llama_cpp', url: null, model: STORIES_GGUF!, api_key_env: null }] },
          };
        },
      });
      [alice, bob] = mesh.nodes.map((m) => m.node);
      await waitFor(() => bob.api.status().peers.length === 1, 15_000, 'bob to meet alice');
    }, 60_000);
    afterAll(async () => {
      await mesh?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function addDoc(name: string, bytes: string | Uint8Array): Promise<string> {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return (await alice.scope()!.services.fileClient.addFile(path)).cid;
    }

    const query = async (corpus: string, q: string) =>
      (await bob.bus.call('rag.query', [1, 0], { corpus, query: q, k: 3 }, { params: { corpus } })) as {
        chunks: RagHit[];
        mode: string;
      };

    it('ingests Markdown (rag.ingest) and a PDF (the pipeline) on alice; bob queries both with sections and page numbers', async () => {
      expect(alice.ai.embeddingExplanation).toBeNull();
      expect(alice.api.capabilities({ name: 'embed.text', localOnly: true }).map((r) => r.params.model)).toEqual([
        EMBED,
      ]);

      const mdCid = await addDoc('handbook.md', HANDBOOK);
      const md = (await alice.bus.call('rag.ingest', [1, 0], {
        corpus: 'street',
        doc_cid: mdCid,
        title: 'Street handbook',
      })) as { chunks_indexed: number; mode: string; embedding_model: string | null };
      expect(md.chunks_indexed).toBeGreaterThan(0);
      expect(md).toMatchObject({ mode: 'hybrid', embedding_model: EMBED });

      // The PDF goes through the pipeline directly, as the app's own import does (not via rag.ingest).
      const pdfCid = await addDoc('flood-plan.pdf', makePdf(PDF_PAGES));
      const pdf = await alice
        .scope()!
        .services.ingest!.ingestDocument({ docCid: pdfCid, corpus: 'flood', title: 'Flood plan' });
      expect(pdf).toMatchObject({ mode: 'hybrid', embedding_model: EMBED });
      expect(pdf.chunks_indexed).toBeGreaterThanOrEqual(1);

      await waitFor(
        () =>
          ['street', 'flood'].every((c) =>
            bob.api.capabilities({ name: 'rag.query', remoteOnly: true }).some((r) => r.params.corpus === c),
          ),
        10_000,
        'bob to see both corpora',
      );

      const gen = await query('street', 'Who do I book the generator with?');
      expect(gen.mode).toBe('hybrid');
      expect(gen.chunks[0].text).toContain('Margaret');
      expect(gen.chunks[0].doc_cid).toBe(mdCid);
      expect(gen.chunks[0].metadata.section).toMatch(/Generator booking/);

      const sand = await query('flood', 'where are the sandbags stored');
      const top = sand.chunks[0];
      expect(top.doc_cid).toBe(pdfCid);
      expect(top.text).toContain('number 21');
      expect(top.metadata.page).toBe(2);
      expect(top.title).toBe('Flood plan');
      // Every chunk of the PDF carries its page; the evacuation text is on page 3.
      const evac = await query('flood', 'evacuation meeting point playing field');
      expect(evac.chunks.find((c) => c.text.includes('Elm Road'))?.metadata.page).toBe(3);

      await expect(query('nonexistent', 'anything')).rejects.toMatchObject({ wireCode: 'not_found' });
    });

    it("askMesh from bob retrieves with citations and streams an answer from alice's stories260K", async () => {
      await waitFor(
        () => bob.api.capabilities({ name: 'llm.chat', remoteOnly: true }).length > 0,
        10_000,
        'bob to learn llm.chat',
      );
      const events: AskEvent[] = [];
      for await (const e of askMesh({ bus: bob.bus, question: 'Where are the sandbags kept?', k: 3 })) events.push(e);
      const sources = events.find((e) => e.type === 'sources');
      expect(sources?.type).toBe('sources');
      const cites = (sources as Extract<AskEvent, { type: 'sources' }>).sources;
      expect(cites.length).toBeGreaterThan(0);
      expect(cites.map((c) => c.n)).toEqual(cites.map((_, i) => i + 1));
      const sandbags = cites.find((c) => c.text.includes('number 21'));
      expect(sandbags).toMatchObject({ corpus: 'flood', page: 2, title: 'Flood plan' });
      const text = events
        .filter((e) => e.type === 'text')
        .map((e) => (e as { text: string }).text)
        .join('');
      expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1); // streamed, not one passage dump
      expect(text.trim().length).toBeGreaterThan(0);
      expect(events.at(-1)).toMatchObject({ type: 'done', answered_by: 'llm', model: 'stories260K', notice: null });
    });
  },
);
