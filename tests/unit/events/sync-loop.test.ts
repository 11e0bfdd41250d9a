import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type KeyPair } from '../../../src-main/runtime/identity';
import {
  SYNC_ACTIVE_INTERVAL_MS,
  SYNC_ACTIVE_WINDOW_MS,
  SYNC_PUSH_FANOUT,
  SYNC_ROUND_FANOUT,
  SYNC_ROUND_INTERVAL_MS,
  pickRandom,
} from '../../../src-main/runtime/events/sync-loop';
import { cleanup, openLog } from './helpers';
import { InMemoryStreet, ManualClock, settle } from './sync-fixture';

afterEach(cleanup);

/** N nodes holding the same `seed` events, every loop on one manual clock. */
function street(n: number, clock: ManualClock, seed = 5) {
  const s = new InMemoryStreet();
  const kps: KeyPair[] = Array.from({ length: n }, () => generateKeyPair());
  const first = openLog('n0');
  for (let i = 0; i < seed; i++) first.appendLocal('chat.message.sent', { i }, kps[i % n]);
  const events = [...first.replay()];
  kps.forEach((kp, i) => {
    const log = i === 0 ? first : openLog(`n${i}`);
    if (i > 0) log.appendReceivedBatch(events);
    s.add(kp.nodeIdFull, log, { timers: clock, now: () => clock.now });
  });
  return { s, kps };
}

describe('sync loop cost does not grow with the number of peers', () => {
  it.each([5, 20, 50])(
    'with %i nodes in agreement (a quiet street), each node makes exactly SYNC_ROUND_FANOUT one-request exchanges per interval',
    async (n) => {
      const clock = new ManualClock();
      const { s } = street(n, clock);
      for (const node of s.nodes.values()) node.loop.start();
      await clock.advance(SYNC_ROUND_INTERVAL_MS / 2); // the immediate first round
      const before = { total: s.stats.total, rounds: s.stats.rounds };
      const byNodeBefore = outgoing(s);
      const intervals = 10;
      await clock.advance(intervals * SYNC_ROUND_INTERVAL_MS);
      const byNode = outgoing(s);
      for (const [id, count] of byNode)
        expect(count - (byNodeBefore.get(id) ?? 0)).toBeLessThanOrEqual(SYNC_ROUND_FANOUT * intervals);
      // Every round ended in its digest check: one request per exchange, fan-out exchanges per node per interval.
      expect(s.stats.rounds - before.rounds).toBe(n * SYNC_ROUND_FANOUT * intervals);
      expect(s.stats.total - before.total).toBe(n * SYNC_ROUND_FANOUT * intervals);
      expect(s.stats.pushes).toBe(0);
      for (const node of s.nodes.values()) await node.loop.stop();
    },
    60_000,
  );

  it.each([5, 40])(
    'one new event with %i nodes: at most SYNC_PUSH_FANOUT pushes per node, and it reaches everyone',
    async (n) => {
      const clock = new ManualClock();
      const { s, kps } = street(n, clock);
      const nodes = [...s.nodes.values()];
      for (const node of nodes) node.loop.start();
      await clock.advance(SYNC_ROUND_INTERVAL_MS / 2);
      const e = nodes[0].log.appendLocal('market.post.created', { title: 'ladder' }, kps[0]);
      await settle(200);
      // The clock stood still: every request counted here is gossip (the push, then relays).
      for (const count of s.stats.pushesFrom.values())
        expect(count).toBeLessThanOrEqual(Math.min(SYNC_PUSH_FANOUT, n - 1));
      expect(s.stats.pushesFrom.get(kps[0].nodeIdFull)).toBe(Math.min(SYNC_PUSH_FANOUT, n - 1));
      expect(s.stats.pushes).toBeLessThanOrEqual(n * SYNC_PUSH_FANOUT);
      expect(s.stats.pushes).toBeGreaterThan(0);
      // Whoever gossip missed, the rounds (now at the active pace) repair within a few intervals,
      // and even then no node opens more than SYNC_ROUND_FANOUT exchanges per active interval.
      const roundsBefore = new Map(s.stats.roundsFrom);
      let steps = 0;
      for (; steps < 40 && !nodes.every((x) => x.log.getSignedJson(e.event_id)); steps++)
        await clock.advance(SYNC_ACTIVE_INTERVAL_MS);
      expect(nodes.filter((x) => !x.log.getSignedJson(e.event_id)).map((x) => x.id)).toEqual([]);
      await clock.advance(SYNC_ACTIVE_WINDOW_MS - steps * SYNC_ACTIVE_INTERVAL_MS);
      const windows = SYNC_ACTIVE_WINDOW_MS / SYNC_ACTIVE_INTERVAL_MS + 1;
      for (const [id, c] of s.stats.roundsFrom)
        expect(c - (roundsBefore.get(id) ?? 0)).toBeLessThanOrEqual(SYNC_ROUND_FANOUT * windows);
      // Then the street is quiet again: back to the quiet pace.
      await clock.advance(2 * SYNC_ROUND_INTERVAL_MS);
      for (const x of nodes) expect(x.loop.currentIntervalMs()).toBe(SYNC_ROUND_INTERVAL_MS);
      for (const node of nodes) await node.loop.stop();
    },
    60_000,
  );
});

describe('pickRandom', () => {
  it('returns k distinct items (all of them when there are fewer)', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    const got = pickRandom(xs, 4);
    expect(new Set(got).size).toBe(4);
    for (const g of got) expect(xs).toContain(g);
    expect(pickRandom([1, 2], 4).sort()).toEqual([1, 2]);
  });
});

function outgoing(s: InMemoryStreet): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, c] of s.stats.calls) out.set(key.split('->')[0], (out.get(key.split('->')[0]) ?? 0) + c);
  return out;
}
