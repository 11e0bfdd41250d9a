/** Marketplace end to end on three real nodes: a post replicates, the author's expiry spreads, others are refused, TTL sweeps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../../src-main/runtime/node';
import { createMesh, waitFor, type Mesh } from '../../support/mesh';

interface PostView {
  event_id: string;
  author: string;
  title: string;
  expired_via_event_id: string | null;
  expiry_reason: string | null;
}

const search = async (n: RunningNode, query: string) =>
  ((await n.bus.call('market.search', [1, 0], { query })) as { results: Array<{ post: PostView }> }).results;
const list = async (n: RunningNode, includeExpired = false) =>
  ((await n.bus.call('market.list', [1, 0], { include_expired: includeExpired })) as { posts: PostView[] }).posts;

describe('marketplace across the mesh', () => {
  let mesh: Mesh;
  let alice: RunningNode;
  let bob: RunningNode;
  let carol: RunningNode;
  beforeAll(async () => {
    mesh = await createMesh(3);
    [alice, bob, carol] = mesh.nodes.map((m) => m.node);
    await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 2), 15_000, 'full mesh');
  }, 60_000);
  afterAll(async () => mesh?.close());

  it('a post made on alice is listed and found on bob and carol within 5 s; her expiry spreads', async () => {
    const { post } = (await alice.bus.call('market.post', [1, 0], {
      category: 'offer',
      title: 'Spare ladder to lend',
      body: 'A three metre aluminium ladder, collect from number 12.',
      tags: ['tools'],
    })) as { post: PostView };
    expect(post.author).toBe(alice.kp.nodeIdFull);
    for (const n of [bob, carol]) {
      const hit = await waitFor(
        async () => (await search(n, 'ladder')).find((h) => h.post.event_id === post.event_id),
        5_000,
        'the post to be searchable',
      );
      expect(hit.post.title).toBe('Spare ladder to lend');
      expect((await list(n)).map((p) => p.event_id)).toContain(post.event_id);
    }

    const expired = (await alice.bus.call('market.expire', [1, 0], { post_id: post.event_id })) as {
      expired_event_id: string;
      already_expired: boolean;
    };
    expect(expired.already_expired).toBe(false);
    for (const n of [bob, carol]) {
      await waitFor(
        async () => !(await list(n)).some((p) => p.event_id === post.event_id),
        5_000,
        'the expiry to reach a neighbour',
      );
      const all = await list(n, true);
      expect(all.find((p) => p.event_id === post.event_id)).toMatchObject({
        expired_via_event_id: expired.expired_event_id,
        expiry_reason: 'author',
      });
      expect(await search(n, 'ladder')).toEqual([]);
    }
  });

  it("bob cannot expire alice's post, neither on his node nor on hers, and nothing is written", async () => {
    const { post } = (await alice.bus.call('market.post', [1, 0], {
      category: 'request',
      title: 'Looking for a bike pump',
      body: 'Presta valve please.',
    })) as { post: PostView };
    await waitFor(async () => (await search(bob, 'pump')).length > 0, 5_000, 'bob to see the post');
    const counts = () => [alice, bob, carol].map((n) => n.community()!.log.count());
    const before = counts();

    await expect(bob.bus.call('market.expire', [1, 0], { post_id: post.event_id })).rejects.toMatchObject({
      wireCode: 'forbidden',
    });
    // Straight to alice's node over HTTPS: her service sees bob as the caller and refuses too.
    const aliceAddr = {
      nodeId: alice.kp.nodeIdFull,
      endpoint: bob.peerRegistry.get(alice.kp.nodeIdFull)!.endpoints[0],
    };
    await expect(bob.client.call(aliceAddr, 'market.expire', '1.0', { post_id: post.event_id })).rejects.toMatchObject({
      wireCode: 'forbidden',
    });
    // Nor may bob post in alice's name through her node.
    await expect(
      bob.client.call(aliceAddr, 'market.post', '1.0', { category: 'info', title: 'spoof', body: 'x' }),
    ).rejects.toMatchObject({ wireCode: 'forbidden' });

    await bob.syncNow();
    await alice.syncNow();
    expect(counts()).toEqual(before);
    for (const n of [alice, bob])
      expect((await list(n)).find((p) => p.event_id === post.event_id)?.expired_via_event_id).toBeNull();
  });

  it('the TTL sweeper on the author node expires a short-lived post and the expiry replicates', async () => {
    const { post } = (await alice.bus.call('market.post', [1, 0], {
      category: 'info',
      title: 'Street party tonight',
      body: 'Bring a chair.',
      ttl_seconds: 60,
    })) as { post: PostView };
    await waitFor(
      async () => (await list(carol)).some((p) => p.event_id === post.event_id),
      5_000,
      'carol to see the post',
    );
    // 60 s is the minimum TTL: run the sweeper as if 61 s had passed instead of waiting.
    const later = Date.now() + 61_000;
    expect(await bob.scope()!.services.market!.sweepExpired(later)).toBe(0); // only the author sweeps
    expect(await alice.scope()!.services.market!.sweepExpired(later)).toBe(1);
    expect(await alice.scope()!.services.market!.sweepExpired(later)).toBe(0); // idempotent
    for (const n of [bob, carol]) {
      const seen = await waitFor(
        async () => (await list(n, true)).find((p) => p.event_id === post.event_id && p.expired_via_event_id !== null),
        5_000,
        'the ttl expiry to replicate',
      );
      expect(seen.expiry_reason).toBe('ttl');
    }
  });
});
