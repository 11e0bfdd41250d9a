import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { SYNC_ACTIVE_INTERVAL_MS, SYNC_ROUND_INTERVAL_MS } from '../../../src-main/runtime/events/sync-loop';
import { cleanup, idSet, openLog } from './helpers';
import { InMemoryStreet, ManualClock } from './sync-fixture';

afterEach(cleanup);

describe('a 10-node street cut in two for a minute', () => {
  it('posts on both sides; after healing every node holds exactly the union', async () => {
    const clock = new ManualClock();
    const s = new InMemoryStreet();
    const kps = Array.from({ length: 10 }, () => generateKeyPair());
    const base = openLog('n0');
    base.appendLocal('community.created', { name: 'Elm Street' }, kps[0]);
    const seed = [...base.replay()];
    const nodes = kps.map((kp, i) => {
      const log = i === 0 ? base : openLog(`n${i}`);
      if (i > 0) log.appendReceivedBatch(seed);
      return s.add(kp.nodeIdFull, log, { timers: clock, now: () => clock.now });
    });
    for (const n of nodes) n.loop.start();
    await clock.advance(2 * SYNC_ROUND_INTERVAL_MS);

    const west = kps.slice(0, 5).map((k) => k.nodeIdFull);
    const east = kps.slice(5).map((k) => k.nodeIdFull);
    s.cut([west, east]);
    const written: string[] = [];
    // A minute of partition on the manual clock, everyone posting now and then.
    for (let t = 0; t < 60; t++) {
      if (t % 6 === 0) {
        for (const [i, n] of nodes.entries()) {
          if ((i + t) % 3 === 0)
            written.push(n.log.appendLocal('market.post.created', { title: `post ${t} by ${i}` }, kps[i]).event_id);
        }
      }
      await clock.advance(1_000);
    }
    // A quiet spell, so each side has converged and the heal starts from the quiet pace.
    await clock.advance(3 * SYNC_ROUND_INTERVAL_MS);
    // Each side converged on its own writes and lacks the other's.
    const westIds = idSet(nodes[0].log);
    const eastIds = idSet(nodes[9].log);
    for (const n of nodes.slice(0, 5)) expect(idSet(n.log)).toEqual(westIds);
    for (const n of nodes.slice(5)) expect(idSet(n.log)).toEqual(eastIds);
    expect(westIds.size).toBeGreaterThan(1);
    expect(eastIds.size).toBeGreaterThan(1);
    expect([...westIds].filter((id) => eastIds.has(id))).toEqual(seed.map((e) => e.event_id));

    s.heal();
    const union = new Set([...seed.map((e) => e.event_id), ...written]);
    const healStart = clock.now;
    for (let steps = 0; steps < 120 && !nodes.every((n) => sameSet(idSet(n.log), union)); steps++)
      await clock.advance(SYNC_ACTIVE_INTERVAL_MS);
    for (const n of nodes) expect(sameSet(idSet(n.log), union)).toBe(true);
    // The first round across the old cut (quiet pace) makes both sides active; the union then
    // spreads at the active pace. Under the 10 s heal target.
    expect(clock.now - healStart).toBeLessThanOrEqual(10_000);
    const summaries = nodes.map((n) =>
      JSON.stringify(Object.entries(n.log.authorSummaries()).sort(([a], [b]) => a.localeCompare(b))),
    );
    expect(new Set(summaries).size).toBe(1);
    for (const n of nodes) await n.loop.stop();
  }, 120_000);
});

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
