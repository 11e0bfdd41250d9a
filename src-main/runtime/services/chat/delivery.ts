/**
 * M10 §3.2 of ../shared/spec/hearthnet-reference.md DeliveryManager: pushes our sent messages to their recipient promptly and tracks them
 * in a persistent outbox until the recipient's `chat.message.delivered` receipt reaches our log.
 * The log itself replicates everywhere, so this only makes delivery fast; it is never the only path.
 */
import type { Logger } from '../../observability/logger';
import { getLogger } from '../../observability/logging';
import {
  backoffDelayMs,
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  EVENT_LOG_RETENTION_DAYS,
  type NodeId,
} from '../../../common';
import type { ChatConfig } from '../../config';
import { isTypedEvent, type Event, type EventLog } from '../../events';
import { isFullNodeId, type KeyPair } from '../../identity';
import { ChatError } from './errors';
import { Outbox, type OutboxEntry } from './outbox';
import { CHAT_EVENT_TYPES } from './types';
import { realDeliveryTimers, type DeliveryTimers } from './timers';

/** Neighbours a message is handed to at most per attempt when its recipient is away. */
export const CHAT_FORWARD_FANOUT = 3;
/** After this long we stop pushing (the log still carries the message to the recipient). */
export const CHAT_OUTBOX_MAX_AGE_MS = EVENT_LOG_RETENTION_DAYS * 24 * 3600 * 1000;

export type DeliveryOutcome = 'direct' | 'forwarded' | 'queued';

export interface DeliveryComponents {
  readonly log: EventLog;
  readonly ourKp: KeyPair;
  /** Full node ids of the peers reachable right now. */
  readonly peers: () => readonly NodeId[];
  /** Hand `event` to `nodeId`'s log (a bus call or event push); resolves once that node stored it. */
  readonly sendDirect: (nodeId: NodeId, event: Event) => Promise<void>;
  /** Hand `event` to a neighbour that may meet the recipient first (store-and-forward). */
  readonly forwardVia?: (neighbourId: NodeId, event: Event) => Promise<void>;
  readonly config: ChatConfig;
  /** The outbox file, e.g. `<data>/communities/<id>/chat-outbox.json`. */
  readonly outboxPath: string;
}

export interface DeliveryInit {
  /** ms since the epoch */
  readonly now?: () => number;
  readonly timers?: DeliveryTimers;
  readonly retryBaseMs?: number;
  readonly retryCapMs?: number;
  readonly forwardFanout?: number;
  readonly maxAgeMs?: number;
  /** Where failed pushes and given-up messages are reported (default: the process-wide logger). */
  readonly log?: Logger;
}

export class DeliveryManager {
  private readonly outbox: Outbox;
  private readonly now: () => number;
  private readonly timers: DeliveryTimers;
  private readonly retryTimers = new Map<string, unknown>();
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();
  /** msg_ids we (as recipient) have already acknowledged. */
  private readonly receipted = new Set<string>();
  private abort: AbortController | null = null;
  private pump: Promise<void> | null = null;

  /** Opens the outbox (throws ChatError('outbox_io') if it is unreadable). */
  constructor(
    private readonly c: DeliveryComponents,
    private readonly init: DeliveryInit = {},
  ) {
    this.outbox = Outbox.open(c.outboxPath);
    this.now = init.now ?? Date.now;
    this.timers = init.timers ?? realDeliveryTimers;
  }

  get running(): boolean {
    return this.abort !== null;
  }

  /** Unacknowledged messages, oldest first. */
  pending(): OutboxEntry[] {
    return this.outbox.all().sort((a, b) => a.queued_at - b.queued_at);
  }

  /**
   * Idempotent. Subscribes to chat events, catches up with the log (receipts that arrived while we
   * were down clear the outbox; messages to us without our receipt get one), then retries the outbox.
   */
  start(): void {
    if (this.abort || !this.c.config.enabled) return;
    const abort = new AbortController();
    this.abort = abort;
    const events = this.c.log.subscribe(CHAT_EVENT_TYPES, { signal: abort.signal }); // before catch-up: nothing slips between
    this.catchUp();
    this.pump = this.run(events, abort.signal);
    for (const e of this.outbox.all()) if (e.pushed_at === null) this.schedule(e, 0);
  }

