import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORIES_GGUF, skipWithoutModel } from '../../support/models';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

const skip = skipWithoutModel('model sharing', STORIES_GGUF);

describe.skipIf(skip)('a model from next door', () => {
  let mesh: Mesh;
  let staging: string;
  beforeAll(async () => {
    mesh = await createMesh(2);
    staging = mkdtempSync(join(tmpdir(), 'hn-model-'));
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 1), 15_000, 'two nodes meeting');
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
    rmSync(staging, { recursive: true, force: true });
  });

  it('is shared through the blob store, fetched and verified by the neighbour, and served by it', async () => {
    const alice = mesh.byName('alice').node;
    const bob = mesh.byName('bob').node;
    await alice.api.modelsAdd({ path: STORIES_GGUF! });
    const shared = await alice.api.modelsShare({ name: 'stories260K' });
    expect(shared.cid).toMatch(/^blake3:[0-9a-f]{64}$/);

    let done: Record<string, unknown> | null = null;
    let progress = 0;
    await waitFor(
      async () => bob.api.filesList().then((rows) => rows.some((r) => r.cid === shared.cid)),
      15_000,
      'bob to learn who holds the model',
    );
    for await (const f of bob.api.op('files.get', { cid: shared.cid, out: staging }, new AbortController().signal)) {
      if (f.event === 'progress') progress++;
      if (f.event === 'done') done = f.data as Record<string, unknown>;
    }
    expect(progress).toBeGreaterThan(0);
    const added = await bob.api.modelsAdd({ path: String(done!.path) });
    expect(added.name).toBe('stories260K');
    // Bob now serves it himself: a local instance answers.
    const local = bob.api.capabilities({ localOnly: true, name: 'llm.chat' });
    expect(local.map((r) => r.params.model)).toContain('stories260K');
    const r = (await bob.bus.call(
      'llm.chat',
      [1, 0],
      { model: 'stories260K', messages: [{ role: 'user', content: 'Once' }], max_tokens: 8 },
      { params: { model: 'stories260K' } },
    )) as { tokens_out: number };
    expect(r.tokens_out).toBeGreaterThan(0);
  }, 90_000);
});
