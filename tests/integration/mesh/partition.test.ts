import { describe, expect, it } from 'vitest';
import type { Event } from '../../../src-main/runtime/events';
import { waitFor, type MeshNode } from '../../support/mesh';
import { fullMeshForFile } from '../../support/mesh-per-file';

const post = (m: MeshNode, title: string): Event =>
  m.node.community()!.log.appendLocal(
    'market.post.created',
    {
      category: 'offer',
      title,
      body: `${title} — from ${m.name}`,
      tags: [],
      location: null,
      expires_at: '2099-01-01T00:00:00Z',
    },
    m.node.kp,
  );

const ids = (m: MeshNode) => new Set([...m.node.community()!.log.replay()].map((e) => e.event_id));

describe('a network partition', () => {
  const mesh = fullMeshForFile();

  it('converges to the same event set after writes on both sides, with overlapping Lamport values', async () => {
    const [alice, bob, carol] = mesh().nodes;
    await waitFor(
      () => new Set(mesh().nodes.map((m) => m.node.community()!.log.count())).size === 1,
      10_000,
      'equal logs before the split',
    );
    const headBefore = alice.node.community()!.log.head();

    // Side 1 = {bob, carol} writes while alice is away. Enough writes that side 1's Lamport range
    // surely overlaps side 2's: clocks also advance by one per received event, in arrival order.
    await alice.stop();
    const side1 = [
      post(bob, 'ladder'),
      post(carol, 'jam jars'),
      post(bob, 'drill'),
      post(carol, 'saw'),
      post(bob, 'rake'),
      post(carol, 'tent'),
    ];
    await waitFor(
      () => bob.node.community()!.log.count() === carol.node.community()!.log.count(),
      10_000,
      'bob and carol to agree',
    );

    // Side 2 = {alice} writes while bob and carol are away: same Lamport range, different events.
    await bob.stop();
    await carol.stop();
    await alice.restart();
    const side2 = [post(alice, 'bread maker'), post(alice, 'seedlings')];
    const lamports = (es: Event[]) => es.map((e) => e.lamport);
    expect(Math.min(...lamports(side2))).toBeLessThanOrEqual(Math.max(...lamports(side1)));
    expect(Math.min(...lamports(side1))).toBeGreaterThan(headBefore);

    // Heal.
    await bob.restart();
    await carol.restart();
    const written = [...side1, ...side2].map((e) => e.event_id);
    await waitFor(
      () => mesh().nodes.every((m) => written.every((id) => ids(m).has(id))),
      20_000,
      'every write to reach every node',
    );
    // Restarts add node.manifest.updated events of their own: wait until nothing is in flight.
    await waitFor(
      () => {
        const sets = mesh().nodes.map((m) => [...ids(m)].sort().join());
        return sets.every((s) => s === sets[0]);
      },
      20_000,
      'the three logs to hold the same set',
    );
    const [a, b, c] = mesh().nodes.map(ids);
    expect([...b].sort()).toEqual([...a].sort());
    expect([...c].sort()).toEqual([...a].sort());
    const heads = mesh().nodes.map((m) => m.node.community()!.log.head());
    expect(new Set(heads).size).toBe(1);
    // The marketplace views agree too.
    const titles = (m: MeshNode) =>
      (m.node.bus.call('market.list', [1, 0], { limit: 50 }) as Promise<{ posts: Array<{ title: string }> }>).then(
        (r) => r.posts.map((p) => p.title).sort(),
      );
    const lists = await Promise.all(mesh().nodes.map(titles));
    expect(lists[0]).toEqual(expect.arrayContaining(['ladder', 'jam jars', 'drill', 'bread maker', 'seedlings']));
    expect(lists[1]).toEqual(lists[0]);
    expect(lists[2]).toEqual(lists[0]);
  }, 90_000);
});
