import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { PeerRegistry, type PeerEvent, type PeerRecord } from '../../../src-main/runtime/discovery';

const me = generateKeyPair();
const community = generateKeyPair().nodeIdFull;

function rec(over: Partial<PeerRecord> & { node_id_full: PeerRecord['node_id_full'] }, lastSeen: number): PeerRecord {
  return {
    node_id: over.node_id_full,
    display_name: 'x',
    community_id: community,
    profile: 'hearth',
    endpoints: [{ transport: 'http', host: '127.0.0.1', port: 1 }],
    manifest: null,
    last_seen: lastSeen,
    rtt_ms: null,
    source: 'mdns',
    ...over,
  };
}

function setup() {
  const clock = { t: 1_000_000 };
  const reg = new PeerRegistry(me.nodeIdFull, community, { now: () => clock.t });
  const events: PeerEvent[] = [];
  reg.on((e) => events.push(e));
  return { clock, reg, events };
}

describe('PeerRegistry', () => {
  it('remembers why a peer refuses us until it answers again or goes, without events', () => {
    const { reg, events, clock } = setup();
    const a = generateKeyPair().nodeIdFull;
    reg.noteRefusal(a, 'revoked'); // not a peer yet: nothing to remember
    expect(reg.refusalOf(a)).toBeNull();
    reg.upsert(rec({ node_id_full: a }, clock.t));
    reg.noteRefusal(a, 'revoked');
    expect(reg.refusalOf(a)).toBe('revoked');
    reg.noteRefusal(a, null);
    expect(reg.refusalOf(a)).toBeNull();
    reg.noteRefusal(a, 'not_member');
    reg.remove(a);
    expect(reg.refusalOf(a)).toBeNull();
    expect(events.map((e) => e.kind)).toEqual(['added', 'removed']);
  });

  it('upsert returns true only for new peers and emits added, then updated on a real change', () => {
    const { reg, events, clock } = setup();
    const a = generateKeyPair().nodeIdFull;
    expect(reg.upsert(rec({ node_id_full: a }, clock.t))).toBe(true);
    expect(reg.upsert(rec({ node_id_full: a }, clock.t + 5))).toBe(false);
    expect(events.map((e) => e.kind)).toEqual(['added']); // a refresh of last_seen alone is silent
    expect(reg.upsert(rec({ node_id_full: a, display_name: 'renamed' }, clock.t))).toBe(false);
    expect(events.map((e) => e.kind)).toEqual(['added', 'updated']);
    expect(reg.get(a)?.display_name).toBe('renamed');
  });

  it('ignores records about ourselves', () => {
    const { reg, events } = setup();
    expect(reg.upsert(rec({ node_id_full: me.nodeIdFull }, 0))).toBe(false);
    expect(reg.all()).toEqual([]);
    expect(events).toEqual([]);
  });

  it('remove returns false for unknown ids and emits removed for known ones', () => {
    const { reg, events, clock } = setup();
    const a = generateKeyPair().nodeIdFull;
    expect(reg.remove(a)).toBe(false);
    reg.upsert(rec({ node_id_full: a }, clock.t));
    expect(reg.remove(a)).toBe(true);
    expect(reg.get(a)).toBeNull();
    expect(events.map((e) => e.kind)).toEqual(['added', 'removed']);
  });

  it('pruneStale removes peers older than 90 s by default and 30 s when aggressive', () => {
    const { reg, clock } = setup();
    const ids = [generateKeyPair().nodeIdFull, generateKeyPair().nodeIdFull, generateKeyPair().nodeIdFull];
    reg.upsert(rec({ node_id_full: ids[0] }, clock.t - 100_000)); // 100 s old
    reg.upsert(rec({ node_id_full: ids[1] }, clock.t - 45_000)); // 45 s old
    reg.upsert(rec({ node_id_full: ids[2] }, clock.t - 10_000)); // 10 s old
    expect(reg.pruneStale()).toBe(1);
    expect(
      reg
        .all()
        .map((p) => p.node_id_full)
        .sort(),
    ).toEqual([ids[1], ids[2]].sort());
    reg.setPruningAggressive(true);
    expect(reg.pruneStale()).toBe(1);
    expect(reg.all().map((p) => p.node_id_full)).toEqual([ids[2]]);
    reg.setPruningAggressive(false);
    clock.t += 50_000; // now 60 s old: kept at 90 s
    expect(reg.pruneStale()).toBe(0);
    expect(reg.pruneStale(59)).toBe(1);
  });

  it('touch refreshes last_seen so a seen peer survives pruning', () => {
    const { reg, clock } = setup();
    const a = generateKeyPair().nodeIdFull;
    reg.upsert(rec({ node_id_full: a }, clock.t));
    clock.t += 80_000;
    expect(reg.touch(a)).toBe(true);
    clock.t += 80_000;
    expect(reg.pruneStale()).toBe(0);
    expect(reg.touch(generateKeyPair().nodeIdFull)).toBe(false);
  });

  it('forCommunity filters by community id', () => {
    const { reg, clock } = setup();
    reg.upsert(rec({ node_id_full: generateKeyPair().nodeIdFull }, clock.t));
    reg.upsert(rec({ node_id_full: generateKeyPair().nodeIdFull, community_id: 'other' }, clock.t));
    expect(reg.forCommunity(community)).toHaveLength(1);
    expect(reg.forCommunity('other')).toHaveLength(1);
    expect(reg.all()).toHaveLength(2);
  });

  it('subscribe yields events in order and ends on abort', async () => {
    const { reg, clock } = setup();
    const ac = new AbortController();
    const it = reg.subscribe({ signal: ac.signal });
    const a = generateKeyPair().nodeIdFull;
    reg.upsert(rec({ node_id_full: a }, clock.t));
    reg.remove(a);
    const kindOf = (r: IteratorResult<PeerEvent>) => (r.done ? undefined : r.value.kind);
    expect(kindOf(await it.next())).toBe('added');
    expect(kindOf(await it.next())).toBe('removed');
    const pending = it.next();
    ac.abort();
    expect((await pending).done).toBe(true);
  });

  it('a throwing listener does not stop others', () => {
    const { reg, events, clock } = setup();
    reg.on(() => {
      throw new Error('boom');
    });
    reg.upsert(rec({ node_id_full: generateKeyPair().nodeIdFull }, clock.t));
    expect(events).toHaveLength(1);
  });
});
