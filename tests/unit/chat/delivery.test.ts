import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { memoryLogger } from '../../support/memory-logger';
import type { NodeId } from '../../../src-main/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { Event, EventLog } from '../../../src-main/runtime/events';
import {
  ChatError,
  DeliveryManager,
  type DeliveryComponents,
  type DeliveryInit,
} from '../../../src-main/runtime/services/chat';
import {
  appendSent,
  cleanup,
  generateKeyPair,
  join,
  ManualTimers,
  openLog,
  syncInto,
  tempDir,
  type KeyPair,
} from './helpers';

afterEach(cleanup);

const alice = generateKeyPair();
const bob = generateKeyPair();
const carol = generateKeyPair();

interface Rig {
  dm: DeliveryManager;
  log: EventLog;
  timers: ManualTimers;
  online: Set<NodeId>;
  direct: Array<[string, string]>;
  forwarded: Array<[string, string]>;
  warnings: string[];
  outboxPath: string;
  failDirect: boolean;
}

function rig(
  opts: {
    log?: EventLog;
    outboxPath?: string;
    kp?: KeyPair;
    storeAndForward?: boolean;
    start?: boolean;
    init?: DeliveryInit;
  } = {},
): Rig {
  const dir = tempDir();
  const r = {
    log: opts.log ?? openLog(join(dir, 'log.sqlite')),
    timers: new ManualTimers(),
    online: new Set<NodeId>(),
    direct: [],
    forwarded: [],
    outboxPath: opts.outboxPath ?? join(dir, 'chat-outbox.json'),
    failDirect: false,
  } as unknown as Rig;
  const c: DeliveryComponents = {
    log: r.log,
    ourKp: opts.kp ?? alice,
    peers: () => [...r.online],
    config: { enabled: true, store_and_forward: opts.storeAndForward ?? true },
    outboxPath: r.outboxPath,
    sendDirect: (n: string, e: Event) => {
      if (r.failDirect) return Promise.reject(new Error('connection refused'));
      r.direct.push([n, e.event_id]);
      return Promise.resolve();
    },
    forwardVia: (n: string, e: Event) => {
      r.forwarded.push([n, e.event_id]);
      return Promise.resolve();
    },
  };
  const warned = memoryLogger('chat');
  // What the manager logged, read live: the warning lines' messages.
  Object.defineProperty(r, 'warnings', { get: () => warned.records.map((x) => x.msg) });
  r.dm = new DeliveryManager(c, { timers: r.timers, log: warned.log, ...opts.init });
  if (opts.start ?? true) r.dm.start();
  return r;
}

async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 2));
  }
}

