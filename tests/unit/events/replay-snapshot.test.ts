import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { memoryLogger } from '../../support/memory-logger';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src-main/runtime/identity';
import {
  buildSnapshot,
  ReplayEngine,
  restoreFromSnapshot,
  SnapshotStore,
  type Event,
  type MaterialisedView,
  type Snapshot,
} from '../../../src-main/runtime/events';
import { cleanup, openLog, tempDir } from './helpers';
import { EventLogError } from '../../../src-main/runtime/events';

afterEach(cleanup);
const alice = generateKeyPair();
const bob = generateKeyPair();

/** Counts chat messages per author; order-insensitive like real views should be. */
class ChatCount implements MaterialisedView {
  counts: Record<string, number> = {};
  applied = 0;
  reset(): void {
    this.counts = {};
    this.applied = 0;
  }
  apply(e: Event): void {
    this.counts[e.author] = (this.counts[e.author] ?? 0) + 1;
    this.applied += 1;
  }
  snapshotState(): Record<string, unknown> {
    return { counts: { ...this.counts } };
  }
  restoreState(state: Record<string, unknown>): void {
    this.counts = { ...(state.counts as Record<string, number>) };
  }
}

async function withTimeout<T>(p: Promise<T>, ms = 2000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error('timed out')), ms).unref())]);
}

describe('replay', () => {
  it('orders by (lamport, event_id) and filters by since, until, types, author, limit', () => {
    const src = openLog('src');
    const other = openLog('other');
    const evs = [
      src.appendLocal('chat.message.sent', { n: 1 }, alice),
      src.appendLocal('market.post.created', { n: 2 }, bob),
      src.appendLocal('chat.message.sent', { n: 3 }, bob),
    ];
    // Same lamport (1) from another log: tie broken by event_id.
    const tie = other.appendLocal('chat.message.read', { n: 4 }, bob);
    const log = openLog('dst');
    log.appendReceivedBatch([...evs, tie].reverse());
    const all = [...log.replay()];
    const expected = [...evs, tie].sort((a, b) => a.lamport - b.lamport || (a.event_id < b.event_id ? -1 : 1));
    expect(all.map((e) => e.event_id)).toEqual(expected.map((e) => e.event_id));
    expect([...log.replay({ sinceLamport: 1 })].map((e) => e.data.n)).toEqual([2, 3]);
    expect([...log.replay({ untilLamport: 1 })]).toHaveLength(2);
    expect([...log.replay({ eventTypes: ['chat.message.sent'] })].map((e) => e.data.n)).toEqual([1, 3]);
    expect(
      [...log.replay({ author: bob.nodeIdFull, eventTypes: ['chat.message.sent', 'market.post.created'] })].map(
        (e) => e.data.n,
      ),
    ).toEqual([2, 3]);
    expect([...log.replay({ limit: 2 })].map((e) => e.event_id)).toEqual(expected.slice(0, 2).map((e) => e.event_id));
    expect(log.headsByType()).toEqual({ 'chat.message.sent': 3, 'market.post.created': 2, 'chat.message.read': 1 });
  });

  it('pages past 1000 events and allows writing while iterating', () => {
    const log = openLog();
    for (let i = 0; i < 1205; i++) log.appendLocal('chat.message.sent', { i }, alice);
    let seen = 0;
    for (const e of log.replay()) {
      seen += 1;
      if (seen === 1) log.appendLocal('chat.message.read', { of: e.event_id }, alice);
    }
    expect(seen).toBe(1206);
  });
});

describe('subscribe', () => {
  it('delivers matching events after commit and ends on abort', async () => {
    const log = openLog();
    const ac = new AbortController();
    const got: Event[] = [];
    const done = (async () => {
      for await (const e of log.subscribe(['chat.message.sent'], { signal: ac.signal })) {
        got.push(e);
        if (got.length === 2) ac.abort();
      }
    })();
    log.appendLocal('market.post.created', { skip: true }, alice);
    log.appendLocal('chat.message.sent', { n: 1 }, alice);
    log.appendLocal('chat.message.sent', { n: 2 }, alice);
    await withTimeout(done);
    expect(got.map((e) => e.data.n)).toEqual([1, 2]);
  });

  it('ends when the log closes, and reports overflow instead of dropping', async () => {
    const log = openLog();
    const slow = log.subscribe()[Symbol.asyncIterator]();
    for (let i = 0; i < 1100; i++) log.appendLocal('chat.message.sent', { i }, alice);
    await expect(withTimeout(slow.next())).rejects.toMatchObject({ code: 'out_of_order' });
    const it2 = log.subscribe()[Symbol.asyncIterator]();
    const pending = it2.next();
    log.close();
    await expect(withTimeout(pending)).resolves.toMatchObject({ done: true });
  });
});

