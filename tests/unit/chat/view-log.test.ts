import { readdirSync, readFileSync } from 'node:fs';
import { memoryLogger } from '../../support/memory-logger';
import type { LogRecord } from '../../../src-main/runtime/observability';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayEngine, type EventLog } from '../../../src-main/runtime/events';
import { ChatView, CHAT_VIEW_EVENT_TYPES, DeliveryManager } from '../../../src-main/runtime/services/chat';
import {
  appendSent,
  cleanup,
  communityId,
  generateKeyPair,
  join,
  openLog,
  syncInto,
  tempDir,
  type KeyPair,
} from './helpers';

afterEach(cleanup);

const SECRET = 'The spare key is under the blue flowerpot';
const chatConfig = { enabled: true, store_and_forward: true };

interface Node {
  kp: KeyPair;
  dir: string;
  log: EventLog;
  view: ChatView;
  /** What the view logged about messages it could not open. */
  undecryptable: LogRecord[];
}

function node(): Node {
  const kp = generateKeyPair();
  const dir = tempDir();
  const log = openLog(join(dir, 'community.sqlite'));
  const { log: chatLog, records: undecryptable } = memoryLogger('chat');
  const view = new ChatView(kp, { log: chatLog });
  const engine = new ReplayEngine(log);
  engine.register('chat', view, CHAT_VIEW_EVENT_TYPES);
  return { kp, dir, log, view, undecryptable };
}

/** Every byte the node has on disk (db, -wal, -shm, outbox...). */
function diskBytes(n: Node): Buffer {
  return Buffer.concat(readdirSync(n.dir).map((f) => readFileSync(join(n.dir, f))));
}

function manager(n: Node): DeliveryManager {
  return new DeliveryManager(
    {
      log: n.log,
      ourKp: n.kp,
      peers: () => [],
      sendDirect: async () => {},
      config: chatConfig,
      outboxPath: join(n.dir, 'chat-outbox.json'),
    },
    { log: memoryLogger('chat').log },
  );
}