describe('DeliveryManager', () => {
  it('direct: pushes to an online recipient; the delivered receipt clears the outbox', async () => {
    const r = rig();
    r.online.add(bob.nodeIdFull);
    const e = appendSent(r.log, alice, bob.nodeIdFull, 'hi');
    expect(await r.dm.deliver(e)).toBe('direct');
    expect(r.direct).toEqual([[bob.nodeIdFull, e.event_id]]);
    expect(r.dm.pending()).toHaveLength(1);
    expect(r.dm.pending()[0].pushed_at).not.toBeNull();
    expect(r.timers.pending.size).toBe(0); // pushed: only the receipt is owed, no retries

    // Bob's log receives it, acknowledges, and the receipt syncs back.
    const bobLog = openLog(join(tempDir(), 'bob.sqlite'));
    syncInto(r.log, bobLog);
    bobLog.appendLocal('chat.message.delivered', { msg_id: e.data.msg_id }, bob);
    syncInto(bobLog, r.log);
    await until(() => r.dm.pending().length === 0, 'outbox cleared');
    expect((JSON.parse(readFileSync(r.outboxPath, 'utf8')) as { entries: unknown[] }).entries).toEqual([]);
    await r.dm.stop();
  });

  it('queued: retries with doubling backoff capped at 30 s, and pushes at once when the recipient returns', async () => {
    const r = rig({ storeAndForward: false });
    const e = appendSent(r.log, alice, bob.nodeIdFull, 'are you there?');
    expect(await r.dm.deliver(e)).toBe('queued');
    for (let i = 0; i < 7; i++) {
      const before = r.timers.delays.length;
      expect(r.timers.fireAll()).toBe(1);
      await until(() => r.timers.delays.length === before + 1, `retry ${i + 1} scheduled`);
    }
    expect(r.timers.delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(r.dm.pending()[0].attempts).toBe(8);
    expect(r.direct).toEqual([]);

    r.online.add(bob.nodeIdFull);
    await r.dm.onPeerOnline(bob.nodeIdFull);
    expect(r.direct).toEqual([[bob.nodeIdFull, e.event_id]]);
    expect(r.timers.pending.size).toBe(0);
    await r.dm.stop();
  });

  it('forwarded: hands the message to online neighbours when the recipient is away (store_and_forward)', async () => {
    const r = rig();
    r.online.add(carol.nodeIdFull);
    const e = appendSent(r.log, alice, bob.nodeIdFull, 'pass it on');
    expect(await r.dm.deliver(e)).toBe('forwarded');
    expect(r.forwarded).toEqual([[carol.nodeIdFull, e.event_id]]);
    expect(r.dm.pending()[0].forwarded_to).toEqual([carol.nodeIdFull]);
    // A retry does not forward to carol again.
    r.timers.fireAll();
    await until(() => r.timers.delays.length === 2, 'second retry');
    expect(r.forwarded).toHaveLength(1);
    await r.dm.stop();

    const off = rig({ storeAndForward: false });
    off.online.add(carol.nodeIdFull);
    expect(await off.dm.deliver(appendSent(off.log, alice, bob.nodeIdFull, 'x'))).toBe('queued');
    expect(off.forwarded).toEqual([]);
    await off.dm.stop();
  });

  it('a failing direct push is reported and queued, not lost', async () => {
    const r = rig({ storeAndForward: false });
    r.online.add(bob.nodeIdFull);
    r.failDirect = true;
    const e = appendSent(r.log, alice, bob.nodeIdFull, 'hello');
    expect(await r.dm.deliver(e)).toBe('queued');
    expect(r.warnings.some((w) => w.includes('direct chat delivery failed'))).toBe(true);
    expect(r.timers.delays).toEqual([1000]);
    r.failDirect = false;
    r.timers.fireAll();
    await until(() => r.direct.length === 1, 'retry pushed');
    await r.dm.stop();
  });

  it('the outbox survives a restart, is retried on start, and a receipt that arrived meanwhile clears it', async () => {
    const dir = tempDir();
    const logPath = join(dir, 'log.sqlite');
    const outboxPath = join(dir, 'chat-outbox.json');
    const log = openLog(logPath);
    const first = rig({ log, outboxPath, storeAndForward: false });
    const e1 = appendSent(log, alice, bob.nodeIdFull, 'one');
    const e2 = appendSent(log, alice, carol.nodeIdFull, 'two');
    await first.dm.deliver(e1);
    await first.dm.deliver(e2);
    await first.dm.stop();
    expect(first.timers.pending.size).toBe(0); // stop cancels retries

    // While we were down: bob's receipt arrives by sync.
    const bobLog = openLog(join(tempDir(), 'bob.sqlite'));
    syncInto(log, bobLog);
    bobLog.appendLocal('chat.message.delivered', { msg_id: e1.data.msg_id }, bob);
    syncInto(bobLog, log);

    const second = rig({ log, outboxPath, start: false, storeAndForward: false });
    expect(
      second.dm
        .pending()
        .map((p) => p.msg_id)
        .sort(),
    ).toEqual([e1.data.msg_id, e2.data.msg_id].sort());
    second.online.add(carol.nodeIdFull);
    second.dm.start();
    expect(second.dm.pending().map((p) => p.msg_id)).toEqual([e2.data.msg_id]);
    second.timers.fireAll(); // start arms an immediate retry
    await until(() => second.direct.length === 1, 'retry after restart');
    expect(second.direct).toEqual([[carol.nodeIdFull, e2.event_id]]);
    await second.dm.stop();
  });

  it('only the recipient acknowledges: a receipt from another member leaves the outbox alone', async () => {
    const r = rig();
    const e = appendSent(r.log, alice, bob.nodeIdFull, 'hi');
    await r.dm.deliver(e);
    const carolLog = openLog(join(tempDir(), 'carol.sqlite'));
    syncInto(r.log, carolLog);
    carolLog.appendLocal('chat.message.delivered', { msg_id: e.data.msg_id }, carol);
    syncInto(carolLog, r.log);
    // A sentinel: a second message, acknowledged by bob after carol's receipt. Once the
    // subscription has cleared it, it has certainly seen carol's receipt too.
    const e2 = appendSent(r.log, alice, bob.nodeIdFull, 'sentinel');
    await r.dm.deliver(e2);
    const bobLog = openLog(join(tempDir(), 'bob.sqlite'));
    syncInto(r.log, bobLog);
    bobLog.appendLocal('chat.message.delivered', { msg_id: e2.data.msg_id }, bob);
    syncInto(bobLog, r.log);
    await until(() => r.dm.pending().every((p) => p.msg_id !== e2.data.msg_id), 'sentinel cleared');
    expect(r.dm.pending().map((p) => p.msg_id)).toEqual([e.data.msg_id]);
    await r.dm.stop();
  });

  it('as recipient: appends one delivered receipt per message, also across restarts', async () => {
    const dir = tempDir();
    const bobLog = openLog(join(dir, 'bob.sqlite'));
    const aliceLog = openLog(join(tempDir(), 'alice.sqlite'));
    const e = appendSent(aliceLog, alice, bob.nodeIdFull, 'for bob');
    appendSent(aliceLog, alice, carol.nodeIdFull, 'not for bob');
    const b1 = rig({ log: bobLog, kp: bob, outboxPath: join(dir, 'outbox.json') });
    syncInto(aliceLog, bobLog);
    const receipts = () => [...bobLog.replay({ eventTypes: ['chat.message.delivered'] })];
    await until(() => receipts().length === 1, 'receipt');
    expect(receipts()[0]).toMatchObject({ author: bob.nodeIdFull, data: { msg_id: e.data.msg_id } });
    expect(b1.dm.onLocalMessageArrived(e)).toBeNull(); // already acknowledged
    await b1.dm.stop();
    const b2 = rig({ log: bobLog, kp: bob, outboxPath: join(dir, 'outbox.json') }); // start() catches up synchronously
    expect(receipts()).toHaveLength(1);
    // A message that arrived while bob was down is acknowledged by that catch-up.
    await b2.dm.stop();
    const late = appendSent(aliceLog, alice, bob.nodeIdFull, 'while you were out');
    syncInto(aliceLog, bobLog);
    const b3 = rig({ log: bobLog, kp: bob, outboxPath: join(dir, 'outbox.json') });
    expect(receipts().map((r) => r.data.msg_id)).toEqual([e.data.msg_id, late.data.msg_id]);
    await b3.dm.stop();
  });

  it('refuses to deliver events it did not author, and a corrupt outbox fails loudly without being overwritten', async () => {
    const r = rig();
    const foreign = appendSent(r.log, bob, carol.nodeIdFull, 'x');
    await expect(r.dm.deliver(foreign)).rejects.toMatchObject({ code: 'bad_request' });
    expect(r.dm.pending()).toEqual([]);
    await r.dm.stop();

    const path = join(tempDir(), 'chat-outbox.json');
    writeFileSync(path, '{ not json');
    expect(() => rig({ outboxPath: path })).toThrow(ChatError);
    expect(() => rig({ outboxPath: path })).toThrow(/move it aside/);
    expect(readFileSync(path, 'utf8')).toBe('{ not json');
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('gives up pushing after the maximum age (the log still carries the message)', async () => {
    let now = 1_000_000;
    const r = rig({ storeAndForward: false, init: { now: () => now, maxAgeMs: 60_000 } });
    await r.dm.deliver(appendSent(r.log, alice, bob.nodeIdFull, 'old'));
    now += 61_000;
    r.timers.fireAll();
    await until(() => r.dm.pending().length === 0, 'given up');
    expect(r.warnings.some((w) => w.includes('gave up'))).toBe(true);
    await r.dm.stop();
  });
});
