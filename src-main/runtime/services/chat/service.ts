/**
 * M10 §3.3 of ../shared/spec/hearthnet-reference.md ChatService: chat.send@1.0 (sent from this node only) and chat.history@1.0 (self) as
 * bus handlers, plus markRead for the local UI. Messages are sealed before they enter the log.
 */
import type { Logger } from '../../observability/logger';
import { getLogger } from '../../observability/logging';
import { monotonicFactory } from 'ulidx';
import { promiseTry, RPC_DEFAULT_TIMEOUT_SECONDS, type EventType, type NodeId, type Version } from '../../../common';
import type { ChatConfig } from '../../config';
import type { Event, EventLog } from '../../events';
import type { KeyPair } from '../../identity';
import type { Service } from '../base';
import type { DeliveryManager, DeliveryOutcome } from './delivery';
import { ChatError } from './errors';
import { parseHistoryRequest, parseMsgIdRequest, parseSendRequest } from './input';
import { HISTORY_REQUEST_SCHEMA, HISTORY_RESPONSE_SCHEMA, SEND_REQUEST_SCHEMA, SEND_RESPONSE_SCHEMA } from './schemas';
import { sealMessage } from './seal';
import type { ChatMessage, ChatView } from './views';

/** The event types ChatView must be registered for with the ReplayEngine. */
export const CHAT_VIEW_EVENT_TYPES: readonly EventType[] = [
  'chat.message.sent',
  'chat.message.delivered',
  'chat.message.read',
];
export const CHAT_MAX_CONCURRENT = 8;

/** The slice of the bus's handler context chat uses. */
export interface ChatHandlerContext {
  readonly body: unknown;
  /** Full node id of the caller; our own id for in-process (UI/CLI) calls. */
  readonly caller: string;
  readonly traceId?: string;
  readonly sessionId?: string | null;
  readonly signal?: AbortSignal;
  readonly params?: Readonly<Record<string, unknown>>;
}

export type ChatHandler = (ctx: ChatHandlerContext) => Promise<unknown>;

/** Bus descriptor shape (M03 §3.1, snake_case wire names). */
export interface ChatCapabilityDescriptor {
  readonly name: string;
  readonly version: Version;
  readonly stability: 'experimental' | 'beta' | 'stable';
  readonly request_schema: Record<string, unknown>;
  readonly response_schema: Record<string, unknown> | null;
  readonly stream_schema: null;
  readonly params: Record<string, unknown>;
  readonly max_concurrent: number;
  readonly trust_required: 'member' | 'self';
  readonly timeout_seconds: number;
  readonly idempotent: boolean;
}

export interface ChatComponents {
  readonly log: EventLog;
  readonly kp: KeyPair;
  readonly view: ChatView;
  readonly delivery: DeliveryManager;
  readonly communityId: string;
  /** True when `nodeId` is a current (not revoked) member of the community. */
  readonly isMember: (nodeId: NodeId) => boolean;
  readonly config: ChatConfig;
}

export interface ChatInit {
  readonly newMsgId?: () => string;
  /** `components.logger.forComponent('chat')`; default: the process-wide logger. */
  readonly log?: Logger;
}

export class ChatService implements Service {
  readonly name = 'chat';
  readonly version = '1.0';
  private readonly newMsgId: () => string;

  constructor(
    private readonly c: ChatComponents,
    private readonly init: ChatInit = {},
  ) {
    const ulid = monotonicFactory();
    this.newMsgId = init.newMsgId ?? (() => ulid());
  }

  /** Starts delivery (outbox retries, receipts). Idempotent. The view is fed by the ReplayEngine. */
  start(): Promise<void> {
    return promiseTry(() => {
      this.c.delivery.start();
    });
  }

  async stop(): Promise<void> {
    await this.c.delivery.stop();
  }

  health(): Record<string, unknown> {
    return {
      enabled: this.c.config.enabled,
      outbox: this.c.delivery.pending().length,
      conversations: this.c.view.peers().length,
      undecryptable: this.c.view.undecryptable,
    };
  }

  /** chat.send@1.0: {to, text, attachments?} -> {msg_id, event_id, delivery}. */
  readonly send: ChatHandler = async (ctx) => {
    this.assertSelf(ctx.caller, 'send a message from it');
    const req = parseSendRequest(ctx.body);
    const us = this.c.kp.nodeIdFull as string;
    if (req.to === us) throw new ChatError('bad_request', 'you cannot send a chat message to your own node');
    if (!this.c.isMember(req.to))
      throw new ChatError(
        'recipient_unknown',
        `${req.to} is not a member of this community, so it cannot receive messages here`,
      );
    const msgId = this.newMsgId();
    const sealed = sealMessage({
      senderKp: this.c.kp,
      recipientNodeId: req.to,
      communityId: this.c.communityId,
      msgId,
      plaintext: req.plaintext,
    });
    const event = this.c.log.appendLocal('chat.message.sent', { msg_id: msgId, recipient: req.to, sealed }, this.c.kp);
    return { msg_id: msgId, event_id: event.event_id, delivery: await this.deliver(event) };
  };

