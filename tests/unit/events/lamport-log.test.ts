import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src-main/common';
import { generateKeyPair, verifyPayload } from '../../../src-main/runtime/identity';
import { EventLog, type Event } from '../../../src-main/runtime/events';
import { cleanup, communityId, FakeMembership, openLog, root, tempDir, withSignature } from './helpers';
import { EventLogError } from '../../../src-main/runtime/events';

afterEach(cleanup);

const alice = generateKeyPair();

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EventLogError);
    expect((err as EventLogError).code).toBe(code);
    return;
  }
  throw new Error(`expected EventLogError ${code}`);
}

describe('Lamport clock', () => {
  it('persists across reopen and observes received values', () => {
    const dir = tempDir();
    const a = EventLog.open({ dbPath: join(dir, 'a.sqlite'), communityId });
    a.appendLocal('chat.message.sent', { text: 'one' }, alice);
    a.appendLocal('chat.message.sent', { text: 'two' }, alice);
    expect(a.lamport).toBe(2);
    a.close();
    const again = EventLog.open({ dbPath: join(dir, 'a.sqlite'), communityId });
    expect(again.lamport).toBe(2);
    expect(again.head()).toBe(2);
    const b = openLog('b');
    const far = b.appendLocal('chat.message.sent', { text: 'x' }, alice);
    const remote = { ...far };
    // observe(max(current, received) + 1): a received lamport of 1 below our 2 still ticks.
    expect(again.appendReceived(remote)).toBe(true);
    expect(again.lamport).toBe(3);
    const next = again.appendLocal('chat.message.sent', { text: 'three' }, alice);
    expect(next.lamport).toBe(4);
    again.close();
  });

  it('refuses a database of another community', () => {
    const dir = tempDir();
    EventLog.open({ dbPath: join(dir, 'a.sqlite'), communityId }).close();
    expectCode(() => EventLog.open({ dbPath: join(dir, 'a.sqlite'), communityId: alice.nodeIdFull }), 'db_corrupt');
  });
});

