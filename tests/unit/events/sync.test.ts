import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  SYNC_BATCH_EVENTS,
  SyncClient,
  SyncServer,
  type Event,
  type SyncChannel,
  type SyncEventsBody,
} from '../../../src-main/runtime/events';
import { channelTo, cleanup, FakeMembership, idSet, openLog, root } from './helpers';

afterEach(cleanup);
const alice = generateKeyPair();
const bob = generateKeyPair();
const carol = generateKeyPair();

const sync = (a: ReturnType<typeof openLog>, b: ReturnType<typeof openLog>) =>
  new SyncClient(a, channelTo(b)).syncWith();

function expectSame(...logs: ReturnType<typeof openLog>[]) {
  const sets = logs.map((l) => [...idSet(l)].sort());
  for (const s of sets.slice(1)) expect(s).toEqual(sets[0]);
  for (const l of logs.slice(1)) {
    expect(l.head()).toBe(logs[0].head());
    expect(l.headsByType()).toEqual(logs[0].headsByType());
    expect(l.authorSummaries()).toEqual(logs[0].authorSummaries());
  }
}

describe('sync', () => {
  it('one-way catch-up in lamport-ordered batches', async () => {
    const a = openLog('a');
    const b = openLog('b');
    for (let i = 0; i < SYNC_BATCH_EVENTS + 120; i++) a.appendLocal('chat.message.sent', { i }, i % 3 ? alice : bob);
    const res = await sync(b, a);
    expect(res.received_count).toBe(620);
    expect(res.sent_count).toBe(0);
    expectSame(a, b);
  });

  it('concurrent writes on both sides of a partition converge to the same set (same and different authors)', async () => {
    const a = openLog('a');
    const b = openLog('b');
    for (let i = 0; i < 10; i++) a.appendLocal('chat.message.sent', { i }, alice);
    await sync(b, a);
    // Partition: both sides write with alice (same author, same lamport range) and their own authors.
    for (let i = 0; i < 7; i++) a.appendLocal('chat.message.sent', { side: 'a', i }, alice);
    for (let i = 0; i < 5; i++) b.appendLocal('chat.message.sent', { side: 'b', i }, alice);
    a.appendLocal('market.post.created', { t: 'soup' }, bob);
    for (let i = 0; i < 3; i++) b.appendLocal('market.post.created', { t: 'bread' }, carol);
    // A heads-by-type maximum alone would think b is behind or level: prove counts differ but heads may tie.
    const res = await sync(a, b);
    expect(res.received_count).toBe(8);
    expect(res.sent_count).toBe(8);
    expect(a.count()).toBe(26);
    expectSame(a, b);
    const again = await sync(a, b);
    expect(again).toMatchObject({ sent_count: 0, received_count: 0 });
  });

  it('three logs converge after pairwise syncs; idempotent re-sync sends nothing', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => openLog(n));
    const kps = [alice, bob, carol];
    [a, b, c].forEach((log, k) => {
      for (let i = 0; i < 20 + k; i++) log.appendLocal('chat.message.sent', { k, i }, kps[(k + i) % 3]);
    });
    await sync(a, b);
    await sync(b, c);
    await sync(a, b);
    expectSame(a, b, c);
    expect(a.count()).toBe(63);
    for (const [x, y] of [
      [a, b],
      [b, c],
      [c, a],
    ] as const) {
      const ch = channelTo(y);
      const res = await new SyncClient(x, ch).syncWith();
      expect(res).toMatchObject({ sent_count: 0, received_count: 0 });
      expect(ch.calls).toBe(1); // heads only
    }
  });

  it('a bad signature in a pushed batch is rejected alone with its code, the rest land', async () => {
    const a = openLog('a');
    const b = openLog('b');
    const evs = [1, 2, 3, 4].map((i) => a.appendLocal('chat.message.sent', { i }, alice));
    const forged = { ...evs[2], data: { i: 666 } } as Event;
    const reply = await new SyncServer(b).serveEvents(
      JSON.parse(JSON.stringify({ events: [evs[0], evs[1], forged, evs[3]] })) as SyncEventsBody,
    );
    expect(reply).toMatchObject({
      accepted: 3,
      duplicates: 0,
      rejected: [{ event_id: evs[2].event_id, code: 'invalid_signature' }],
    });
    expect(b.count()).toBe(3);
    expect(b.get(evs[2].event_id)).toBeNull();
    // The genuine one then arrives through sync.
    const res = await sync(b, a);
    expect(res.received_count).toBe(1);
    expectSame(a, b);
  });

  it('reports events the peer refuses (unknown author) and keeps the rest', async () => {
    const a = openLog('a');
    const membership = new FakeMembership();
    const b = openLog('b', { membership });
    membership.attach(b);
    a.appendLocal('community.created', { name: 'Elm' }, root);
    a.appendLocal('community.member.invited', { invitee: alice.nodeIdFull }, root);
    a.appendLocal('chat.message.sent', { text: 'member' }, alice);
    const stranger = a.appendLocal('chat.message.sent', { text: 'stranger' }, carol);
    const res = await sync(a, b);
    expect(res.sent_count).toBe(3);
    expect(res.rejected_sent).toEqual([{ event_id: stranger.event_id, code: 'unknown_author' }]);
  });

  it('pushNew sends a single-event batch', async () => {
    const a = openLog('a');
    const b = openLog('b');
    const client = new SyncClient(a, channelTo(b));
    const e = a.appendLocal('chat.message.sent', { text: 'now' }, alice);
    expect(await client.pushNew(e)).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await client.pushNew(e)).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(b.get(e.event_id)).toEqual(e);
  });

  it('server refuses oversized and malformed bodies', async () => {
    const server = new SyncServer(openLog('a'));
    await expect(server.serveEvents({ events: new Array(SYNC_BATCH_EVENTS + 1).fill({}) })).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    await expect(server.serveEvents(null)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(server.serveEvents({ want: { buckets: { width: 0, authors: [] } } })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('refuses to sync with a peer of another community', async () => {
    const a = openLog('a');
    const other: SyncChannel = {
      heads: async () => ({ ...(await new SyncServer(a).serveHeads()), community_id: alice.nodeIdFull as never }),
      events: () => Promise.reject(new Error('unreachable')),
    };
    await expect(new SyncClient(a, other).syncWith()).rejects.toMatchObject({ code: 'schema_unknown' });
  });
});
