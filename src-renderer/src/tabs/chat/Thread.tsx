/**
 * One conversation: the messages (live), each of ours with its true delivery state, and the
 * box to write the next one. Opening it marks the neighbour's messages as read.
 */
import { createEffect, createResource, createSignal, For, on, onCleanup, Show, type JSX } from 'solid-js';
import type { ChatRow, ChatSent, Conversation } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { useChatFeed } from '../../ui/chat-feed';
import { plainError, type PlainError } from '../../ui/errors';
import { TextArea } from '../../ui/Field';
import { ErrorState, Loading } from '../../ui/states';
import { localDateTime } from '../../ui/time';
import { Delivery } from './delivery';

const HISTORY_LIMIT = 200;
const MAX_TEXT = 4000;

function byTime(a: ChatRow, b: ChatRow): number {
  return a.created_at === b.created_at ? a.lamport - b.lamport : a.created_at < b.created_at ? -1 : 1;
}

/** A row for a message we just sent, until the node's own row for it arrives. */
function sentRow(s: ChatSent, text: string, selfId: string): ChatRow {
  return {
    msg_id: s.msg_id,
    event_id: s.event_id,
    lamport: Number.MAX_SAFE_INTEGER,
    sender: selfId,
    sender_name: '',
    recipient: s.to,
    recipient_name: s.to_name,
    direction: 'out',
    body: text,
    created_at: new Date().toISOString(),
    delivered_at: null,
    read_at: null,
    delivery_state: s.delivery_state,
  };
}

export function Thread(props: {
  conversation: Conversation;
  selfId: string;
  visible: () => boolean;
  onBack?: () => void;
}): JSX.Element {
  const feed = useChatFeed();
  const peer = () => props.conversation.peer;
  const [history, { mutate, refetch }] = createResource(peer, (p) =>
    trpc.chatHistory.query({ with: p, limit: HISTORY_LIMIT }).then((rows) => [...rows].sort(byTime)),
  );
  const [text, setText] = createSignal('');
  const [textError, setTextError] = createSignal<string | null>(null);
  const [sendError, setSendError] = createSignal<PlainError | null>(null);
  const [sending, setSending] = createSignal(false);
  let list: HTMLOListElement | undefined;

  const upsertRow = (row: ChatRow) =>
    mutate((rows) => {
      const others = (rows ?? []).filter((r) => r.msg_id !== row.msg_id);
      return [...others, row].sort(byTime);
    });

  const markRead = () => {
    if (!props.visible() || document.hidden) return;
    if (props.conversation.unread === 0 && !(history() ?? []).some((r) => r.direction === 'in' && !r.read_at)) return;
    trpc.chatMarkRead
      .mutate({ with: peer() })
      .then(() => feed.markSeen(peer()))
      .catch(() => {});
  };

  const stop = feed.listen((u) => {
    if (u.message.sender !== peer() && u.message.recipient !== peer()) return;
    upsertRow(u.message);
    if (u.kind === 'message' && u.message.direction === 'in') markRead();
  });
  onCleanup(stop);
  const onVisible = () => markRead();
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => document.removeEventListener('visibilitychange', onVisible));
  createEffect(on([peer, () => history.state, props.visible], () => history.state === 'ready' && markRead()));
  createEffect(
    on(
      () => history()?.length,
      () => queueMicrotask(() => list?.lastElementChild?.scrollIntoView({ block: 'end' })),
    ),
  );

  const send = async (e: Event) => {
    e.preventDefault();
    const body = text().trim();
    if (!body) return setTextError('Write something first.');
    if (body.length > MAX_TEXT)
      return setTextError(
        `That message is ${body.length} characters long; keep it under ${MAX_TEXT}, or send it in two parts.`,
      );
    setTextError(null);
    setSendError(null);
    setSending(true);
    try {
      const sent = await trpc.chatSend.mutate({ to: peer(), text: body });
      if (!(history() ?? []).some((r) => r.msg_id === sent.msg_id)) upsertRow(sentRow(sent, body, props.selfId));
      setText('');
    } catch (err) {
      setSendError(plainError(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <section class="thread" aria-label={`Conversation with ${props.conversation.peer_name}`}>
      <header class="thread-head row">
        <Show when={props.onBack}>
          <Button variant="quiet" class="back" onClick={() => props.onBack?.()}>
            ← All conversations
          </Button>
        </Show>
        <h2>{props.conversation.peer_name}</h2>
        <span class="presence">
          {props.conversation.online ? '● online now' : '○ not online; messages wait for them'}
        </span>
      </header>
      <Show
        when={!history.error}
        fallback={<ErrorState error={plainError(history.error)} retry={() => void refetch()} />}
      >
        <Show when={history()} fallback={<Loading label="Opening the conversation…" />}>
          {(rows) => (
            <Show
              when={rows().length > 0}
              fallback={<p class="muted thread-empty">No messages yet. Say hello to {props.conversation.peer_name}.</p>}
            >
              <ol class="messages" ref={list}>
                <For each={rows()}>
                  {(m) => (
                    <li class={`message message-${m.direction}`}>
                      <p class="message-body">{m.body}</p>
                      <p class="message-meta">
                        <span class="visually-hidden">
                          {m.direction === 'out' ? 'You' : props.conversation.peer_name},{' '}
                        </span>
                        <time dateTime={m.created_at}>{localDateTime(m.created_at)}</time>
                        <Show when={m.direction === 'out'}>
                          {' · '}
                          <Delivery state={m.delivery_state} peerName={props.conversation.peer_name} />
                        </Show>
                      </p>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          )}
        </Show>
      </Show>
      <form class="composer" onSubmit={(e) => void send(e)} novalidate>
        <TextArea
          label={`Message to ${props.conversation.peer_name}`}
          rows={2}
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) void send(e);
          }}
          error={textError()}
          hint="Enter sends; Shift+Enter starts a new line."
        />
        <Show when={sendError()}>
          {(err) => <ErrorState error={{ ...err(), message: `Not sent: ${err().message}` }} />}
        </Show>
        <Button type="submit" variant="primary" busy={sending()} busyLabel="Sending…">
          Send
        </Button>
      </form>
    </section>
  );
}