  /** chat.history@1.0 (self): {with?, since_lamport?, limit?} -> {messages}. */
  readonly history: ChatHandler = (ctx) => promiseTry(() => this.historyNow(ctx));

  private historyNow(ctx: ChatHandlerContext): { messages: ChatMessage[] } {
    this.assertSelf(ctx.caller, 'read its chat history');
    const req = parseHistoryRequest(ctx.body);
    const messages: ChatMessage[] = this.c.view.historyWith(req.with, {
      sinceLamport: req.sinceLamport,
      limit: req.limit,
    });
    return { messages };
  }

  /**
   * Mark a message sent to us as read (appends `chat.message.read` once). For the local UI.
   * Throws not_found for an unknown msg_id, forbidden for a message we sent.
   */
  markRead(body: unknown): { msg_id: string; read_at: string; event_id: string | null } {
    const msgId = parseMsgIdRequest(body);
    const m = this.c.view.get(msgId);
    if (!m) throw new ChatError('not_found', `there is no message ${msgId} in your conversations`);
    if (m.recipient !== this.c.kp.nodeIdFull)
      throw new ChatError('forbidden', 'only the recipient can mark a message as read');
    if (m.read_at !== null) return { msg_id: msgId, read_at: m.read_at, event_id: null };
    const e = this.c.log.appendLocal('chat.message.read', { msg_id: msgId }, this.c.kp);
    return { msg_id: msgId, read_at: e.wall_clock, event_id: e.event_id };
  }

  /** The app's conversation list: each peer (most recent first), messages from them not yet read, the latest message. */
  conversations(): Array<{ peer: string; unread: number; last: ChatMessage | null }> {
    const v = this.c.view;
    return v
      .peers()
      .map((peer) => ({ peer, unread: v.unreadCount(peer), last: v.historyWith(peer, { limit: 1 })[0] ?? null }));
  }

  /** One of our messages, opened, or null. */
  message(msgId: string): ChatMessage | null {
    return this.c.view.get(msgId);
  }

  /** Messages from `peer` to us not yet read (to mark a whole conversation read). */
  unreadFrom(peer: string): ChatMessage[] {
    const us = this.c.kp.nodeIdFull as string;
    return this.c.view
      .historyWith(peer, { limit: Number.MAX_SAFE_INTEGER })
      .filter((m) => m.sender === peer && m.recipient === us && m.read_at === null);
  }

  /** Descriptors and handlers to register on the bus. */
  capabilities(): Array<{ descriptor: ChatCapabilityDescriptor; handler: ChatHandler }> {
    const d = (
      name: string,
      trust: 'member' | 'self',
      req: object,
      res: object,
      idempotent: boolean,
    ): ChatCapabilityDescriptor => ({
      name,
      version: [1, 0],
      stability: 'beta',
      request_schema: req as Record<string, unknown>,
      response_schema: res as Record<string, unknown>,
      stream_schema: null,
      params: {},
      max_concurrent: CHAT_MAX_CONCURRENT,
      trust_required: trust,
      timeout_seconds: RPC_DEFAULT_TIMEOUT_SECONDS,
      idempotent,
    });
    return [
      { descriptor: d('chat.send', 'member', SEND_REQUEST_SCHEMA, SEND_RESPONSE_SCHEMA, false), handler: this.send },
      {
        descriptor: d('chat.history', 'self', HISTORY_REQUEST_SCHEMA, HISTORY_RESPONSE_SCHEMA, true),
        handler: this.history,
      },
    ];
  }

  private assertSelf(caller: string, what: string): void {
    if (!this.c.config.enabled) throw new ChatError('forbidden', "chat is turned off in this node's settings");
    if (caller !== this.c.kp.nodeIdFull)
      throw new ChatError('forbidden', `only this node itself can ${what}; a household sends from its own node`);
  }

  /** The event is already in the log (which replicates anyway): a failed push degrades to 'queued'. */
  private async deliver(event: Event): Promise<DeliveryOutcome> {
    try {
      return await this.c.delivery.deliver(event);
    } catch (err) {
      (this.init.log ?? getLogger('chat')).warn('message stored in the log but not queued for prompt delivery', {
        event_id: event.event_id,
        error: String(err),
      });
      return 'queued';
    }
  }
}