  /** Idempotent: cancels retries and the subscription; an in-flight push is left to finish. */
  async stop(): Promise<void> {
    const abort = this.abort;
    if (!abort) return;
    this.abort = null;
    abort.abort();
    for (const t of this.retryTimers.values()) this.timers.clearTimeout(t);
    this.retryTimers.clear();
    await this.pump;
    this.pump = null;
  }

  /**
   * Track `messageEvent` (a `chat.message.sent` we authored) in the outbox and push it now:
   * 'direct' when the recipient's node took it, 'forwarded' when neighbours took it for them,
   * 'queued' when nobody could, to be retried with backoff and when the recipient comes back.
   */
  async deliver(messageEvent: Event): Promise<DeliveryOutcome> {
    if (!this.c.config.enabled) throw new ChatError('forbidden', "chat is turned off in this node's settings");
    if (!isTypedEvent(messageEvent, ['chat.message.sent']) || messageEvent.author !== this.c.ourKp.nodeIdFull) {
      throw new ChatError(
        'bad_request',
        'only a chat.message.sent event authored by this node can be delivered from here',
      );
    }
    const recipient = messageEvent.data.recipient;
    if (!isFullNodeId(recipient))
      throw new ChatError('bad_request', 'a chat message must name its recipient by full node id');
    const entry = this.outbox.add({
      msg_id: messageEvent.data.msg_id,
      event_id: messageEvent.event_id,
      recipient,
      queued_at: this.now(),
      attempts: 0,
      pushed_at: null,
      forwarded_to: [],
    });
    return this.attempt(entry, messageEvent);
  }

  /**
   * We are the recipient of `event` (it arrived by sync or push): append our
   * `chat.message.delivered` receipt once. Must not be called from inside a log `onAppend` listener.
   */
  onLocalMessageArrived(event: Event): Event | null {
    const us: string = this.c.ourKp.nodeIdFull;
    if (!isTypedEvent(event, ['chat.message.sent']) || event.data.recipient !== us || event.author === us) return null;
    const msgId = event.data.msg_id;
    if (this.receipted.has(msgId)) return null;
    this.receipted.add(msgId);
    return this.c.log.appendLocal('chat.message.delivered', { msg_id: msgId }, this.c.ourKp);
  }

  /** `nodeId` became reachable: push what we owe it now, and hand waiting messages to it if it can carry them. */
  async onPeerOnline(nodeId: NodeId): Promise<void> {
    const due = this.outbox
      .all()
      .filter(
        (e) =>
          e.pushed_at === null && (e.recipient === nodeId || (this.canForward() && !e.forwarded_to.includes(nodeId))),
      );
    await Promise.all(
      due.map((e) =>
        this.attempt(e).catch((err: unknown) =>
          this.warn('chat delivery attempt failed', { msg_id: e.msg_id, error: String(err) }),
        ),
      ),
    );
  }

  private async run(events: AsyncIterable<Event>, signal: AbortSignal): Promise<void> {
    let stream = events;
    while (!signal.aborted) {
      try {
        for await (const e of stream) this.handle(e);
        return;
      } catch (err) {
        // The subscription overflowed (we fell behind): rescan the log and carry on.
        this.warn('chat event subscription lost; catching up from the log', { error: String(err) });
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- it may have fired while we awaited
        if (signal.aborted) return;
        stream = this.c.log.subscribe(CHAT_EVENT_TYPES, { signal });
        this.catchUp();
      }
    }
  }

  private handle(e: Event): void {
    try {
      if (e.event_type === 'chat.message.sent') this.onLocalMessageArrived(e);
      else this.onReceipt(e);
    } catch (err) {
      this.warn('chat event could not be handled', { event_id: e.event_id, error: String(err) });
    }
  }

  private onReceipt(e: Event): void {
    if (!isTypedEvent(e, ['chat.message.delivered', 'chat.message.read'])) return;
    const msgId = e.data.msg_id;
    if (e.author === this.c.ourKp.nodeIdFull) this.receipted.add(msgId);
    const entry = this.outbox.get(msgId);
    if (!entry || e.author !== entry.recipient) return; // only the recipient acknowledges
    this.clearTimer(msgId);
    this.outbox.remove(msgId);
  }

