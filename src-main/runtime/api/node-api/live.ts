/**
 * The app's live views as async iterables (served as tRPC subscriptions): status, emergency and
 * topology are re-read and sent when they change (woken early by the events that change them);
 * chat, market and traces are pushed as they happen. Each ends when its signal aborts.
 */
import type { EventType } from '../../../common';
import type { ChatUpdate, MarketPost, MarketUpdate, TraceRow } from '..';
import type { CapabilityBus } from '../../bus';
import { isTypedEvent, type Event } from '../../events';
import { CHAT_EVENT_TYPES } from '../../services/chat/types';
import { MARKET_EVENT_TYPES } from '../../services/marketplace';
import type { CommunityScope } from '../../node/community-scope';
import { requireServices } from './services';

/** How often a polled view is re-read when nothing woke it, ms. */
export const LIVE_POLL_MS = 1_000;
/** Trace rows one slow subscriber may fall behind by before the oldest are dropped. */
export const LIVE_TRACE_QUEUE_MAX = 256;

/** Resolves after `ms`, or earlier when `wake` is called or `signal` aborts. */
function nap(ms: number, signal: AbortSignal, wakers: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      wakers.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    wakers.add(done);
  });
}

/**
 * `read()` now, then again whenever its JSON (or that of `key(value)`: what counts as a change)
 * differs, re-read every `everyMs` or when `subscribe`'s callback fires. Errors of `read` end the
 * iteration (the client sees the mapped error).
 */
export async function* whenChanged<T>(
  read: () => T | Promise<T>,
  signal: AbortSignal,
  opts: { everyMs?: number; subscribe?: (wake: () => void) => () => void; key?: (value: T) => unknown } = {},
): AsyncGenerator<T> {
  const wakers = new Set<() => void>();
  const wakeAll = () => [...wakers].forEach((w) => w());
  const off = opts.subscribe?.(wakeAll);
  let last = '';
  try {
    while (!signal.aborted) {
      const value = await read();
      const json = JSON.stringify(opts.key ? opts.key(value) : value);
      if (json !== last) {
        last = json;
        yield value;
      }
      await nap(opts.everyMs ?? LIVE_POLL_MS, signal, wakers);
    }
  } finally {
    off?.();
  }
}

/** Bus trace rows as they end, optionally of one capability. */
export async function* traceStream(
  bus: CapabilityBus,
  capability: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<TraceRow> {
  const queue: TraceRow[] = [];
  const wakers = new Set<() => void>();
  const off = bus.trace.addListener((t) => {
    if (capability && t.capability !== capability) return;
    queue.push({
      ts: t.ts,
      trace_id: t.trace_id,
      capability: t.capability,
      version: t.version,
      from_node: t.from_node,
      to_node: t.to_node,
      is_local: t.is_local,
      result: t.result,
      ms: t.ms,
      tokens_in: t.tokens_in,
      tokens_out: t.tokens_out,
    });
    if (queue.length > LIVE_TRACE_QUEUE_MAX) queue.shift();
    [...wakers].forEach((w) => w());
  });
  try {
    while (!signal.aborted) {
      const next = queue.shift();
      if (next) yield next;
      else await nap(60_000, signal, wakers);
    }
  } finally {
    off();
  }
}

async function* logEvents(
  scope: () => CommunityScope | null,
  types: readonly EventType[],
  signal: AbortSignal,
): AsyncGenerator<Event> {
  const { scope: s } = requireServices(scope);
  yield* s.community.log.subscribe(types, { signal });
}

export interface LiveChatDeps {
  readonly scope: () => CommunityScope | null;
  /** The ChatRow / Conversation of a msg_id as the app shows it; null when it is not ours. */
  readonly update: (kind: ChatUpdate['kind'], msgId: string) => Promise<ChatUpdate | null>;
}

/** One ChatUpdate per message sent or received by us and per receipt of one of them. */
export async function* chatUpdates(d: LiveChatDeps, signal: AbortSignal): AsyncGenerator<ChatUpdate> {
  const { services } = requireServices(d.scope);
  if (!services.chat) return;
  for await (const e of logEvents(d.scope, CHAT_EVENT_TYPES, signal)) {
    if (!isTypedEvent(e, CHAT_EVENT_TYPES) || !e.data.msg_id) continue;
    const msgId = e.data.msg_id;
    const kind =
      e.event_type === 'chat.message.sent'
        ? 'message'
        : e.event_type === 'chat.message.delivered'
          ? 'delivered'
          : 'read';
    const u = await d.update(kind, msgId);
    if (u) yield u;
  }
}

/** One MarketUpdate per post created, changed or expired (a TTL passing is seen by the next list). */
export async function* marketUpdates(
  scope: () => CommunityScope | null,
  post: (id: string) => MarketPost | null,
  signal: AbortSignal,
): AsyncGenerator<MarketUpdate> {
  for await (const e of logEvents(scope, MARKET_EVENT_TYPES, signal)) {
    if (!isTypedEvent(e, MARKET_EVENT_TYPES)) continue;
    const id = e.event_type === 'market.post.created' ? e.event_id : e.data.post_id;
    const p = id ? post(id) : null;
    if (p) yield { kind: e.event_type === 'market.post.expired' ? 'expired' : 'posted', post: p };
  }
}
