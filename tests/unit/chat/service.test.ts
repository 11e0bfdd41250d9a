import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../support/memory-logger';
import { toWireError, type NodeId } from '../../../src-main/common';
import { ReplayEngine, type Event, type EventLog } from '../../../src-main/runtime/events';
import {
  ChatError,
  ChatService,
  ChatView,
  CHAT_VIEW_EVENT_TYPES,
  DeliveryManager,
  SEND_REQUEST_SCHEMA,
} from '../../../src-main/runtime/services/chat';
import { cleanup, communityId, generateKeyPair, join, openLog, syncInto, tempDir, type KeyPair } from './helpers';

afterEach(cleanup);

const bob = generateKeyPair();
const stranger = generateKeyPair();

function setup(
  kp: KeyPair = generateKeyPair(),
  enabled = true,
  net: { peers?: () => NodeId[]; sendDirect?: (n: NodeId, e: Event) => Promise<void> } = {},
) {
  const dir = tempDir();
  const log = openLog(join(dir, 'log.sqlite'));
  const view = new ChatView(kp);
  new ReplayEngine(log).register('chat', view, CHAT_VIEW_EVENT_TYPES);
  const config = { enabled, store_and_forward: true };
  const delivery = new DeliveryManager(
    {
      log,
      ourKp: kp,
      peers: net.peers ?? (() => []),
      sendDirect: net.sendDirect ?? (async () => {}),
      config,
      outboxPath: join(dir, 'outbox.json'),
    },
    { log: memoryLogger('chat').log },
  );
  const members = new Set<string>([kp.nodeIdFull, bob.nodeIdFull]);
  const svc = new ChatService({ log, kp, view, delivery, communityId, isMember: (n) => members.has(n), config });
  return { kp, log, view, svc, delivery };
}

const self = (s: ReturnType<typeof setup>, body: unknown) => ({
  body,
  caller: s.kp.nodeIdFull as string,
  traceId: 't',
  sessionId: null,
  signal: new AbortController().signal,
  params: {},
});

async function expectChatError(
  p: Promise<unknown> | (() => unknown),
  code: string,
  wire: string,
  text?: RegExp,
): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ChatError);
  expect((err as ChatError).code).toBe(code);
  expect(toWireError(err).code).toBe(wire);
  if (text) expect((err as ChatError).message).toMatch(text);
}