  private catchUp(): void {
    for (const e of this.c.log.replay({ eventTypes: ['chat.message.delivered', 'chat.message.read'] }))
      this.onReceipt(e);
    for (const e of this.c.log.replay({ eventTypes: ['chat.message.sent'] })) this.handle(e);
  }

  private attempt(entry: OutboxEntry, event?: Event): Promise<DeliveryOutcome> {
    const running = this.inFlight.get(entry.msg_id);
    if (running) return running;
    const p = this.attemptNow(entry, event).finally(() => this.inFlight.delete(entry.msg_id));
    this.inFlight.set(entry.msg_id, p);
    return p;
  }

  private async attemptNow(entry: OutboxEntry, event?: Event): Promise<DeliveryOutcome> {
    this.clearTimer(entry.msg_id);
    const ev = event ?? this.c.log.get(entry.event_id);
    if (!ev) {
      this.warn('a queued chat message is no longer in the log; dropping it from the outbox', { msg_id: entry.msg_id });
      this.outbox.remove(entry.msg_id);
      return 'queued';
    }
    if (this.now() - entry.queued_at > (this.init.maxAgeMs ?? CHAT_OUTBOX_MAX_AGE_MS)) {
      this.warn('gave up pushing an old chat message; it still reaches the recipient through the log', {
        msg_id: entry.msg_id,
      });
      this.outbox.remove(entry.msg_id);
      return 'queued';
    }
    const online = new Set(this.c.peers());
    if (online.has(entry.recipient)) {
      try {
        await this.c.sendDirect(entry.recipient, ev);
        if (this.outbox.get(entry.msg_id) === entry) {
          entry.pushed_at = this.now();
          entry.attempts = 0;
          this.outbox.touch();
        }
        return 'direct';
      } catch (err) {
        this.warn('direct chat delivery failed; will retry', {
          msg_id: entry.msg_id,
          recipient: entry.recipient,
          error: String(err),
        });
      }
    }
    const forwarded = await this.forward(entry, ev, online);
    if (this.outbox.get(entry.msg_id) !== entry) return forwarded ? 'forwarded' : 'queued'; // acknowledged meanwhile
    entry.attempts += 1;
    this.outbox.touch();
    this.schedule(
      entry,
      backoffDelayMs(
        entry.attempts - 1,
        this.init.retryBaseMs ?? BACKOFF_BASE_MS,
        this.init.retryCapMs ?? BACKOFF_CAP_MS,
      ),
    );
    return forwarded ? 'forwarded' : 'queued';
  }

  private async forward(entry: OutboxEntry, ev: Event, online: ReadonlySet<NodeId>): Promise<boolean> {
    const via = this.c.forwardVia;
    if (!via || !this.canForward()) return false;
    const us = this.c.ourKp.nodeIdFull;
    const targets = [...online]
      .filter((n) => n !== entry.recipient && n !== us && !entry.forwarded_to.includes(n))
      .slice(0, this.init.forwardFanout ?? CHAT_FORWARD_FANOUT);
    let ok = false;
    for (const t of targets) {
      try {
        await via(t, ev);
        entry.forwarded_to.push(t);
        ok = true;
      } catch (err) {
        this.warn('forwarding a chat message failed', { msg_id: entry.msg_id, via: t, error: String(err) });
      }
    }
    return ok;
  }

  private canForward(): boolean {
    return this.c.config.store_and_forward && this.c.forwardVia !== undefined;
  }

  private schedule(entry: OutboxEntry, delayMs: number): void {
    if (!this.abort) return; // not started: start() arms every entry
    this.clearTimer(entry.msg_id);
    const handle = this.timers.setTimeout(() => {
      this.retryTimers.delete(entry.msg_id);
      const current = this.outbox.get(entry.msg_id);
      if (current && current.pushed_at === null) {
        this.attempt(current).catch((err: unknown) =>
          this.warn('chat delivery attempt failed', { msg_id: entry.msg_id, error: String(err) }),
        );
      }
    }, delayMs);
    this.retryTimers.set(entry.msg_id, handle);
  }

  private clearTimer(msgId: string): void {
    const t = this.retryTimers.get(msgId);
    if (t !== undefined) this.timers.clearTimeout(t);
    this.retryTimers.delete(msgId);
  }

  private warn(message: string, details?: Record<string, unknown>): void {
    (this.init.log ?? getLogger('chat')).warn(message, details);
  }
}
