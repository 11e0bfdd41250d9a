/**
 * M10 §3.1 of ../shared/spec/hearthnet-reference.md ChatView: the conversations of THIS node, materialised from the community log. Only
 * messages we sent or received are opened and kept; everyone else's are ciphertext to us and
 * ignored. Snapshots hold the sealed envelopes, never plaintext (docs/decisions/chat.md).
 */
import type { Logger } from '../../observability/logger';
import { getLogger } from '../../observability/logging';
import { isTypedEvent, type Event, type MaterialisedView, type TypedEvent } from '../../events';
import type { KeyPair } from '../../identity';
import { ChatError } from './errors';
import { openMessage } from './seal';
import { CHAT_EVENT_TYPES, type ChatAttachment } from './types';
import { deleteOldest } from '../../../common';

export const CHAT_HISTORY_DEFAULT_LIMIT = 200;
/** Receipts seen before their message (possible mid-sync); bounded so others' traffic can't grow it. */
export const CHAT_PENDING_RECEIPTS_MAX = 10_000;
const CHAT_VIEW_STATE_VERSION = 1;

/** One message of ours, opened. Wire names (snake_case) as the reference's ChatMessage. */
export interface ChatMessage {
  readonly event_id: string;
  readonly msg_id: string;
  readonly lamport: number;
  readonly sender: string;
  readonly recipient: string;
  readonly body: string;
  readonly attachments: readonly ChatAttachment[];
  readonly created_at: string;
  readonly delivered_at: string | null;
  readonly read_at: string | null;
}

/** What a snapshot keeps per message: the envelope and receipt times, no plaintext. */
interface StoredMessage {
  event_id: string;
  msg_id: string;
  lamport: number;
  community_id: string;
  sender: string;
  recipient: string;
  created_at: string;
  delivered_at: string | null;
  read_at: string | null;
  /** As received: `openMessage` checks it. */
  sealed: unknown;
}

interface Entry {
  stored: StoredMessage;
  body: string;
  attachments: readonly ChatAttachment[];
}

type Receipt = { kind: 'delivered' | 'read'; author: string; at: string };

export interface ChatViewOptions {
  /** Where a message addressed to us that cannot be opened (tampering or a bug) is reported; default: the process-wide logger. */
  readonly log?: Logger;
}

export class ChatView implements MaterialisedView {
  private readonly byMsg = new Map<string, Entry>();
  private pending = new Map<string, Receipt[]>();
  private undecryptableCount = 0;

  constructor(
    private readonly ourKp: KeyPair,
    private readonly opts: ChatViewOptions = {},
  ) {}

  get ourNodeId(): string {
    return this.ourKp.nodeIdFull;
  }

  reset(): void {
    this.byMsg.clear();
    this.pending.clear();
    this.undecryptableCount = 0;
  }

  apply(event: Event): void {
    if (!isTypedEvent(event, CHAT_EVENT_TYPES)) return; // data this view cannot use is skipped
    const msgId = event.data.msg_id;
    if (event.event_type === 'chat.message.sent') this.applySent(event, msgId);
    else if (event.event_type === 'chat.message.delivered')
      this.applyReceipt(msgId, { kind: 'delivered', author: event.author, at: event.wall_clock });
    else this.applyReceipt(msgId, { kind: 'read', author: event.author, at: event.wall_clock });
  }

  /** Messages with `peer` (or all of ours), in log order. since_lamport > 0 pages forward (the first
   * `limit` after it); since_lamport = 0 gives the newest `limit`. */
  historyWith(peer?: string | null, opts: { sinceLamport?: number; limit?: number } = {}): ChatMessage[] {
    const since = opts.sinceLamport ?? 0;
    const limit = Math.max(0, opts.limit ?? CHAT_HISTORY_DEFAULT_LIMIT);
    const list = [...this.byMsg.values()]
      .filter((e) => e.stored.lamport > since && (!peer || this.peerOf(e.stored) === peer))
      .sort(byLogOrder);
    const page = since > 0 ? list.slice(0, limit) : list.slice(Math.max(0, list.length - limit));
    return page.map(toMessage);
  }

  /** One of our messages by msg_id, or null. */
  get(msgId: string): ChatMessage | null {
    const e = this.byMsg.get(msgId);
    return e ? toMessage(e) : null;
  }

  /** The other party of each conversation, most recent conversation first. */
  peers(): string[] {
    const latest = new Map<string, number>();
    for (const e of this.byMsg.values()) {
      const p = this.peerOf(e.stored);
      latest.set(p, Math.max(latest.get(p) ?? 0, e.stored.lamport));
    }
    return [...latest.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([p]) => p);
  }