async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('chat through real event logs', () => {
  it('A -> B via C: B reads it, C stores only ciphertext (memory and SQLite files)', () => {
    const [a, b, c] = [node(), node(), node()];
    const sent = appendSent(a.log, a.kp, b.kp.nodeIdFull, SECRET);
    expect(syncInto(a.log, c.log)).toBe(1);
    expect(syncInto(c.log, b.log)).toBe(1); // store-and-forward is just the log syncing

    const bh = b.view.historyWith(a.kp.nodeIdFull);
    expect(bh).toHaveLength(1);
    expect(bh[0]).toMatchObject({
      event_id: sent.event_id,
      sender: a.kp.nodeIdFull,
      recipient: b.kp.nodeIdFull,
      body: SECRET,
      delivered_at: null,
      read_at: null,
    });
    expect(a.view.historyWith(b.kp.nodeIdFull)[0].body).toBe(SECRET);
    expect(b.view.peers()).toEqual([a.kp.nodeIdFull]);
    expect(b.view.unreadCount(a.kp.nodeIdFull)).toBe(1);

    expect(c.view.historyWith()).toEqual([]);
    expect(c.view.peers()).toEqual([]);
    expect(c.undecryptable).toEqual([]); // not addressed to C: ignored, not an error
    expect(c.log.get(sent.event_id)).not.toBeNull();
    for (const n of [a, b, c]) {
      const bytes = diskBytes(n);
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
      expect(bytes.includes(Buffer.from('blue flowerpot'))).toBe(false);
    }
    expect(JSON.stringify(b.view.snapshotState())).not.toContain('flowerpot');
  });

  it('delivered and read receipts from the recipient update the sender view; others are ignored', async () => {
    const [a, b, c] = [node(), node(), node()];
    const sent = appendSent(a.log, a.kp, b.kp.nodeIdFull, SECRET);
    const msgId = String(sent.data.msg_id);
    syncInto(a.log, b.log);
    syncInto(a.log, c.log);

    // C pretends to acknowledge: ignored by A's view.
    c.log.appendLocal('chat.message.read', { msg_id: msgId }, c.kp);
    syncInto(c.log, a.log);
    expect(a.view.get(msgId)).toMatchObject({ delivered_at: null, read_at: null });

    const bd = manager(b);
    bd.start();
    await until(
      () => [...b.log.replay({ eventTypes: ['chat.message.delivered'] })].length === 1,
      'B delivered receipt',
    );
    syncInto(b.log, a.log);
    expect(a.view.get(msgId)!.delivered_at).not.toBeNull();
    expect(a.view.get(msgId)!.read_at).toBeNull();

    b.log.appendLocal('chat.message.read', { msg_id: msgId }, b.kp);
    expect(b.view.unreadCount(a.kp.nodeIdFull)).toBe(0);
    syncInto(b.log, a.log);
    expect(a.view.get(msgId)!.read_at).not.toBeNull();
    await bd.stop();

    // Rebuild from the log gives the same answer.
    const again = new ChatView(a.kp);
    for (const e of a.log.replay()) again.apply(e);
    expect(again.historyWith()).toEqual(a.view.historyWith());
  });

  it("a sealed body copied into another member's event does not open (sender is in the AAD)", () => {
    const [a, b, c] = [node(), node(), node()];
    const sent = appendSent(a.log, a.kp, b.kp.nodeIdFull, SECRET);
    syncInto(a.log, c.log);
    // C replays A's envelope under its own name, hoping B shows it as from C.
    c.log.appendLocal('chat.message.sent', { ...sent.data, msg_id: 'forged-1' }, c.kp);
    c.log.appendLocal('chat.message.sent', { ...sent.data }, c.kp);
    syncInto(c.log, b.log);
    const fromA = b.view.historyWith(a.kp.nodeIdFull);
    expect(fromA.map((m) => m.event_id)).toEqual([sent.event_id]);
    expect(b.view.historyWith(c.kp.nodeIdFull)).toEqual([]);
    // forged-1 fails to open; the copy reusing A's msg_id is dropped as a duplicate msg_id first.
    expect(b.undecryptable.length).toBe(1);
    expect(b.undecryptable.every((e) => e.code === 'decrypt_failed')).toBe(true);
  });

  it('snapshot holds no plaintext and restores the same history by reopening envelopes', () => {
    const [a, b] = [node(), node()];
    appendSent(a.log, a.kp, b.kp.nodeIdFull, SECRET);
    appendSent(b.log, b.kp, a.kp.nodeIdFull, 'Thanks, found it');
    syncInto(a.log, b.log);
    syncInto(b.log, a.log);
    const state = a.view.snapshotState();
    const json = JSON.stringify(state);
    expect(json).not.toContain('flowerpot');
    expect(json).not.toContain('found it');
    const restored = new ChatView(a.kp);
    restored.restoreState(JSON.parse(json) as Record<string, unknown>);
    expect(restored.historyWith()).toEqual(a.view.historyWith());
    expect(restored.historyWith().map((m) => m.body)).toEqual([SECRET, 'Thanks, found it']);
    // Someone else's key cannot use our snapshot.
    const other = new ChatView(generateKeyPair(), { log: memoryLogger('chat').log });
    other.restoreState(JSON.parse(json) as Record<string, unknown>);
    expect(other.historyWith()).toEqual([]);
  });

  it('historyWith pages: newest `limit` by default, forward from since_lamport', () => {
    const [a, b] = [node(), node()];
    const ids = [1, 2, 3, 4, 5].map((i) => appendSent(a.log, a.kp, b.kp.nodeIdFull, `m${i}`));
    expect(a.view.historyWith(b.kp.nodeIdFull, { limit: 2 }).map((m) => m.body)).toEqual(['m4', 'm5']);
    expect(a.view.historyWith(null, { sinceLamport: ids[1].lamport, limit: 2 }).map((m) => m.body)).toEqual([
      'm3',
      'm4',
    ]);
    expect(a.view.historyWith(generateKeyPair().nodeIdFull)).toEqual([]);
    expect(communityId).toBe(a.log.communityId);
  });
});
