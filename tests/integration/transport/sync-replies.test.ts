/**
 * A peer that answers the sync endpoints with malformed JSON, over real HTTPS: the sync client gets
 * EventLogError('bad_reply') naming the field, never a crash deep in reconciliation, and its log
 * stays as it was. The peer runs a real SyncServer over a real log; each case spoils one reply.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedSyncChannel, EventLog, SyncClient, SyncServer } from '../../../src-main/runtime/events';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import { startNode, type TestNode } from './helpers';

type Reply = Record<string, unknown>;
type Want = { buckets?: unknown; ids?: unknown; event_ids?: unknown; heads_unless?: unknown } | undefined;
/** Spoils one reply: `heads` or the `events` reply to a request whose `want` names `step`. */
type Spoil = { step: 'heads' | 'buckets' | 'ids' | 'event_ids' | 'push'; spoil: (r: Reply) => unknown };

const root = generateKeyPair();
const alice = generateKeyPair();
const communityId = root.nodeIdFull as string;

describe('malformed sync replies from a peer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hn-sync-replies-'));
  let spoil: Spoil | null = null;
  let peerLog: EventLog;
  let ours: EventLog;
  let a: TestNode;
  let b: TestNode;

  beforeAll(async () => {
    peerLog = EventLog.open({ dbPath: join(dir, 'peer.sqlite'), communityId });
    ours = EventLog.open({ dbPath: join(dir, 'ours.sqlite'), communityId });
    for (let i = 0; i < 5; i++) peerLog.appendLocal('chat.message.sent', { i }, alice);
    const server = new SyncServer(peerLog);
    const stepOf = (want: Want): Spoil['step'] =>
      want?.buckets ? 'buckets' : want?.ids ? 'ids' : want?.event_ids ? 'event_ids' : 'push';
    b = await startNode({
      isAllowed: () => true,
      sync: {
        heads: async () => {
          const reply = (await server.serveHeads()) as unknown as Reply;
          return spoil?.step === 'heads' ? spoil.spoil(structuredClone(reply)) : reply;
        },
        events: async (_caller, body) => {
          const reply = (await server.serveEvents(body)) as unknown as Reply;
          const step = stepOf(body.want as Want);
          return spoil?.step === step ? spoil.spoil(structuredClone(reply)) : reply;
        },
      },
    });
    a = await startNode();
    await a.client.learnPeer(b.address.endpoint);
  }, 30_000);
  afterAll(async () => {
    await a.stop();
    await b.stop();
    ours.close();
    peerLog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, Spoil, RegExp]> = [
    [
      'heads: a negative sync version',
      { step: 'heads', spoil: (r) => ({ ...r, sync_version: -1 }) },
      /sync heads reply .*: sync_version: must be a whole number/,
    ],
    ['heads: authors missing', { step: 'heads', spoil: (r) => ({ ...r, authors: undefined }) }, /authors: is required/],
    [
      'heads: an author count as text',
      {
        step: 'heads',
        spoil: (r) => ({ ...r, authors: { [alice.nodeIdFull]: { count: '5', max_lamport: 5, digest: 'ab' } } }),
      },
      new RegExp(`authors\\.${alice.nodeIdFull}\\.count: must be a whole number`),
    ],
    [
      'heads: community id a number',
      { step: 'heads', spoil: (r) => ({ ...r, community_id: 7 }) },
      /community_id: must be text/,
    ],
    [
      'heads: digest not hex',
      { step: 'heads', spoil: (r) => ({ ...r, digest: 'zz' }) },
      /digest: must be a hex digest/,
    ],
    [
      'buckets: a negative count',
      {
        step: 'buckets',
        spoil: (r) => ({ ...r, buckets: { [alice.nodeIdFull]: { '0': { count: -1, digest: 'ab' } } } }),
      },
      new RegExp(`buckets\\.${alice.nodeIdFull}\\[0\\]\\.count: must be a whole number`),
    ],
    [
      'ids: a pair without its lamport',
      { step: 'ids', spoil: (r) => ({ ...r, ids: { [alice.nodeIdFull]: [['only-an-id']] } }) },
      new RegExp(`ids\\.${alice.nodeIdFull}\\[0\\]: `),
    ],
    [
      'event_ids: events not a list',
      { step: 'event_ids', spoil: (r) => ({ ...r, events: { first: 1 } }) },
      /events: must be a list/,
    ],
    [
      'event_ids: accepted missing',
      { step: 'event_ids', spoil: (r) => ({ ...r, accepted: undefined }) },
      /accepted: is required/,
    ],
    [
      'event_ids: rejected not a list',
      { step: 'event_ids', spoil: (r) => ({ ...r, rejected: 'none' }) },
      /rejected: must be a list/,
    ],
  ];

  it.each(cases)('%s: bad_reply naming the field, log unchanged', async (_name, s, message) => {
    spoil = s;
    try {
      const before = ours.count();
      const channel = checkedSyncChannel(a.client.syncChannel(b.address), 'bob');
      const err = await new SyncClient(ours, channel).syncWith().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'bad_reply', wireCode: 'schema_mismatch', details: { peer: 'bob' } });
      expect((err as Error).message).toMatch(
        /^bob sent a sync (heads|events) reply that does not follow the sync protocol: /,
      );
      expect((err as Error).message).toMatch(message);
      expect(ours.count()).toBe(before);
    } finally {
      spoil = null;
    }
  });

  it('a push answered without `rejected` is refused too', async () => {
    spoil = { step: 'push', spoil: (r) => ({ accepted: r.accepted }) };
    try {
      const event = ours.appendLocal('chat.message.sent', { pushed: true }, alice);
      const channel = checkedSyncChannel(a.client.syncChannel(b.address), 'bob');
      await expect(new SyncClient(ours, channel).pushNew(event)).rejects.toMatchObject({
        code: 'bad_reply',
        message: expect.stringMatching(/duplicates: is required|rejected: is required/) as unknown,
      });
    } finally {
      spoil = null;
    }
  });

  it('the same peer answering well syncs the whole log', async () => {
    const channel = checkedSyncChannel(a.client.syncChannel(b.address), 'bob');
    const res = await new SyncClient(ours, channel).syncWith();
    expect(res.received_count).toBe(5);
    expect(ours.authorSummaries()[alice.nodeIdFull]?.count).toBe(peerLog.authorSummaries()[alice.nodeIdFull]?.count);
  });
});
