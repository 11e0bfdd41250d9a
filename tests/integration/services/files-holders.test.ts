/**
 * Issue 14 item 5: a household that fetched a file offers it onward — `files list` names it as a
 * holder — and a fetch works while any holder is online, even after the sharer stopped (its entry
 * can stay in the registry for a while: the fetch then asks the other neighbours).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpFrame } from '../../../src-main/runtime/api';
import type { RunningNode } from '../../../src-main/runtime/node';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `files get <cid> --out <out>` through the node API, as the CLI and the app call it. */
async function filesGet(node: RunningNode, cid: string, out: string): Promise<Record<string, unknown>> {
  let done: Record<string, unknown> | null = null;
  const frames: AsyncIterable<OpFrame> = node.api.op('files.get', { cid, out }, new AbortController().signal);
  for await (const f of frames) if (f.event === 'done') done = f.data as Record<string, unknown>; // a failure throws
  if (!done) throw new Error('files.get ended without a result');
  return done;
}

describe('files: every holder is named and serves', () => {
  let mesh: Mesh;
  let alice: RunningNode;
  let bob: RunningNode;
  let carol: RunningNode;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hn-holders-'));
    mesh = await createMesh(3);
    [alice, bob, carol] = mesh.nodes.map((m) => m.node);
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 2), 20_000, 'full mesh');
  }, 60_000);
  afterAll(async () => {
    await mesh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a neighbour that fetched a file is listed as a holder and serves it after the sharer stops', async () => {
    const data = randomBytes(6 * 1024 * 1024 + 12_345); // 25 pieces
    const src = join(dir, 'plans.bin');
    writeFileSync(src, data);
    const added = await alice.api.filesAdd({ path: src });

    // Bob fetches it (files get --out): he now holds it and says so.
    await waitFor(
      () => bob.scope()!.services.sources.sourcesOf(added.cid).length > 0,
      20_000,
      'bob to learn of the file',
    );
    await filesGet(bob, added.cid, join(dir, 'bob-plans.bin'));
    expect(sha256(readFileSync(join(dir, 'bob-plans.bin')))).toBe(sha256(data));

    // Carol's list names both households; alice's names bob besides herself.
    const names = (rows: Awaited<ReturnType<RunningNode['api']['filesList']>>) =>
      rows
        .find((r) => r.cid === added.cid)
        ?.holders.map((h) => h.name)
        .sort() ?? [];
    await waitFor(async () => names(await carol.api.filesList()).length === 2, 20_000, 'carol to see two holders');
    expect(names(await carol.api.filesList())).toEqual(['alice', 'bob']);
    await waitFor(
      async () => names(await alice.api.filesList()).includes('bob'),
      20_000,
      'alice to see bob as a holder',
    );
    const aliceRow = (await alice.api.filesList()).find((r) => r.cid === added.cid)!;
    expect(aliceRow.local).toBe(true);

    // A second file bob holds without having advertised it (fetched for a document, as rag does).
    const quiet = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(join(dir, 'notes.bin'), quiet);
    const second = await alice.api.filesAdd({ path: join(dir, 'notes.bin') });
    await waitFor(
      () => bob.scope()!.services.sources.sourcesOf(second.cid).length > 0,
      20_000,
      'bob to learn of the second file',
    );
    await bob.scope()!.services.fileClient.fetch(second.cid);
    await waitFor(
      () => carol.scope()!.services.sources.sourcesOf(second.cid).length > 0,
      20_000,
      'carol to learn of the second file',
    );
    expect(carol.scope()!.services.sources.sourcesOf(second.cid)).toEqual([alice.kp.nodeIdFull]);

    // The sharer stops. Carol still has alice's file.read entry for a while, so the fetch first
    // tries the dead sharer, then the neighbours: it must succeed from bob.
    await mesh.byName('alice').stop();
    expect(carol.bus.registry.find('file.read', [1, 0]).some((e) => e.node_id === alice.kp.nodeIdFull)).toBe(true);
    const got = await filesGet(carol, added.cid, join(dir, 'carol-plans.bin'));
    expect(got.cid).toBe(added.cid);
    expect(sha256(readFileSync(join(dir, 'carol-plans.bin')))).toBe(sha256(data));
    // Only the (stopped) sharer advertised the second file: the fetch finds bob's copy anyway.
    await filesGet(carol, second.cid, join(dir, 'carol-notes.bin'));
    expect(sha256(readFileSync(join(dir, 'carol-notes.bin')))).toBe(sha256(quiet));
  }, 120_000);
});