  /** Messages from `peer` to us not yet marked read. */
  unreadCount(peer: string): number {
    let n = 0;
    for (const e of this.byMsg.values())
      if (e.stored.sender === peer && e.stored.recipient === this.ourNodeId && e.stored.read_at === null) n += 1;
    return n;
  }

  /** Messages addressed to us that could not be opened since the last reset. */
  get undecryptable(): number {
    return this.undecryptableCount;
  }

  snapshotState(): Record<string, unknown> {
    return {
      version: CHAT_VIEW_STATE_VERSION,
      messages: [...this.byMsg.values()].sort(byLogOrder).map((e) => ({ ...e.stored })),
      pending_receipts: Object.fromEntries(this.pending),
    };
  }

  /** Re-opens every stored envelope with our key; entries that no longer open are dropped and counted. */
  restoreState(state: Record<string, unknown>): void {
    this.reset();
    if (state.version !== CHAT_VIEW_STATE_VERSION) return;
    for (const s of (state.messages as StoredMessage[] | undefined) ?? []) this.admit({ ...s });
    for (const [msgId, list] of Object.entries(
      (state.pending_receipts as Record<string, Receipt[]> | undefined) ?? {},
    )) {
      this.pending.set(msgId, [...list]);
    }
  }

  private applySent(event: TypedEvent<'chat.message.sent'>, msgId: string): void {
    const { recipient, sealed } = event.data;
    const sender = event.author as string;
    if (sender !== this.ourNodeId && recipient !== this.ourNodeId) return;
    if (this.byMsg.has(msgId)) return; // first event with a msg_id wins; a repeat changes nothing
    const stored: StoredMessage = {
      event_id: event.event_id,
      msg_id: msgId,
      lamport: event.lamport,
      community_id: event.community_id,
      sender,
      recipient,
      created_at: event.wall_clock,
      delivered_at: null,
      read_at: null,
      sealed,
    };
    if (!this.admit(stored)) return;
    for (const r of this.pending.get(msgId) ?? []) this.applyReceipt(msgId, r);
    this.pending.delete(msgId);
  }

  private admit(stored: StoredMessage): boolean {
    try {
      const p = openMessage(stored.sealed, this.ourKp, {
        communityId: stored.community_id,
        sender: stored.sender,
        recipient: stored.recipient,
        msgId: stored.msg_id,
      });
      this.byMsg.set(stored.msg_id, { stored, body: p.text, attachments: p.attachments });
      return true;
    } catch (err) {
      const e = ChatError.is(err) ? err : new ChatError('decrypt_failed', String(err), { cause: err });
      this.undecryptableCount += 1;
      (this.opts.log ?? getLogger('chat')).warn('a message to this household could not be opened', {
        event_id: stored.event_id,
        sender: stored.sender,
        code: e.code,
        error: e.message,
      });
      return false;
    }
  }

  private applyReceipt(msgId: string, r: Receipt): void {
    const e = this.byMsg.get(msgId);
    if (!e) {
      this.remember(msgId, r);
      return;
    }
    const s = e.stored;
    if (r.author !== s.recipient) return; // only the recipient can acknowledge
    if (s.delivered_at === null || r.at < s.delivered_at) s.delivered_at = r.at;
    if (r.kind === 'read' && (s.read_at === null || r.at < s.read_at)) s.read_at = r.at;
  }

  private remember(msgId: string, r: Receipt): void {
    const list = this.pending.get(msgId) ?? [];
    if (list.length >= 8) return; // a few per message suffice (the recipient sends one delivered and one read)
    list.push(r);
    this.pending.delete(msgId);
    this.pending.set(msgId, list);
    if (this.pending.size > CHAT_PENDING_RECEIPTS_MAX) deleteOldest(this.pending);
  }

  private peerOf(s: StoredMessage): string {
    return s.sender === this.ourNodeId ? s.recipient : s.sender;
  }
}

function byLogOrder(a: Entry, b: Entry): number {
  return (
    a.stored.lamport - b.stored.lamport ||
    (a.stored.event_id < b.stored.event_id ? -1 : a.stored.event_id > b.stored.event_id ? 1 : 0)
  );
}

function toMessage(e: Entry): ChatMessage {
  const s = e.stored;
  return {
    event_id: s.event_id,
    msg_id: s.msg_id,
    lamport: s.lamport,
    sender: s.sender,
    recipient: s.recipient,
    body: e.body,
    attachments: e.attachments,
    created_at: s.created_at,
    delivered_at: s.delivered_at,
    read_at: s.read_at,
  };
}
