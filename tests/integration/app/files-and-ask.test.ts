/**
 * The app's byte paths and Ask, end to end over HTTP with real nodes: a browser upload added as a
 * file, fetched by a neighbour with progress and downloaded with its length; a folder of documents
 * added to a collection; a question answered token by token by the neighbour's model (chosen from
 * the neighbour's list), citing the folder's documents; a model copied from a neighbour.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AskEvent,
  FetchedFile,
  FetchProgress,
  IngestDone,
  IngestProgress,
  ModelRow,
  OpEvent,
  UploadReceived,
} from '../../../src-main/runtime/api';
import { appClient, collect, type AppClient } from '../../support/app-client';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { STORIES_GGUF, skipWithoutModel } from '../../support/models';

const skipModel = skipWithoutModel('ask with a neighbour’s model', STORIES_GGUF);

async function upload(node: Mesh['nodes'][number]['node'], filename: string, bytes: Buffer): Promise<UploadReceived> {
  const res = await fetch(`http://127.0.0.1:${node.apiPort}/api/v1/upload?filename=${encodeURIComponent(filename)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${node.apiToken}`, 'content-type': 'application/octet-stream' },
    body: new Blob([new Uint8Array(bytes)]),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as UploadReceived;
}

const done = <P, R>(events: OpEvent<P, R>[]): R => (events.find((e) => e.type === 'done') as { result: R }).result;

describe('files and Ask in the app API', () => {
  let mesh: Mesh;
  let alice: AppClient;
  let bob: AppClient;
  let docs: string;
  beforeAll(async () => {
    mesh = await createMesh(2);
    [alice, bob] = mesh.nodes.map((m) => appClient(m.node));
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 1), 20_000, 'two nodes meeting');
    docs = mkdtempSync(join(tmpdir(), 'hn-docs-'));
    mkdirSync(join(docs, 'kitchen'));
    writeFileSync(
      join(docs, 'water.md'),
      '# Water\n\nBoil tap water for one minute after a main bursts. The pump at the corner of Elm Street still works without power.\n',
    );
    writeFileSync(
      join(docs, 'kitchen', 'burns.txt'),
      'Cool a burn under running water for twenty minutes. Do not use ice or butter.\n',
    );
    writeFileSync(join(docs, 'photo.jpg'), randomBytes(64)); // not a document: skipped
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
    rmSync(docs, { recursive: true, force: true });
  });

  it('a browser upload becomes a shared file; the neighbour fetches it with progress and downloads it with its length', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 123); // several chunks, under no limit of ours
    const up = await upload(mesh.byName('alice').node, 'plan of the street.bin', bytes);
    expect(up.size_bytes).toBe(bytes.length);
    const added = await alice.filesAdd.mutate({ upload_id: up.upload_id });
    expect(added.filename).toBe('plan of the street.bin');
    // The upload is consumed: using it again is a clear not_found.
    await expect(alice.filesAdd.mutate({ upload_id: up.upload_id })).rejects.toThrow(/upload is gone/);

    await waitFor(
      async () => (await bob.filesList.query()).some((f) => f.cid === added.cid),
      20_000,
      'bob learning of the file',
    );
    const events = await collect<OpEvent<FetchProgress, FetchedFile>>(
      (h) => bob.filesFetch.subscribe({ cid: added.cid }, h),
      (v) => v.some((e) => e.type === 'done'),
      60_000,
    );
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    expect(done(events).size_bytes).toBe(bytes.length);

    const bobNode = mesh.byName('bob').node;
    const res = await fetch(`http://127.0.0.1:${bobNode.apiPort}/api/v1/files/${encodeURIComponent(added.cid)}`, {
      headers: { authorization: `Bearer ${bobNode.apiToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('content-disposition')).toContain('plan%20of%20the%20street.bin');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // Without the token there is nothing to read.
    const anon = await fetch(`http://127.0.0.1:${bobNode.apiPort}/api/v1/files/${encodeURIComponent(added.cid)}`);
    expect(anon.status).toBe(401);
    expect(await bob.filesShare.mutate({ cid: added.cid })).toEqual({ cid: added.cid, shared: true });
  }, 90_000);

  it('fetching a file nobody holds ends the subscription with not_found and a sentence', async () => {
    const missing = `blake3:${'0'.repeat(64)}`;
    const err = await collect(
      (h) => bob.filesFetch.subscribe({ cid: missing }, h),
      () => false,
      30_000,
    ).then(
      () => null,
      (e: unknown) => e as { message: string; data?: { code?: string; wire?: { code: string } } },
    );
    expect(err?.data?.code).toBe('NOT_FOUND');
    expect(err?.data?.wire?.code).toBe('not_found');
    expect(err?.message).toMatch(/No neighbour could provide/);
  }, 40_000);

  it('a folder of documents becomes a collection the neighbour sees, with the household that offers it', async () => {
    const events = await collect<OpEvent<IngestProgress, IngestDone>>(
      (h) => alice.ragIngest.subscribe({ corpus: 'street-help', path: docs }, h),
      (v) => v.some((e) => e.type === 'done'),
      60_000,
    );
    const result = done(events);
    expect(result.documents).toBe(2);
    expect(result.chunks_indexed).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'progress' && e.progress.documents === 2)).toBe(true);
    const seen = await waitFor(
      async () => (await bob.meshCollections.query()).find((c) => c.corpus === 'street-help'),
      20_000,
      'bob seeing the collection',
    );
    expect(seen.households.map((h) => h.name)).toEqual(['alice']);
  }, 90_000);

  it.skipIf(skipModel)(
    'Ask: the neighbour’s model from the list, answered token by token with citations and who answered',
    async () => {
      await mesh.byName('alice').node.api.modelsAdd({ path: STORIES_GGUF! });
      const model = await waitFor(
        async () => (await bob.meshModels.query({ kind: 'chat' })).find((m) => m.model === 'stories260K'),
        20_000,
        'bob seeing alice’s model',
      );
      expect(model.households.map((h) => h.name)).toEqual(['alice']);
      const events = await collect<AskEvent>(
        (h) =>
          bob.ask.subscribe(
            { question: 'How long should I boil tap water?', model: model.model, collections: ['street-help'] },
            h,
          ),
        (v) => v.some((e) => e.type === 'done'),
        60_000,
      );
      const sources = events.find((e) => e.type === 'sources');
      expect(
        sources?.type === 'sources' && sources.sources.some((s) => s.title === 'water.md' && s.text.includes('Boil')),
      ).toBe(true);
      expect(events.filter((e) => e.type === 'token').length).toBeGreaterThan(1);
      const end = events.at(-1)!;
      expect(end).toMatchObject({
        type: 'done',
        answered_by: 'llm',
        model: 'stories260K',
        household: { name: 'alice' },
      });
    },
    90_000,
  );

  it.skipIf(skipModel)(
    'a model shared by a neighbour is copied with progress and served here',
    async () => {
      await alice.modelsShare.mutate({ name: 'stories260K' });
      const offer = await waitFor(
        async () =>
          (await bob.meshModels.query({ kind: 'chat' })).find((m) => m.model === 'stories260K' && m.shared_cid),
        20_000,
        'the shared model file',
      );
      const events = await collect<OpEvent<FetchProgress, ModelRow>>(
        (h) => bob.modelsCopy.subscribe({ cid: offer.shared_cid! }, h),
        (v) => v.some((e) => e.type === 'done'),
        60_000,
      );
      expect(done(events).name).toBe('stories260K');
      expect((await bob.modelsList.query()).map((m) => m.name)).toContain('stories260K');
      await waitFor(
        async () =>
          (await bob.meshModels.query({ kind: 'chat' })).find((m) => m.model === 'stories260K')?.households.length ===
          2,
        20_000,
        'bob serving it too',
      );
    },
    90_000,
  );
});