describe('appendLocal', () => {
  it('mints a signed event with the reference fields and stores its canonical JSON', () => {
    const log = openLog();
    const e = log.appendLocal('market.post.created', { title: 'ladder to lend' }, alice);
    expect(Object.keys(e).sort()).toEqual([
      'author',
      'community_id',
      'data',
      'event_id',
      'event_type',
      'lamport',
      'schema_version',
      'signature',
      'wall_clock',
    ]);
    expect(e.event_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(e.wall_clock).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(e.author).toBe(alice.nodeIdFull);
    expect(log.get(e.event_id)).toEqual(e);
    expect(log.getSignedJson(e.event_id)).toBe(canonicalJson(e));
    expect(verifyPayload(e as unknown as Record<string, unknown>, alice.nodeIdFull)).toBe(true);
    const copy = openLog('copy');
    expect(copy.appendReceived(JSON.parse(JSON.stringify(e)) as Event)).toBe(true);
    expect(copy.getSignedJson(e.event_id)).toBe(canonicalJson(e));
    expect(log.count()).toBe(1);
  });

  it('rejects an unknown type, bad data, and a failing validate hook, changing nothing', () => {
    const log = openLog('l', {
      validate: (e) => (e.data.bad ? { ok: false, code: 'schema_unknown', reason: 'bad data' } : { ok: true }),
    });
    log.appendLocal('chat.message.sent', { text: 'ok' }, alice);
    const before = { count: log.count(), head: log.head(), lamport: log.lamport };
    expectCode(() => log.appendLocal('chat.message.shouted' as never, {}, alice), 'schema_unknown');
    expectCode(() => log.appendLocal('chat.message.sent', [] as never, alice), 'schema_unknown');
    expectCode(() => log.appendLocal('chat.message.sent', { n: Number.NaN }, alice), 'schema_unknown');
    expectCode(() => log.appendLocal('chat.message.sent', { bad: true }, alice), 'schema_unknown');
    expect({ count: log.count(), head: log.head(), lamport: log.lamport }).toEqual(before);
  });
});

describe('appendReceived', () => {
  function setup() {
    const source = openLog('source');
    const created = source.appendLocal('community.created', { name: 'Elm Street' }, root);
    const invite = source.appendLocal('community.member.invited', { invitee: alice.nodeIdFull }, root);
    const msg = source.appendLocal('chat.message.sent', { text: 'hi' }, alice);
    const membership = new FakeMembership();
    const log = openLog('dest', { membership });
    membership.attach(log);
    return { source, created, invite, msg, membership, log };
  }

  it('accepts valid events, dedupes, and bootstraps from community.created', () => {
    const { created, invite, msg, log } = setup();
    expect(log.appendReceived(created)).toBe(true);
    expect(log.appendReceived(invite)).toBe(true);
    expect(log.appendReceived(msg)).toBe(true);
    expect(log.appendReceived(msg)).toBe(false);
    expect(log.count()).toBe(3);
    expect(log.head()).toBe(3);
  });

  it('rejects each bad event with its code and changes nothing', () => {
    const { created, invite, msg, membership, log } = setup();
    log.appendReceived(created);
    const before = () => ({ count: log.count(), head: log.head(), lamport: log.lamport });
    const snap = before();
    // not yet invited
    expectCode(() => log.appendReceived(msg), 'unknown_author');
    expectCode(() => log.appendReceived(withSignature(invite, created.signature)), 'invalid_signature');
    expectCode(() => log.appendReceived({ ...invite, data: { invitee: 'someone else' } }), 'invalid_signature');
    expectCode(() => log.appendReceived({ ...invite, event_type: 'chat.message.shouted' }), 'schema_unknown');
    expectCode(() => log.appendReceived({ ...invite, extra: 1 }), 'schema_unknown');
    expectCode(() => log.appendReceived({ ...invite, schema_version: 2 }), 'schema_unknown');
    expectCode(() => log.appendReceived({ ...invite, community_id: alice.nodeIdFull }), 'schema_unknown');
    expectCode(() => log.appendReceived(null), 'schema_unknown');
    // JSON.parse turns 1e400 into Infinity, which canonical JSON cannot encode: refused, not a crash.
    expectCode(
      () => log.appendReceived(JSON.parse(JSON.stringify(invite).replace('"data":{', '"data":{"x":1e400,')) as Event),
      'schema_unknown',
    );
    membership.revoked.add(root.nodeIdFull);
    expectCode(() => log.appendReceived(invite), 'revoked_author');
    expect(before()).toEqual(snap);
    expect(log.get(invite.event_id)).toBeNull();
  });

  it('runs the validate hook on received events', () => {
    const src = openLog('s');
    const e = src.appendLocal('market.post.created', { title: '' }, alice);
    const log = openLog('d', {
      validate: (ev) =>
        ev.data.title ? { ok: true } : { ok: false, code: 'schema_unknown', reason: 'a post needs a title' },
    });
    expectCode(() => log.appendReceived(e), 'schema_unknown');
    expect(log.count()).toBe(0);
  });

  it('noble and node verifiers agree', () => {
    const src = openLog('s');
    const e = src.appendLocal('chat.message.sent', { text: 'é✓' }, alice);
    const noble = openLog('n', { verifier: 'noble' });
    expect(noble.appendReceived(e)).toBe(true);
    expectCode(
      () =>
        openLog('n2', { verifier: 'noble' }).appendReceived(
          withSignature({ ...e, event_id: '01J00000000000000000000000' } as Event, e.signature),
        ),
      'invalid_signature',
    );
  });
});

describe('appendReceivedBatch', () => {
  it('orders by lamport so invited-then-authored events land with a live oracle; rejects bad ones alone', () => {
    const source = openLog('source');
    const created = source.appendLocal('community.created', { name: 'Elm Street' }, root);
    const invite = source.appendLocal('community.member.invited', { invitee: alice.nodeIdFull }, root);
    const m1 = source.appendLocal('chat.message.sent', { text: 'hi' }, alice);
    const m2 = source.appendLocal('chat.message.sent', { text: 'again' }, alice);
    const mallory = generateKeyPair();
    const intruder = openLog('x').appendLocal('chat.message.sent', { text: 'let me in' }, mallory);
    const forged = withSignature(m2, m1.signature);
    const membership = new FakeMembership();
    const log = openLog('dest', { membership });
    membership.attach(log);
    const res = log.appendReceivedBatch([m2, intruder, m1, forged, invite, created, m1, { nope: true }]);
    expect(res.accepted).toBe(4);
    expect(res.duplicates).toBe(2); // m1 twice in the batch, and the forged copy of m2 (same id, already stored)
    expect(res.rejected.map((r) => r.code).sort()).toEqual(['schema_unknown', 'unknown_author']);
    expect(res.rejected.find((r) => r.code === 'unknown_author')!.event_id).toBe(intruder.event_id);
    expect(log.count()).toBe(4);
    expect(log.get(intruder.event_id)).toBeNull();
  });

  it('a bad signature in a batch is rejected with its code, the rest land', () => {
    const src = openLog('s');
    const evs = [1, 2, 3].map((i) => src.appendLocal('chat.message.sent', { i }, alice));
    const bad = { ...evs[1], data: { i: 99 } } as Event;
    const log = openLog('d');
    const res = log.appendReceivedBatch([evs[0], bad, evs[2]]);
    expect(res).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [{ event_id: evs[1].event_id, code: 'invalid_signature', message: expect.any(String) as unknown }],
    });
    expect(log.get(evs[1].event_id)).toBeNull();
  });

  it('appendReceivedBatchAsync (thread-pool verification) gives the same outcome', async () => {
    const src = openLog('s');
    const evs = [1, 2, 3, 4, 5].map((i) => src.appendLocal('chat.message.sent', { i }, alice));
    const bad = { ...evs[3], data: { i: 0 } } as Event;
    const log = openLog('d');
    log.appendReceived(evs[0]);
    const before = log.lamport;
    const inf = {
      ...evs[2],
      event_id: '01J00000000000000000000000',
      data: { x: Number.POSITIVE_INFINITY },
    } as unknown as Event;
    const res = await log.appendReceivedBatchAsync([
      evs[4],
      bad,
      evs[2],
      evs[1],
      evs[0],
      { ...evs[1], community_id: 'x' },
      inf,
    ]);
    expect(res.accepted).toBe(3);
    expect(res.duplicates).toBe(1);
    expect(res.rejected.map((r) => r.code).sort()).toEqual(['invalid_signature', 'schema_unknown', 'schema_unknown']);
    expect(log.get(evs[3].event_id)).toBeNull();
    expect(log.lamport).toBeGreaterThan(before);
    expect([...log.replay()].map((e) => e.data.i)).toEqual([1, 2, 3, 5]);
  });
});
