/**
 * Desktop notifications for what a household should not miss: a new direct message to us and a new
 * emergency post by a neighbour. Never the message text (it is sealed, and notifications show on
 * lock screens): who wrote, and the emergency post's title. Off-able in Settings.
 */
import type { EventType } from '../common';
import type { Event } from '../runtime/events';

export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
  /** What clicking it opens in the window. */
  readonly open: 'chat' | 'emergency';
}

export const NOTIFY_EVENT_TYPES: readonly EventType[] = ['chat.message.sent', 'market.post.created'];
/** Events older than this when they reach us (a long sync after being away) do not pop up. */
export const NOTIFY_MAX_AGE_MS = 6 * 3600_000;
const MAX_TITLE = 120;

export interface NotifyContext {
  /** Our full node id. */
  readonly me: string;
  /** A neighbour's display name, or null when unknown. */
  readonly nameOf: (nodeIdFull: string) => string | null;
  readonly now: number;
}

function clip(text: string, max: number): string {
  // Control characters from a neighbour's text never reach the OS notification.
  const clean = text.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean;
}

export function notificationFor(event: Event, ctx: NotifyContext): DesktopNotification | null {
  if (event.author === ctx.me) return null;
  const age = ctx.now - Date.parse(event.wall_clock);
  if (Number.isFinite(age) && age > NOTIFY_MAX_AGE_MS) return null;
  const who = clip(ctx.nameOf(event.author) ?? 'A neighbour', 60);
  if (event.event_type === 'chat.message.sent') {
    if (event.data.recipient !== ctx.me) return null;
    return { title: `Message from ${who}`, body: 'Open HearthNet to read it.', open: 'chat' };
  }
  if (event.event_type === 'market.post.created') {
    if (event.data.category !== 'emergency') return null;
    const title = typeof event.data.title === 'string' ? clip(event.data.title, MAX_TITLE) : 'An emergency post';
    return {
      title: `Emergency: ${title}`,
      body: `Posted by ${who}. Open HearthNet to help or reply.`,
      open: 'emergency',
    };
  }
  return null;
}

export interface EventSource {
  subscribe(types: readonly EventType[], opts: { signal: AbortSignal }): AsyncIterable<Event>;
}

/**
 * Reads new events of one community log until `signal` aborts or the log closes, and shows those
 * worth a notification while `enabled()` holds.
 */
export async function watchForNotifications(
  log: EventSource,
  ctx: Omit<NotifyContext, 'now'>,
  enabled: () => boolean,
  show: (n: DesktopNotification) => void,
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<void> {
  for await (const event of log.subscribe(NOTIFY_EVENT_TYPES, { signal })) {
    if (!enabled()) continue;
    const n = notificationFor(event, { ...ctx, now: now() });
    if (n) show(n);
  }
}