describe('ChatService', () => {
  it('send seals, appends and reports delivery; history returns the opened message', async () => {
    const s = setup();
    const res = (await s.svc.send(self(s, { to: bob.nodeIdFull, text: 'Soup is ready' }))) as {
      msg_id: string;
      event_id: string;
      delivery: string;
    };
    expect(res.delivery).toBe('queued');
    const ev = s.log.get(res.event_id)!;
    expect(ev.event_type).toBe('chat.message.sent');
    expect(ev.data).toMatchObject({ msg_id: res.msg_id, recipient: bob.nodeIdFull });
    expect(JSON.stringify(ev)).not.toContain('Soup');
    const h = (await s.svc.history(self(s, { with: bob.nodeIdFull }))) as {
      messages: Array<{ body: string; msg_id: string }>;
    };
    expect(h.messages.map((m) => [m.msg_id, m.body])).toEqual([[res.msg_id, 'Soup is ready']]);
    expect(s.delivery.pending().map((p) => p.msg_id)).toEqual([res.msg_id]);
  });

  it('refuses bad sends with exact codes and appends nothing', async () => {
    const s = setup();
    const send = (body: unknown, caller = s.kp.nodeIdFull as string) => s.svc.send({ ...self(s, body), caller });
    await expectChatError(
      send({ to: bob.nodeIdFull, text: 'hi' }, bob.nodeIdFull),
      'forbidden',
      'forbidden',
      /its own node/,
    );
    await expectChatError(
      send({ to: stranger.nodeIdFull, text: 'hi' }),
      'recipient_unknown',
      'not_found',
      /not a member/,
    );
    await expectChatError(send({ to: s.kp.nodeIdFull, text: 'hi' }), 'bad_request', 'bad_request', /yourself|own node/);
    await expectChatError(send({ to: bob.nodeIdShort, text: 'hi' }), 'bad_request', 'bad_request', /full node id/);
    await expectChatError(send({ to: bob.nodeIdFull, text: '' }), 'bad_request', 'bad_request', /1 to 4000/);
    await expectChatError(send({ to: bob.nodeIdFull, text: 'é'.repeat(4001) }), 'bad_request', 'bad_request', /4001/);
    await expectChatError(send({ to: bob.nodeIdFull, text: 7 }), 'bad_request', 'bad_request');
    await expectChatError(send({ to: bob.nodeIdFull, text: 'hi', extra: 1 }), 'bad_request', 'bad_request', /"extra"/);
    await expectChatError(
      send({ to: bob.nodeIdFull, text: 'hi', attachments: [{ cid: 'blake3:zz' }] }),
      'bad_request',
      'bad_request',
      /cid/,
    );
    await expectChatError(send(null), 'bad_request', 'bad_request');
    expect(s.log.count()).toBe(0);
    expect(s.delivery.pending()).toEqual([]);
    // 4000 characters (code points, as the schema counts) is fine.
    await expect(send({ to: bob.nodeIdFull, text: '🥚'.repeat(4000) })).resolves.toMatchObject({ delivery: 'queued' });
  });

  it('history is self-only and checks its body', async () => {
    const s = setup();
    await expectChatError(s.svc.history({ ...self(s, {}), caller: bob.nodeIdFull }), 'forbidden', 'forbidden');
    await expectChatError(s.svc.history(self(s, { limit: 0 })), 'bad_request', 'bad_request', /limit/);
    await expectChatError(s.svc.history(self(s, { since_lamport: -1 })), 'bad_request', 'bad_request');
    await expectChatError(s.svc.history(self(s, { with: 'bob' })), 'bad_request', 'bad_request');
    await expect(s.svc.history(self(s, undefined))).resolves.toEqual({ messages: [] });
  });

  it('markRead: recipient only, once, unknown ids are not_found', async () => {
    const a = setup();
    const b = setup(bob);
    const { msg_id } = (await a.svc.send(self(a, { to: bob.nodeIdFull, text: 'read me' }))) as { msg_id: string };
    syncInto(a.log, b.log);
    expect(b.view.unreadCount(a.kp.nodeIdFull)).toBe(1);
    await expectChatError(() => a.svc.markRead({ msg_id }), 'forbidden', 'forbidden');
    await expectChatError(() => b.svc.markRead({ msg_id: 'nope' }), 'not_found', 'not_found');
    await expectChatError(() => b.svc.markRead({}), 'bad_request', 'bad_request');
    const r1 = b.svc.markRead({ msg_id });
    expect(r1.event_id).not.toBeNull();
    const r2 = b.svc.markRead({ msg_id });
    expect(r2).toEqual({ msg_id, read_at: r1.read_at, event_id: null });
    expect([...b.log.replay({ eventTypes: ['chat.message.read'] })]).toHaveLength(1);
    expect(b.view.unreadCount(a.kp.nodeIdFull)).toBe(0);
  });

  it('end to end: a direct push lands in the recipient log, its receipt syncs back and clears the outbox', async () => {
    let bLog: EventLog | null = null;
    const a = setup(undefined, true, {
      peers: () => [bob.nodeIdFull],
      sendDirect: (_n, e) => {
        bLog!.appendReceived(e);
        return Promise.resolve();
      },
    });
    const b = setup(bob);
    bLog = b.log;
    await a.svc.start();
    await b.svc.start();
    const res = (await a.svc.send(self(a, { to: bob.nodeIdFull, text: 'Door is open' }))) as {
      msg_id: string;
      delivery: string;
    };
    expect(res.delivery).toBe('direct');
    expect(b.view.get(res.msg_id)?.body).toBe('Door is open');
    const deadline = Date.now() + 5_000;
    while ([...b.log.replay({ eventTypes: ['chat.message.delivered'] })].length === 0) {
      if (Date.now() > deadline) throw new Error('no delivered receipt');
      await new Promise((r) => setTimeout(r, 2));
    }
    syncInto(b.log, a.log);
    while (a.delivery.pending().length > 0) {
      if (Date.now() > deadline) throw new Error('outbox not cleared');
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(a.view.get(res.msg_id)?.delivered_at).not.toBeNull();
    expect(a.svc.health()).toMatchObject({ outbox: 0, conversations: 1, undecryptable: 0 });
    await a.svc.stop();
    await b.svc.stop();
  });

  it('chat turned off: send and history are forbidden', async () => {
    const s = setup(undefined, false);
    await expectChatError(
      s.svc.send(self(s, { to: bob.nodeIdFull, text: 'hi' })),
      'forbidden',
      'forbidden',
      /turned off/,
    );
    await expectChatError(s.svc.history(self(s, {})), 'forbidden', 'forbidden');
  });

  it('capabilities: chat.send@1.0 (member) and chat.history@1.0 (self) with schemas', () => {
    const caps = setup().svc.capabilities();
    expect(caps.map((c) => [c.descriptor.name, c.descriptor.version, c.descriptor.trust_required])).toEqual([
      ['chat.send', [1, 0], 'member'],
      ['chat.history', [1, 0], 'self'],
    ]);
    expect(caps[0].descriptor.request_schema).toBe(SEND_REQUEST_SCHEMA);
    expect(
      caps.every((c) => typeof c.handler === 'function' && c.descriptor.params && c.descriptor.stream_schema === null),
    ).toBe(true);
  });
});

describe('capability schemas agree with the handlers', () => {
  it('ajv accepts what send/history accept and rejects what they reject', async () => {
    const { default: Ajv } = await import('ajv');
    const ajv = new Ajv({ strict: false });
    const { HISTORY_REQUEST_SCHEMA, HISTORY_RESPONSE_SCHEMA, SEND_RESPONSE_SCHEMA } =
      await import('../../../src-main/runtime/services/chat');
    const sendOk = ajv.compile(SEND_REQUEST_SCHEMA);
    const cid = `blake3:${'0f'.repeat(32)}`;
    const good = [
      { to: bob.nodeIdFull, text: 'hi' },
      { to: bob.nodeIdFull, text: '🥚'.repeat(4000), attachments: [{ cid, filename: 'a.png', size_bytes: 3 }] },
    ];
    const bad = [
      { to: bob.nodeIdFull, text: '' },
      { to: bob.nodeIdShort, text: 'hi' },
      { to: bob.nodeIdFull, text: 'x'.repeat(4001) },
      { to: bob.nodeIdFull, text: 'hi', extra: 1 },
      { to: bob.nodeIdFull, text: 'hi', attachments: [{ cid: 'blake3:zz' }] },
      { text: 'hi' },
    ];
    for (const g of good) expect(sendOk(g)).toBe(true);
    for (const b of bad) expect(sendOk(b)).toBe(false);

    const s = setup();
    for (const g of good) await expect(s.svc.send(self(s, g))).resolves.toBeTruthy();
    for (const b of bad) await expect(s.svc.send(self(s, b))).rejects.toBeInstanceOf(ChatError);

    const res = await s.svc.send(self(s, good[0]));
    expect(ajv.compile(SEND_RESPONSE_SCHEMA)(res)).toBe(true);
    const hist = await s.svc.history(self(s, { with: bob.nodeIdFull, limit: 10 }));
    expect(ajv.compile(HISTORY_REQUEST_SCHEMA)({ with: bob.nodeIdFull, limit: 10 })).toBe(true);
    const validHist = ajv.compile(HISTORY_RESPONSE_SCHEMA);
    expect(validHist(hist)).toBe(true);
    expect((hist as { messages: unknown[] }).messages).toHaveLength(3);
  });
});