describe('ReplayEngine', () => {
  it('applies live events to registered views and rebuilds them from the log', () => {
    const log = openLog();
    const engine = new ReplayEngine(log);
    const chat = new ChatCount();
    engine.register('chat', chat, ['chat.message.sent']);
    log.appendLocal('chat.message.sent', {}, alice);
    log.appendLocal('market.post.created', {}, alice);
    log.appendLocal('chat.message.sent', {}, bob);
    expect(chat.counts).toEqual({ [alice.nodeIdFull]: 1, [bob.nodeIdFull]: 1 });
    chat.counts = { garbage: 9 };
    engine.rebuild('chat');
    expect(chat.counts).toEqual({ [alice.nodeIdFull]: 1, [bob.nodeIdFull]: 1 });
    const late = new ChatCount();
    engine.register('late', late);
    engine.rebuildAll();
    expect(late.applied).toBe(3);
    expect(() => engine.register('chat', chat)).toThrow(EventLogError);
    engine.stop();
    log.appendLocal('chat.message.sent', {}, alice);
    expect(late.applied).toBe(3);
  });
});

describe('snapshots', () => {
  function setup() {
    const log = openLog();
    const engine = new ReplayEngine(log);
    const chat = new ChatCount();
    engine.register('chat', chat, ['chat.message.sent']);
    for (let i = 0; i < 5; i++) log.appendLocal('chat.message.sent', { i }, i % 2 ? alice : bob);
    return { log, engine, chat };
  }

  it('write / latest / list / prune, atomically', () => {
    const { log, engine } = setup();
    const store = new SnapshotStore(tempDir(), log.communityId);
    expect(store.latest()).toBeNull();
    for (const at of [1, 2, 3, 4, 5]) store.write(buildSnapshot(log, engine, alice, at));
    expect(store.list()).toEqual([1, 2, 3, 4, 5]);
    expect(store.latest()!.covers_events_up_to).toBe(5);
    expect(readdirSync(store.dirPath).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    store.prune(2);
    expect(store.list()).toEqual([4, 5]);
    // A torn newest file (as if the machine died mid-write without our rename) is skipped, not fatal.
    const { log: warnings, records: reported } = memoryLogger('events');
    const store2 = new SnapshotStore(store.dirPath, log.communityId, { log: warnings });
    writeFileSync(join(store.dirPath, 'snapshot-000000000000009.json'), '{"schema_ver');
    expect(store2.latest()!.covers_events_up_to).toBe(5);
    expect(reported).toHaveLength(1);
    expect(String(reported[0].file)).toMatch(/snapshot-000000000000009\.json$/);
    expect(existsSync(join(store.dirPath, 'snapshot-000000000000005.json'))).toBe(true);
  });

  it('snapshot at an earlier lamport holds the state as of then; views return to head', () => {
    const { log, engine, chat } = setup();
    const snap = buildSnapshot(log, engine, alice, 2);
    expect(snap.state.views.chat).toEqual({ counts: { [bob.nodeIdFull]: 1, [alice.nodeIdFull]: 1 } });
    expect(chat.applied).toBe(5);
    expect(() => buildSnapshot(log, engine, alice, 99)).toThrow(EventLogError);
  });

  it('restores views, then replays events after the cover, including late arrivals below it', () => {
    const { log, engine, chat } = setup();
    const snap = buildSnapshot(log, engine, alice, 3);
    log.appendLocal('chat.message.sent', {}, alice); // lamport 6, after the cover
    const late = openLog('other').appendLocal('chat.message.sent', { late: true }, bob); // lamport 1, arrives after the snapshot
    log.appendReceived(late);
    const want = { ...chat.counts };
    chat.reset();
    const r = restoreFromSnapshot(snap, engine, log, { trustedSigners: [alice.nodeIdFull] });
    expect(r.restored_views).toEqual(['chat']);
    expect(r.replayed).toBe(4); // lamport 4, 5, 6 and the late lamport-1 event
    expect(chat.counts).toEqual(want);
  });

  it('refuses a tampered or untrusted snapshot', () => {
    const { log, engine } = setup();
    const snap = buildSnapshot(log, engine, alice);
    const tampered = { ...snap, covers_events_up_to: 0 } as Snapshot;
    expect(() => restoreFromSnapshot(tampered, engine, log)).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
    expect(() => restoreFromSnapshot(snap, engine, log, { trustedSigners: [bob.nodeIdFull] })).toThrow(
      expect.objectContaining({ code: 'invalid_signature' }),
    );
  });
});
