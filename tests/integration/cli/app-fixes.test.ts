/**
 * Issue 14 item 5 through the real `bin/hearthnet` against running nodes: chat send says what the
 * service returned, rag ingest takes a folder, rag/models list name what neighbours offer, an
 * embedding model is one command, and doctor asks the node that runs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';
import { MODEL2VEC_DIR, STORIES_GGUF } from '../../support/models';
import { hn } from './helpers';

let mesh: Mesh;

beforeAll(async () => {
  mesh = await createMesh(2, { node: { writeRuntimeFile: true } });
  await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 1), 20_000, 'two nodes meeting');
}, 60_000);
afterAll(async () => {
  await mesh?.close();
});

describe('the CLI journey fixes', () => {
  it('chat send prints the delivery state the service returned', async () => {
    const alice = mesh.byName('alice');
    const r = await hn(alice.home, ['chat', 'send', 'bob', 'Tea', 'at', 'four?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('Delivered to bob.');
    const history = await hn(alice.home, ['chat', 'history', 'bob']);
    expect(history.stdout).toMatch(/you -> bob \((delivered|read)\)/);
    // Local time, not an ISO UTC stamp.
    expect(history.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
  }, 60_000);

  it('rag ingest takes a folder; rag list on the neighbour names who offers it', async () => {
    const alice = mesh.byName('alice');
    const folder = join(alice.home, 'papers');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'water.md'), '# Water\n\nBoil tap water for one minute.\n');
    writeFileSync(join(folder, 'sub', 'power.txt'), 'The pump at the corner works without power.\n');
    const r = await hn(alice.home, ['rag', 'ingest', 'papers', '--corpus', 'street-help'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Added 2 of 2 document\(s\) from .*papers to "street-help": \d+ passages/);
    const bob = mesh.byName('bob');
    await waitFor(
      () => bob.node.api.meshCollections().some((c) => c.corpus === 'street-help'),
      20_000,
      'bob seeing the collection',
    );
    const listed = await hn(bob.home, ['rag', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/COLLECTION\s+OFFERED BY\nstreet-help\s+alice/);
  }, 90_000);

  it.skipIf(!STORIES_GGUF)(
    'models list shows the neighbour’s model and who offers it, with labelled columns',
    async () => {
      const alice = mesh.byName('alice');
      const bob = mesh.byName('bob');
      await alice.node.api.modelsAdd({ path: STORIES_GGUF! });
      await waitFor(
        async () => (await bob.node.api.meshModels({})).some((m) => m.model === 'stories260K'),
        20_000,
        'bob seeing the model',
      );
      const r = await hn(bob.home, ['models', 'list']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /Offered by neighbours:\nMODEL\s+KIND\s+OFFERED BY\s+COPY WITH\nstories260K\s+chat\s+alice/,
      );
      const json = JSON.parse((await hn(bob.home, ['models', 'list', '--json'])).stdout) as {
        local: unknown[];
        mesh: Array<{ model: string }>;
      };
      expect(json.mesh.map((m) => m.model)).toContain('stories260K');
    },
    60_000,
  );

  it.skipIf(!MODEL2VEC_DIR)(
    'an embedding model is added (and chosen) with one command',
    async () => {
      const bob = mesh.byName('bob');
      const r = await hn(bob.home, ['models', 'add-embedding', MODEL2VEC_DIR!, '--use']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Added the embedding model model2vec-bge-64d-q/);
      expect(existsSync(join(bob.node.config.node.models_dir, 'model2vec-bge-64d-q'))).toBe(true);
      expect(readFileSync(bob.configFile, 'utf8')).toMatch(/model = "model2vec-bge-64d-q"/);
      const again = await hn(bob.home, ['models', 'add-embedding', MODEL2VEC_DIR!]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already in the models folder \(nothing was changed\)/);
    },
    60_000,
  );

  it('doctor checks the node that is running: its ports, its neighbour’s clock, the models it serves', async () => {
    const alice = mesh.byName('alice');
    const r = await hn(alice.home, ['doctor', '--json'], { timeoutMs: 60_000 });
    const results = JSON.parse(r.stdout) as Array<{ name: string; ok: boolean; detail: string }>;
    const by = (n: string) => results.find((x) => x.name === n)!;
    expect(by('clock_sanity').detail).toMatch(/of 1 neighbour/);
    expect(by('transport_port').ok).toBe(true);
    expect(by('models_served').detail).toContain(`peers ${alice.node.transportPort}, local api ${alice.node.apiPort}`);
    if (STORIES_GGUF) expect(by('models_served').detail).toContain('serves stories260K');
  }, 90_000);
});
